#!/usr/bin/env bash
# Fetches the pinned Apache Kafka broker jars (KRaft-only, 4.x) and their runtime dependencies from Maven
# Central into a cache dir outside the repo, and prints that dir. Idempotent: a stamp holding the pom's hash
# marks a complete fetch, so a second run does nothing.
#   KAFKA_CACHE_DIR   cache root (default: $HOME/.cache/mlops-kit)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
pom="$here/pom.xml"
version="$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$pom")"
[[ -n "$version" ]] || { echo "fetch.sh: no <kafka.version> in $pom" >&2; exit 1; }

root="${KAFKA_CACHE_DIR:-${HOME:-/root}/.cache/mlops-kit}/kafka-$version"
libs="$root/libs"
stamp="$root/.complete"
want="$(sha256sum "$pom" | cut -d' ' -f1)"

if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" && -f "$libs/kafka_2.13-$version.jar" ]]; then
  echo "fetch.sh: Kafka $version jars already in $libs" >&2
else
  command -v mvn >/dev/null || { echo "fetch.sh: mvn not found (apt-get install maven)" >&2; exit 1; }
  echo "fetch.sh: fetching Kafka $version jars into $libs" >&2
  # Copy into a fresh dir and swap it in, so an interrupted fetch never looks complete.
  rm -rf "$root/libs.partial"
  mkdir -p "$root"
  mvn -q -B -Dstyle.color=never -f "$pom" dependency:copy-dependencies -DoutputDirectory="$root/libs.partial" >&2
  rm -rf "$libs"
  mv "$root/libs.partial" "$libs"
  echo "$want" >"$stamp"
  echo "fetch.sh: $(ls "$libs" | wc -l) jars in $libs" >&2
fi
echo "$libs"
