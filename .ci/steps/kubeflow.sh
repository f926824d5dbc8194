#!/usr/bin/env bash
# Go toolchain for the Kubeflow Pipelines test that renders the ESO secret template (ML Metadata's config with
# the escaped RDS password) with Go's text/template, as External Secrets does. Only the standard library is used;
# nothing is downloaded by `go run`.
set -euo pipefail

GOLANG_GO_VERSION="2:1.19~1"

if command -v go >/dev/null 2>&1; then
  echo "go already installed: $(go version)"
else
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "golang-go=${GOLANG_GO_VERSION}"
fi

go version
# Standard library only: no module, no download (GOTOOLCHAIN=local stops newer Go from fetching a toolchain).
export GOTOOLCHAIN=local
echo '{"template":"{{ .password | replace \"a\" \"b\" }}","data":{"password":"aa"}}' \
  | go run "$(dirname "$0")/../../test/support/fixtures/render-template.go" | grep -qx bb
echo "go text/template renderer works"

if [ -n "${CI_ENV_FILE:-}" ]; then
  echo "KFP_GO_REQUIRED=1" >>"$CI_ENV_FILE"
fi
