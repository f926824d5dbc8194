import type { SecurityApiRequest } from "./access";

/**
 * POSIX sh + curl (>= 7.75 signs with `--aws-sigv4`) that applies the domain's security-plugin requests from
 * inside the VPC, where the private endpoint is reachable:
 *
 * 1. IRSA: trades the projected service account token for the Job role's credentials
 *    (`AssumeRoleWithWebIdentity`, an unsigned STS call, at the regional endpoint).
 * 2. When the FGAC master is another role, assumes it with a SigV4-signed `AssumeRole` (role chaining).
 * 3. PUTs every `<n>.json` of the requests directory to the path in `<n>.path`, signed for `es`, in file order;
 *    any status but 2xx fails the run, except 409 where `<n>.keep-existing` exists (`keepExisting`).
 *
 * Every PUT is idempotent, so the Job may run again. Credentials stay in shell variables, never in files or
 * logs. `STS_URL`/`OPENSEARCH_URL` override the https endpoints, for the loopback test only.
 */
export const BOOTSTRAP_SCRIPT = `#!/bin/sh
set -eu
region="$AWS_REGION"
sts="\${STS_URL:-https://sts.\${region}.amazonaws.com}"
domain="\${OPENSEARCH_URL:-https://\${OPENSEARCH_ENDPOINT}}"
requests="\${REQUESTS_DIR:-/requests}"
retry="--retry \${CURL_RETRIES:-10} --retry-delay 6 --retry-all-errors --connect-timeout 10 --max-time 60"

# The text of the first <name>...</name> element of an STS XML answer.
element() { sed -n "s:.*<$1>\\(.*\\)</$1>.*:\\1:p" | head -n 1; }

credentials() {
  ak=$(printf '%s' "$1" | element AccessKeyId)
  sk=$(printf '%s' "$1" | element SecretAccessKey)
  st=$(printf '%s' "$1" | element SessionToken)
  if [ -z "$ak" ] || [ -z "$sk" ] || [ -z "$st" ]; then echo "no credentials in the STS answer" >&2; exit 1; fi
}

# SigV4-signed curl for a service; the credentials reach curl as a config on stdin, not on its command line.
signed() {
  service="$1"
  shift
  printf 'user = "%s:%s"\\nheader = "x-amz-security-token: %s"\\n' "$ak" "$sk" "$st" |
    curl -sS $retry --aws-sigv4 "aws:amz:\${region}:\${service}" --config - "$@"
}

answer=$(curl -sS --fail-with-body $retry "$sts/" \\
  --data-urlencode "Action=AssumeRoleWithWebIdentity" --data-urlencode "Version=2011-06-15" \\
  --data-urlencode "RoleArn=$AWS_ROLE_ARN" --data-urlencode "RoleSessionName=opensearch-bootstrap" \\
  --data-urlencode "WebIdentityToken@$AWS_WEB_IDENTITY_TOKEN_FILE")
credentials "$answer"

if [ -n "\${MASTER_ROLE_ARN:-}" ] && [ "$MASTER_ROLE_ARN" != "$AWS_ROLE_ARN" ]; then
  answer=$(signed sts --fail-with-body "$sts/" \\
    --data-urlencode "Action=AssumeRole" --data-urlencode "Version=2011-06-15" \\
    --data-urlencode "RoleArn=$MASTER_ROLE_ARN" --data-urlencode "RoleSessionName=opensearch-bootstrap")
  credentials "$answer"
fi

count=0
for file in "$requests"/*.path; do
  path=$(cat "$file")
  echo "PUT $path"
  answer=$(signed es -w '\\n%{http_code}' -H "Content-Type: application/json" -X PUT \\
    --data-binary "@\${file%.path}.json" "$domain$path")
  code=$(printf '%s\\n' "$answer" | tail -n 1)
  printf '%s\\n' "$answer" | sed '$d'
  case "$code" in
    2??) ;;
    409) if [ -e "\${file%.path}.keep-existing" ]; then echo "exists; kept as it is"; else
      echo "HTTP 409 for $path" >&2; exit 1; fi ;;
    *) echo "HTTP $code for $path" >&2; exit 1 ;;
  esac
  count=$((count + 1))
done
echo "applied $count request(s)"
`;

/** The requests as ConfigMap entries `<nn>.path` / `<nn>.json`, numbered so the script keeps their order. */
export function requestFiles(requests: readonly SecurityApiRequest[]): Record<string, string> {
  if (requests.length === 0)
    throw new Error("Invalid requests: got []; expected at least one request to apply");
  if (requests.length > 99) throw new Error(`Invalid requests: got ${requests.length}; expected at most 99`);
  const files: Record<string, string> = {};
  requests.forEach((r, i) => {
    if (r.method !== "PUT" || !/^\/[A-Za-z0-9_./-]+$/.test(r.path)) {
      throw new Error(
        `Invalid requests[${i}]: got ${r.method} ${JSON.stringify(r.path)}; expected PUT of an absolute path of letters, digits and _ . / -`,
      );
    }
    const n = String(i + 1).padStart(2, "0");
    files[`${n}.path`] = r.path;
    files[`${n}.json`] = JSON.stringify(r.body);
    if (r.keepExisting) files[`${n}.keep-existing`] = "";
  });
  return files;
}
