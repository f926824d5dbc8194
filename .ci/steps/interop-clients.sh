#!/usr/bin/env bash
# Installs the standard Open Inference Protocol clients the interop tests drive the service with (Triton's
# tritonclient[http], KServe's Python SDK) and ONNX Runtime for the expected outputs, in one venv with pinned
# versions. Idempotent: reuses the venv while the requirements file is unchanged.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
requirements="${repo_root}/service/test/interop/clients-requirements.txt"
venv="${INTEROP_CLIENTS_VENV:-/opt/mlops-kit/interop-clients-venv}"
# shellcheck source=../lib/venv.sh
source "${repo_root}/.ci/lib/venv.sh"
venv_from_requirements "${venv}" "${requirements}" python

"${venv}/bin/pip" list --disable-pip-version-check 2>/dev/null | grep -i -E '^(tritonclient|kserve|onnxruntime|numpy) '
"${venv}/bin/python" -c 'import tritonclient.http, kserve, onnxruntime, numpy'

if [[ -n "${CI_ENV_FILE:-}" ]]; then
  echo "INTEROP_PYTHON=${venv}/bin/python" >>"${CI_ENV_FILE}"
fi
