/**
 * MSK IAM tokens offline: the AWS signer library with credentials from the default chain (fixed keys in the
 * environment, as IRSA's web identity would hand out), the token decoded and its SigV4 signature checked by
 * an independent implementation, and the provider's caching and refresh before expiry.
 */
import { createHash, createHmac } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mskIamTokenProvider } from "../../src/feedback/msk-iam";

const KEYS = {
  AWS_ACCESS_KEY_ID: "AKIDTESTMSKIAM000001",
  AWS_SECRET_ACCESS_KEY: "test/secret/key/for/msk/iam/signing/0000",
};
const saved: Record<string, string | undefined> = {};
const ENV = [...Object.keys(KEYS), "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_EC2_METADATA_DISABLED"];

beforeEach(() => {
  for (const k of ENV) saved[k] = process.env[k];
  Object.assign(process.env, KEYS, { AWS_EC2_METADATA_DISABLED: "true" });
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
});
afterEach(() => {
  for (const k of ENV) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
});

/** RFC 3986 encoding, as SigV4 canonical queries use. */
const enc = (s: string) =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
const hmac = (key: string | Buffer, data: string) => createHmac("sha256", key).update(data).digest();
const sha256 = (data: string) => createHash("sha256").update(data).digest("hex");

/** SigV4 signature of a presigned GET on `url` (signed headers: host), recomputed from scratch. */
function expectedSignature(url: URL, secret: string): string {
  const query = [...url.searchParams]
    .filter(([k]) => k !== "X-Amz-Signature" && k !== "User-Agent")
    .map(([k, v]) => [enc(k), enc(v)])
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join("&");
  const canonical = ["GET", "/", query, `host:${url.host}`, "", "host", sha256("")].join("\n");
  const amzDate = url.searchParams.get("X-Amz-Date") ?? "";
  const [, date, region, service] = (url.searchParams.get("X-Amz-Credential") ?? "").split("/");
  const scope = `${date}/${region}/${service}/aws4_request`;
  const toSign = ["AWS4-HMAC-SHA256", amzDate, scope, sha256(canonical)].join("\n");
  const key = hmac(
    hmac(hmac(hmac(`AWS4${secret}`, date ?? ""), region ?? ""), service ?? ""),
    "aws4_request",
  );
  return createHmac("sha256", key).update(toSign).digest("hex");
}

function decode(token: string): URL {
  expect(token).toMatch(/^[A-Za-z0-9_-]+$/); // base64url, no padding
  return new URL(Buffer.from(token, "base64url").toString("utf8"));
}

