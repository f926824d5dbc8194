#!/usr/bin/env bash
# CI step for pipelines/: builds a venv from the pinned requirements, then proves the committed model
# artifacts (service/models/readmission) and drift fixtures (service/test/fixtures/drift) are exactly what
# the committed scripts produce. Idempotent: the venv is reused while requirements.txt is unchanged.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
venv="${PIPELINES_VENV:-/opt/mlops-ci/venv-pipelines}"
req="$repo/pipelines/requirements.txt"

if ! python3 -c 'import venv, ensurepip' 2>/dev/null; then
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends python3-venv
fi

stamp="$venv/.requirements.sha256"
want="$(sha256sum "$req" | cut -d' ' -f1)"
if [[ ! -x "$venv/bin/python" || ! -f "$stamp" || "$(cat "$stamp")" != "$want" ]]; then
  echo "pipelines: creating venv $venv from $req"
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check --no-input -r "$req"
  echo "$want" >"$stamp"
fi
"$venv/bin/python" --version

echo "pipelines: retraining readmission v1+v2 and comparing with the committed artifacts"
"$venv/bin/python" "$repo/pipelines/check_model.py" --models "$repo/service/models/readmission"

if [[ -f "$repo/pipelines/drift_fixtures.py" ]]; then
  echo "pipelines: recomputing SciPy drift fixtures and diffing with the committed ones"
  "$venv/bin/python" "$repo/pipelines/drift_fixtures.py" --check "$repo/service/test/fixtures/drift"
fi

if [[ -n "${CI_ENV_FILE:-}" ]]; then
  echo "PIPELINES_PYTHON=$venv/bin/python" >>"$CI_ENV_FILE"
fi
echo "pipelines: OK"
