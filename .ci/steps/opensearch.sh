#!/usr/bin/env bash
# CI step for the log backend round trip: Java 17 + Maven from Debian 12, then the pinned OpenSearch server jars
# and modules from Maven Central laid out as an OpenSearch home (scripts/opensearch/fetch.sh, idempotent, cached
# in ~/.m2 and ~/.cache). Exports OPENSEARCH_HOME_DIR and OPENSEARCH_REQUIRED=1 via $CI_ENV_FILE.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

# shellcheck source=../../scripts/jvm/ensure-java-maven.sh
. scripts/jvm/ensure-java-maven.sh

dir="$(bash scripts/opensearch/fetch.sh)"
if [[ -n "${CI_ENV_FILE:-}" ]]; then
  echo "OPENSEARCH_HOME_DIR=$dir" >>"$CI_ENV_FILE"
  # With the home laid out, the round trip must run: a node that cannot start then fails instead of skipping.
  echo "OPENSEARCH_REQUIRED=1" >>"$CI_ENV_FILE"
fi
echo "opensearch.sh: OPENSEARCH_HOME_DIR=$dir"
