#!/usr/bin/env bash
# Installs the loopback servers the inference-engine tests start: a real MLflow tracking/registry server
# and moto's S3 server, in one venv with pinned versions. Idempotent: reuses the venv when pins match.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
requirements="${repo_root}/service/test/inference/servers-requirements.txt"
venv="${INFERENCE_SERVERS_VENV:-/opt/mlops-kit/inference-servers-venv}"
stamp="${venv}/.requirements.sha256"
want="$(sha256sum "${requirements}" | cut -d' ' -f1)"

if ! command -v python3 >/dev/null 2>&1; then
  apt-get update
  apt-get install -y --no-install-recommends python3 python3-venv
fi

if [[ ! -f "${stamp}" || "$(cat "${stamp}")" != "${want}" || ! -x "${venv}/bin/mlflow" || ! -x "${venv}/bin/moto_server" ]]; then
  if ! python3 -m venv "${venv}" >/dev/null 2>&1; then
    apt-get update
    apt-get install -y --no-install-recommends python3-venv
    python3 -m venv "${venv}"
  fi
  "${venv}/bin/pip" install --quiet --disable-pip-version-check --upgrade pip==26.3
  "${venv}/bin/pip" install --quiet --disable-pip-version-check -r "${requirements}"
  echo "${want}" >"${stamp}"
fi

"${venv}/bin/mlflow" --version
"${venv}/bin/python" -c "import moto; print('moto', moto.__version__)"

if [[ -n "${CI_ENV_FILE:-}" ]]; then
  echo "MLFLOW_BIN=${venv}/bin/mlflow" >>"${CI_ENV_FILE}"
  echo "MOTO_BIN=${venv}/bin/moto_server" >>"${CI_ENV_FILE}"
fi
