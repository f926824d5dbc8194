#!/usr/bin/env bash
# The workflow linter for test/github/workflows.test.ts, which runs it over every .github/workflows/*.yml:
# - actionlint, pinned, built from its Go module through the Go module proxy (no release download offline) into
#   a cache dir outside the repo, once (about a minute on 2 cores), then reused;
# - ShellCheck from Debian (pinned), which actionlint runs on every `run:` script when it is on PATH.
# Idempotent. Exports ACTIONLINT_BIN and SHELLCHECK_BIN via $CI_ENV_FILE.
#   ACTIONLINT_CACHE_DIR   cache root (default: $HOME/.cache/mlops-kit)
set -euo pipefail

ACTIONLINT_VERSION="1.7.12"
SHELLCHECK_DEB_VERSION="0.9.0-1"
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cache="${ACTIONLINT_CACHE_DIR:-${HOME:-/root}/.cache/mlops-kit}/actionlint-${ACTIONLINT_VERSION}"
# shellcheck source=../lib/apt.sh
source "${repo_root}/.ci/lib/apt.sh"

if [[ -x "$cache/actionlint" ]] && [[ "$("$cache/actionlint" -version | head -1)" == "$ACTIONLINT_VERSION" ]]; then
  echo "actionlint.sh: actionlint ${ACTIONLINT_VERSION} already built in ${cache}"
else
  command -v go >/dev/null || { echo "actionlint.sh: no Go toolchain to build actionlint" >&2; exit 1; }
  echo "actionlint.sh: building actionlint ${ACTIONLINT_VERSION} from its Go module into ${cache}"
  build="$(mktemp -d)"
  trap 'rm -rf "$build"' EXIT
  # -ldflags sets the version `actionlint -version` prints (a module build would say "(devel)" otherwise).
  GOBIN="$build" GOFLAGS=-buildvcs=false go install -trimpath \
    -ldflags "-s -w -X github.com/rhysd/actionlint.version=${ACTIONLINT_VERSION}" \
    "github.com/rhysd/actionlint/cmd/actionlint@v${ACTIONLINT_VERSION}"
  mkdir -p "$cache"
  # Moved into place only when complete, so an interrupted build is never taken for a finished one.
  mv "$build/actionlint" "$cache/actionlint.partial"
  mv "$cache/actionlint.partial" "$cache/actionlint"
fi
"$cache/actionlint" -version | head -1

apt_install_pinned shellcheck "$SHELLCHECK_DEB_VERSION" shellcheck
shellcheck_bin="$(command -v shellcheck)"
"$shellcheck_bin" --version | sed -n 2p

if [[ -n "${CI_ENV_FILE:-}" ]]; then
  echo "ACTIONLINT_BIN=$cache/actionlint" >>"$CI_ENV_FILE"
  echo "SHELLCHECK_BIN=$shellcheck_bin" >>"$CI_ENV_FILE"
fi
