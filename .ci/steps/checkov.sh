#!/usr/bin/env bash
# Installs checkov (pinned) into its own virtualenv and tells CI where it is (CHECKOV_BIN).
# Idempotent: an existing venv with the pinned version is reused.
set -euo pipefail
CHECKOV_VERSION="3.3.30"
VENV="${CHECKOV_VENV:-/opt/mlops-ci/checkov-venv}"

if ! command -v python3 >/dev/null || ! python3 -c 'import venv, ensurepip' 2>/dev/null; then
  apt-get update
  apt-get install -y --no-install-recommends python3 python3-venv
fi
if [ ! -x "$VENV/bin/checkov" ] || [ "$("$VENV/bin/checkov" --version 2>/dev/null)" != "$CHECKOV_VERSION" ]; then
  rm -rf "$VENV"
  mkdir -p "$(dirname "$VENV")"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check --no-input "checkov==${CHECKOV_VERSION}"
fi
echo "checkov $("$VENV/bin/checkov" --version) at $VENV/bin/checkov"
if [ -n "${CI_ENV_FILE:-}" ]; then
  echo "CHECKOV_BIN=$VENV/bin/checkov" >>"$CI_ENV_FILE"
fi