describe("MSK IAM OAUTHBEARER token", () => {
  it("is a presigned kafka-cluster:Connect URL for the region's host, signed with the default chain's keys", async () => {
    const before = Date.now();
    const { value } = await mskIamTokenProvider({ region: "eu-west-1" })();
    const url = decode(value);
    expect(url.protocol).toBe("https:");
    expect(url.host).toBe("kafka.eu-west-1.amazonaws.com");
    expect(url.pathname).toBe("/");
    const q = url.searchParams;
    expect(q.get("Action")).toBe("kafka-cluster:Connect");
    expect(q.get("X-Amz-Algorithm")).toBe("AWS4-HMAC-SHA256");
    expect(q.get("X-Amz-Expires")).toBe("900");
    expect(q.get("X-Amz-SignedHeaders")).toBe("host");
    expect(q.get("X-Amz-Security-Token")).toBeNull();
    const amzDate = q.get("X-Amz-Date") ?? "";
    expect(amzDate).toMatch(/^\d{8}T\d{6}Z$/);
    const signedAt = Date.parse(
      amzDate.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, "$1-$2-$3T$4:$5:$6Z"),
    );
    expect(Math.abs(signedAt - before)).toBeLessThan(60_000);
    expect(q.get("X-Amz-Credential")).toBe(
      `${KEYS.AWS_ACCESS_KEY_ID}/${amzDate.slice(0, 8)}/eu-west-1/kafka-cluster/aws4_request`,
    );
    expect(q.get("User-Agent")).toMatch(/^aws-msk-iam-sasl-signer-js\//);
    expect(q.get("X-Amz-Signature")).toBe(expectedSignature(url, KEYS.AWS_SECRET_ACCESS_KEY));
    // The check is real: another secret gives another signature.
    expect(q.get("X-Amz-Signature")).not.toBe(expectedSignature(url, `${KEYS.AWS_SECRET_ACCESS_KEY}x`));
  });

  it("carries the session token of temporary credentials (IRSA, Pod Identity) inside the signature", async () => {
    process.env.AWS_SESSION_TOKEN = "FwoGZXIvYXdzEXAMPLEsessionTOKEN//+==";
    const url = decode((await mskIamTokenProvider({ region: "us-east-1" })()).value);
    expect(url.host).toBe("kafka.us-east-1.amazonaws.com");
    expect(url.searchParams.get("X-Amz-Security-Token")).toBe(process.env.AWS_SESSION_TOKEN);
    expect(url.searchParams.get("X-Amz-Signature")).toBe(expectedSignature(url, KEYS.AWS_SECRET_ACCESS_KEY));
  });

  it("fails when the default chain finds no credentials, naming no key", async () => {
    delete process.env.AWS_ACCESS_KEY_ID;
    delete process.env.AWS_SECRET_ACCESS_KEY;
    process.env.AWS_PROFILE = "no-such-profile-for-msk-test";
    await expect(mskIamTokenProvider({ region: "eu-west-1" })()).rejects.toThrow(/credential|profile/i);
  });
});

describe("MSK IAM token provider", () => {
  function fakeSigner(lifetimeMs: number, clock: { t: number }) {
    const calls: number[] = [];
    const generate = async () => {
      calls.push(clock.t);
      await new Promise((r) => setTimeout(r, 5));
      return { token: `token-${calls.length}`, expiryTime: clock.t + lifetimeMs };
    };
    return { generate, calls };
  }

  it("reuses a token until a minute before it expires, then signs a new one", async () => {
    const clock = { t: 1_000_000 };
    const { generate, calls } = fakeSigner(900_000, clock);
    const provide = mskIamTokenProvider({ region: "eu-west-1", generate, now: () => clock.t });
    expect(await provide()).toEqual({ value: "token-1" });
    clock.t += 839_999; // 60.001 s left
    expect(await provide()).toEqual({ value: "token-1" });
    clock.t += 1; // 60 s left: refresh
    expect(await provide()).toEqual({ value: "token-2" });
    expect(calls).toEqual([1_000_000, 1_840_000]);
  });

  it("refreshes a short-lived token (credentials about to expire) at half its lifetime", async () => {
    const clock = { t: 0 };
    const { generate } = fakeSigner(30_000, clock);
    const provide = mskIamTokenProvider({ region: "eu-west-1", generate, now: () => clock.t });
    expect((await provide()).value).toBe("token-1");
    clock.t = 14_999;
    expect((await provide()).value).toBe("token-1");
    clock.t = 15_000;
    expect((await provide()).value).toBe("token-2");
  });

  it("signs once for connections authenticating at the same time", async () => {
    const clock = { t: 0 };
    const { generate, calls } = fakeSigner(900_000, clock);
    const provide = mskIamTokenProvider({ region: "eu-west-1", generate, now: () => clock.t });
    const tokens = await Promise.all([provide(), provide(), provide()]);
    expect(tokens.map((t) => t.value)).toEqual(["token-1", "token-1", "token-1"]);
    expect(calls).toHaveLength(1);
  });

  it("fails when signing fails, and tries again on the next connection", async () => {
    let fail = true;
    const provide = mskIamTokenProvider({
      region: "eu-west-1",
      generate: async () => {
        if (fail) throw new Error("no web identity token file");
        return { token: "ok", expiryTime: Date.now() + 900_000 };
      },
    });
    await expect(provide()).rejects.toThrow("no web identity token file");
    fail = false;
    expect(await provide()).toEqual({ value: "ok" });
  });
});
