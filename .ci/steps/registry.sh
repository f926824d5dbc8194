#!/usr/bin/env bash
# Installs the real MLflow server (with the basic-auth extra) the MLflow add-on tests start on loopback
# (test/constructs/registry/mlflow-server.test.ts), in its own venv with pinned versions. Idempotent: reuses
# the venv when the pins match. Exports REGISTRY_MLFLOW_BIN.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
requirements="${repo_root}/test/constructs/registry/mlflow-server-requirements.txt"
venv="${REGISTRY_MLFLOW_VENV:-/opt/mlops-kit/registry-mlflow-venv}"
stamp="${venv}/.requirements.sha256"
want="$(sha256sum "${requirements}" | cut -d' ' -f1)"

if ! command -v python3 >/dev/null 2>&1 || ! python3 -c "import venv, ensurepip" >/dev/null 2>&1; then
  apt-get update
  apt-get install -y --no-install-recommends python3 python3-venv
fi

if [[ ! -f "${stamp}" || "$(cat "${stamp}")" != "${want}" || ! -x "${venv}/bin/mlflow" ]]; then
  python3 -m venv "${venv}"
  "${venv}/bin/pip" install --quiet --disable-pip-version-check --upgrade pip==26.3
  "${venv}/bin/pip" install --quiet --disable-pip-version-check -r "${requirements}"
  echo "${want}" >"${stamp}"
fi

"${venv}/bin/mlflow" --version
"${venv}/bin/python" -c "import flask_wtf; print('flask-wtf', flask_wtf.__version__)"

if [[ -n "${CI_ENV_FILE:-}" ]]; then
  echo "REGISTRY_MLFLOW_BIN=${venv}/bin/mlflow" >>"${CI_ENV_FILE}"
fi
