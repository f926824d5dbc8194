#!/usr/bin/env bash
# Fetches the pinned OpenSearch server jars and two of its modules from Maven Central and lays them out as an
# OpenSearch home (lib/, modules/<name>/ with the plugin-descriptor.properties and security policy that the
# distribution's zips would carry, since Maven Central has the modules only as bare jars). Prints the home dir.
# Idempotent: a stamp holding this script's and the pom's hash marks a complete fetch.
#   OPENSEARCH_CACHE_DIR   cache root (default: $HOME/.cache/mlops-kit)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
pom="$here/pom.xml"
version="$(sed -n 's:.*<opensearch.version>\(.*\)</opensearch.version>.*:\1:p' "$pom")"
[[ -n "$version" ]] || { echo "fetch.sh: no <opensearch.version> in $pom" >&2; exit 1; }

root="${OPENSEARCH_CACHE_DIR:-${HOME:-/root}/.cache/mlops-kit}/opensearch-$version"
home="$root/home"
stamp="$root/.complete"
want="$(cat "$pom" "${BASH_SOURCE[0]}" | sha256sum | cut -d' ' -f1)"

if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" && -f "$home/lib/opensearch-$version.jar" ]]; then
  echo "fetch.sh: OpenSearch $version already in $home" >&2
  echo "$home"
  exit 0
fi
command -v mvn >/dev/null || { echo "fetch.sh: mvn not found (apt-get install maven)" >&2; exit 1; }
echo "fetch.sh: fetching OpenSearch $version jars into $home" >&2
# Build in a fresh dir and swap it in, so an interrupted fetch never looks complete.
work="$root/home.partial"
rm -rf "$work"
mkdir -p "$work/jars" "$work/lib" "$work/bin" "$work/plugins"
mvn -q -B -Dstyle.color=never -f "$pom" dependency:copy-dependencies -DoutputDirectory="$work/jars" >&2

# module <name> <classname> <jar glob>...: moves a module's jars (its own and the dependencies only it has)
# into modules/<name>/ and writes the descriptor the server reads to load it.
module() {
  local name="$1" classname="$2"
  shift 2
  local dir="$work/modules/$name"
  mkdir -p "$dir"
  for glob in "$@"; do
    compgen -G "$work/jars/$glob" >/dev/null || { echo "fetch.sh: no jar $glob for module $name" >&2; exit 1; }
    mv "$work"/jars/$glob "$dir/"
  done
  printf '%s\n' "description=$name (laid out from Maven Central jars for tests)" "version=$version" \
    "name=$name" "classname=$classname" "java.version=11" "opensearch.version=$version" \
    >"$dir/plugin-descriptor.properties"
}
module transport-netty4 org.opensearch.transport.Netty4Plugin 'transport-netty4-client-*.jar' 'netty-*.jar'
# Netty opens and accepts sockets and sets its threads' context class loader; the server's security manager
# grants a module only what its policy file says.
cat >"$work/modules/transport-netty4/plugin-security.policy" <<'POLICY'
grant {
  permission java.net.SocketPermission "*", "accept,connect";
  permission java.lang.RuntimePermission "setContextClassLoader";
  permission java.io.FilePermission "/proc/sys/net/core/somaxconn", "read";
};
POLICY
# The distribution's ingest-common also extends lang-painless (for its script processor); the kit's pipelines
# use no scripts, so painless is left out and the module's painless whitelist is simply not loaded.
module ingest-common org.opensearch.ingest.common.IngestCommonPlugin 'ingest-common-*.jar' \
  'opensearch-grok-*.jar' 'opensearch-dissect-*.jar' 'joni-*.jar' 'jcodings-*.jar'
mv "$work"/jars/*.jar "$work/lib/"
rmdir "$work/jars"

rm -rf "$home"
mv "$work" "$home"
echo "$want" >"$stamp"
echo "fetch.sh: $(ls "$home/lib" | wc -l) jars in $home/lib, modules: $(ls "$home/modules" | tr '\n' ' ')" >&2
echo "$home"
