import { createHash, createHmac } from "node:crypto";
import type { IncomingMessage } from "node:http";

/**
 * An independent SigV4 check (AWS's "Signature Version 4 signing process"), so the bootstrap script's signed
 * requests are verified the way AWS would, not the way curl computes them.
 */

export interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
}

const AUTH =
  /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/;

const sha256 = (data: string | Buffer) => createHash("sha256").update(data).digest("hex");
const hmac = (key: string | Buffer, data: string) => createHmac("sha256", key).update(data).digest();
const encode = (s: string) =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** Why the request's signature is not valid for these credentials, region and service; undefined when it is. */
export function sigv4Problem(
  req: IncomingMessage,
  body: Buffer,
  creds: Credentials,
  region: string,
  service: string,
): string | undefined {
  const m = AUTH.exec(String(req.headers.authorization ?? ""));
  if (!m) return `no SigV4 Authorization header: ${JSON.stringify(req.headers.authorization)}`;
  const [, keyId, date, signedRegion, signedService, signedHeaders, signature] = m;
  if (keyId !== creds.accessKeyId) return `signed with key ${keyId}, expected ${creds.accessKeyId}`;
  if (signedRegion !== region || signedService !== service) {
    return `scope ${signedRegion}/${signedService}, expected ${region}/${service}`;
  }
  if (req.headers["x-amz-security-token"] !== creds.sessionToken) return "missing or wrong session token";
  const amzDate = String(req.headers["x-amz-date"] ?? "");
  if (!amzDate.startsWith(date)) return `x-amz-date ${amzDate} does not match the scope date ${date}`;
  const headers = signedHeaders.split(";");
  for (const required of ["host", "x-amz-date", "x-amz-security-token"]) {
    if (!headers.includes(required)) return `${required} is not signed (${signedHeaders})`;
  }
  const url = new URL(req.url ?? "/", "http://placeholder");
  const query = [...url.searchParams.entries()]
    .map(([k, v]) => `${encode(k)}=${encode(v)}`)
    .sort()
    .join("&");
  const canonicalHeaders = headers
    .map(
      (h) =>
        `${h}:${String(req.headers[h] ?? "")
          .trim()
          .replace(/\s+/g, " ")}\n`,
    )
    .join("");
  const canonicalRequest = [
    req.method,
    url.pathname,
    query,
    canonicalHeaders,
    signedHeaders,
    sha256(body),
  ].join("\n");
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope, sha256(canonicalRequest)].join("\n");
  let key: Buffer = hmac(`AWS4${creds.secretAccessKey}`, date);
  for (const part of [region, service, "aws4_request"]) key = hmac(key, part);
  const expected = createHmac("sha256", key).update(stringToSign).digest("hex");
  return expected === signature ? undefined : "signature does not match";
}
