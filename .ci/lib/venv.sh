# Sourced by .ci/steps/*.sh (bash, set -euo pipefail): a Python venv built from one pinned requirements file.
# Not a step of its own: .ci/run only runs .ci/steps/*.sh.

# pip itself is pinned too, so two machines resolve the same wheels.
CI_VENV_PIP_VERSION="${CI_VENV_PIP_VERSION:-26.3}"

# Installs python3 and the venv module from Debian when either is missing (a bare python3 lacks ensurepip).
ensure_python_venv() {
  if ! command -v python3 >/dev/null 2>&1 || ! python3 -c "import venv, ensurepip" >/dev/null 2>&1; then
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends python3 python3-venv
  fi
}

# venv_from_requirements VENV REQUIREMENTS [EXECUTABLE...]
# Creates or updates VENV from REQUIREMENTS. Idempotent: reuses the venv while the requirements file's
# sha256 matches the stamp left by the last install and every EXECUTABLE (names under VENV/bin) exists.
venv_from_requirements() {
  local venv="$1" requirements="$2"
  shift 2
  local stamp="${venv}/.requirements.sha256" want exe fresh=1
  want="$(sha256sum "${requirements}" | cut -d' ' -f1)"
  [[ -f "${stamp}" && "$(cat "${stamp}")" == "${want}" ]] || fresh=0
  for exe in "$@"; do
    [[ -x "${venv}/bin/${exe}" ]] || fresh=0
  done
  if ((fresh)); then return 0; fi
  ensure_python_venv
  python3 -m venv "${venv}"
  "${venv}/bin/pip" install --quiet --disable-pip-version-check --upgrade "pip==${CI_VENV_PIP_VERSION}"
  "${venv}/bin/pip" install --quiet --disable-pip-version-check -r "${requirements}"
  echo "${want}" >"${stamp}"
}
