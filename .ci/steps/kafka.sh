#!/usr/bin/env bash
# CI step for the Kafka feedback-loop tests: Java 17 + Maven from Debian 12, the openssl CLI (TLS tests), then
# the pinned Kafka broker jars from Maven Central (scripts/kafka/fetch.sh, idempotent). Exports
# KAFKA_CLASSPATH_DIR and KAFKA_REQUIRED=1 via $CI_ENV_FILE.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

# shellcheck source=../../scripts/jvm/ensure-java-maven.sh
. scripts/jvm/ensure-java-maven.sh
# shellcheck source=../lib/apt.sh
. .ci/lib/apt.sh

# The TLS/SCRAM tests make their CA, broker and client certificates with the openssl CLI. It is part of most
# base images, and the system's own copy is kept (replacing it could downgrade a security update); only a
# machine without it gets the pinned Debian 12 package.
command -v openssl >/dev/null || apt_install_pinned openssl "3.0.19-1~deb12u2" openssl
openssl version

dir="$(bash scripts/kafka/fetch.sh)"
if [[ -n "${CI_ENV_FILE:-}" ]]; then
  echo "KAFKA_CLASSPATH_DIR=$dir" >>"$CI_ENV_FILE"
  # With the jars installed, the Kafka tests must run: a missing broker then fails instead of skipping.
  echo "KAFKA_REQUIRED=1" >>"$CI_ENV_FILE"
fi
echo "kafka.sh: KAFKA_CLASSPATH_DIR=$dir"
