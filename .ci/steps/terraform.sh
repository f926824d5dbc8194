#!/usr/bin/env bash
# A Terraform-compatible CLI for the tests that run one on local files only
# (test/constructs/core/state-backend.terraform.test.ts: backends and cross-stack remote-state reads).
# A Terraform >= 1.10 already on PATH is used as it is. Otherwise OpenTofu, pinned, is built from its Go module
# (fetched through the Go module proxy: there is no release download to make offline) into a cache dir outside
# the repo, once: about 5 minutes on 2 cores, then reused. `go install pkg@version` refuses OpenTofu's module
# (its go.mod has a replace directive), so the module is built as the main module from a copy.
# Exports TERRAFORM_BIN via $CI_ENV_FILE.
#   TERRAFORM_CACHE_DIR   cache root (default: $HOME/.cache/mlops-kit)
set -euo pipefail

TOFU_VERSION="1.10.10"
cache="${TERRAFORM_CACHE_DIR:-${HOME:-/root}/.cache/mlops-kit}/opentofu-${TOFU_VERSION}"

# "1.11.4" -> 0 when at least 1.10 (S3 state locking with use_lockfile needs 1.10).
at_least_1_10() {
  local major minor
  IFS=. read -r major minor _ <<<"$1"
  [[ "$major" =~ ^[0-9]+$ && "$minor" =~ ^[0-9]+$ ]] || return 1
  ((major > 1 || (major == 1 && minor >= 10)))
}

bin=""
if command -v terraform >/dev/null 2>&1; then
  version="$(CHECKPOINT_DISABLE=1 terraform version 2>/dev/null | sed -n '1s/^Terraform v\([0-9.]*\).*/\1/p')"
  if at_least_1_10 "$version"; then
    bin="$(command -v terraform)"
    echo "terraform.sh: using Terraform ${version} at ${bin}"
  else
    echo "terraform.sh: Terraform ${version:-of unknown version} on PATH is older than 1.10; using OpenTofu"
  fi
fi

if [[ -z "$bin" ]]; then
  if [[ -x "$cache/tofu" ]] && "$cache/tofu" version | grep -q "^OpenTofu v${TOFU_VERSION}$"; then
    echo "terraform.sh: OpenTofu ${TOFU_VERSION} already built in ${cache}"
  else
    command -v go >/dev/null || { echo "terraform.sh: no Terraform >= 1.10 and no Go toolchain to build OpenTofu" >&2; exit 1; }
    echo "terraform.sh: building OpenTofu ${TOFU_VERSION} from its Go module into ${cache} (a few minutes)"
    module="$(go mod download -json "github.com/opentofu/opentofu@v${TOFU_VERSION}" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')"
    [[ -d "$module" ]] || { echo "terraform.sh: go mod download gave no module dir" >&2; exit 1; }
    src="$(mktemp -d)"
    trap 'rm -rf "$src"' EXIT
    # The module cache is read-only; the build runs in a writable copy.
    cp -r "$module/." "$src"
    chmod -R u+w "$src"
    mkdir -p "$cache"
    (cd "$src" && GOFLAGS=-buildvcs=false go build -trimpath \
      -ldflags "-s -w -X github.com/opentofu/opentofu/version.dev=no" -o "$cache/tofu.partial" ./cmd/tofu)
    # Renamed into place only when complete, so an interrupted build is never taken for a finished one.
    mv "$cache/tofu.partial" "$cache/tofu"
  fi
  bin="$cache/tofu"
fi

CHECKPOINT_DISABLE=1 "$bin" version | head -1
if [[ -n "${CI_ENV_FILE:-}" ]]; then
  echo "TERRAFORM_BIN=$bin" >>"$CI_ENV_FILE"
fi
