#!/usr/bin/env bash
# Installs the loopback servers the inference-engine tests start: a real MLflow tracking/registry server
# and moto's S3 server, in one venv with pinned versions. Idempotent: reuses the venv when pins match.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
requirements="${repo_root}/service/test/inference/servers-requirements.txt"
venv="${INFERENCE_SERVERS_VENV:-/opt/mlops-kit/inference-servers-venv}"
# shellcheck source=../lib/venv.sh
source "${repo_root}/.ci/lib/venv.sh"
venv_from_requirements "${venv}" "${requirements}" mlflow moto_server

"${venv}/bin/mlflow" --version
"${venv}/bin/python" -c "import moto; print('moto', moto.__version__)"

if [[ -n "${CI_ENV_FILE:-}" ]]; then
  echo "MLFLOW_BIN=${venv}/bin/mlflow" >>"${CI_ENV_FILE}"
  echo "MOTO_BIN=${venv}/bin/moto_server" >>"${CI_ENV_FILE}"
fi
