import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  BOOTSTRAP_SCRIPT,
  requestFiles,
  writerSecurityRequests,
} from "../../../../../constructs/addons/logging/opensearch-service";
import { failWhenMissingInCi } from "../../../../support/ci";
import { type Credentials, sigv4Problem } from "./sigv4";
import { WRITER } from "./support";

// The real script with the real curl, against a loopback STS and domain that check every signature
// independently (./sigv4.ts). Only the endpoints are stand-ins: AWS cannot be reached from a test.
const curlVersion = /^curl (\d+)\.(\d+)/.exec(
  spawnSync("curl", ["--version"], { encoding: "utf8" }).stdout ?? "",
);
const curlSigns = curlVersion !== null && Number(curlVersion[1]) * 100 + Number(curlVersion[2]) >= 775;
if (!curlSigns) {
  console.warn(
    `\n${"!".repeat(100)}\n!! SKIPPED bootstrap script tests: no curl >= 7.75 (--aws-sigv4) on PATH.\n${"!".repeat(100)}\n`,
  );
}
failWhenMissingInCi("OpenSearch bootstrap script", !curlSigns && "curl >= 7.75 not found");

const REGION = "eu-west-1";
const JOB_ROLE = "arn:aws:iam::123456789012:role/acme-dev-opensearch-bootstrap";
const MASTER = "arn:aws:iam::123456789012:role/acme-dev-logs-admin";
const TOKEN = "eyJhbGciOiJSUzI1NiJ9.irsa-token.sig";
const JOB_CREDS: Credentials = {
  accessKeyId: "ASIAJOB",
  secretAccessKey: "job/secret+1",
  sessionToken: "job-token==",
};
const MASTER_CREDS: Credentials = {
  accessKeyId: "ASIAMASTER",
  secretAccessKey: "master/secret+2",
  sessionToken: "master-token/x==",
};
const ISM_PATH = "/_plugins/_ism/policies/logs-containers";
const REQUESTS = writerSecurityRequests({ writerRoleArns: [WRITER], indexPatterns: ["logs-containers-*"] });

interface Seen {
  sts: { action: string | null; roleArn: string | null; token: string | null; problem?: string }[];
  domain: { method?: string; path?: string; body: unknown; problem?: string }[];
}

const stsAnswer = (c: Credentials) =>
  `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">\n  <Result>\n    <Credentials>\n` +
  `      <AccessKeyId>${c.accessKeyId}</AccessKeyId>\n      <SecretAccessKey>${c.secretAccessKey}</SecretAccessKey>\n` +
  `      <SessionToken>${c.sessionToken}</SessionToken>\n    </Credentials>\n  </Result>\n</AssumeRoleResponse>\n`;

function read(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
  });
}

describe.skipIf(!curlSigns)("BOOTSTRAP_SCRIPT (sh + curl, loopback STS and domain)", () => {
  let server: Server;
  let base = "";
  let seen: Seen;
  let refusePath: string | undefined;
  let conflictPath: string | undefined;
  let dir = "";

  beforeAll(async () => {
    server = createServer(async (req, res) => {
      const body = await read(req);
      if (req.url === "/sts/") {
        const form = new URLSearchParams(body.toString());
        const action = form.get("Action");
        const entry: Seen["sts"][number] = {
          action,
          roleArn: form.get("RoleArn"),
          token: form.get("WebIdentityToken"),
        };
        if (action === "AssumeRole") entry.problem = sigv4Problem(req, body, JOB_CREDS, REGION, "sts");
        else if (req.headers.authorization) entry.problem = "AssumeRoleWithWebIdentity must not be signed";
        seen.sts.push(entry);
        if (entry.problem) return res.writeHead(403).end(entry.problem);
        return res.writeHead(200).end(stsAnswer(action === "AssumeRole" ? MASTER_CREDS : JOB_CREDS));
      }
      const path = req.url?.replace(/^\/os/, "");
      const creds = seen.sts.some((s) => s.action === "AssumeRole") ? MASTER_CREDS : JOB_CREDS;
      const problem = sigv4Problem(req, body, creds, REGION, "es");
      seen.domain.push({ method: req.method, path, body: JSON.parse(body.toString()), problem });
      if (problem || path === refusePath) return res.writeHead(403).end('{"error":"forbidden"}');
      if (path === conflictPath)
        return res.writeHead(409).end('{"error":"version_conflict_engine_exception"}');
      return res.writeHead(200, { "Content-Type": "application/json" }).end('{"status":"OK"}');
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    dir = mkdtempSync(join(tmpdir(), "os-bootstrap-"));
    writeFileSync(join(dir, "token"), TOKEN);
    writeFileSync(join(dir, "bootstrap.sh"), BOOTSTRAP_SCRIPT);
    mkdirSync(join(dir, "requests"));
    for (const [name, content] of Object.entries(requestFiles(REQUESTS))) {
      writeFileSync(join(dir, "requests", name), content);
    }
    // An ISM policy that may already exist (409 = kept), then the role mapping.
    mkdirSync(join(dir, "ism"));
    const ism = [
      { method: "PUT", path: ISM_PATH, body: { policy: {} }, keepExisting: true },
      REQUESTS[1],
    ] as const;
    for (const [name, content] of Object.entries(requestFiles(ism))) {
      writeFileSync(join(dir, "ism", name), content);
    }
  });
  afterAll(() => {
    server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  function run(
    master: string,
    requests = "requests",
  ): Promise<{ code: number | null; stdout: string; stderr: string }> {
    seen = { sts: [], domain: [] };
    const child = spawn("sh", [join(dir, "bootstrap.sh")], {
      env: {
        PATH: process.env.PATH,
        AWS_REGION: REGION,
        AWS_ROLE_ARN: JOB_ROLE,
        AWS_WEB_IDENTITY_TOKEN_FILE: join(dir, "token"),
        MASTER_ROLE_ARN: master,
        OPENSEARCH_ENDPOINT: "vpc-acme-dev-logs-abc.eu-west-1.es.amazonaws.com",
        STS_URL: `${base}/sts`,
        OPENSEARCH_URL: `${base}/os`,
        REQUESTS_DIR: join(dir, requests),
        CURL_RETRIES: "0",
      },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    return new Promise((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
  }

  it("trades the IRSA token, assumes the master role, and PUTs each request in order, all SigV4-valid", async () => {
    refusePath = undefined;
    const r = await run(MASTER);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(seen.sts).toEqual([
      { action: "AssumeRoleWithWebIdentity", roleArn: JOB_ROLE, token: TOKEN },
      { action: "AssumeRole", roleArn: MASTER, token: null, problem: undefined },
    ]);
    expect(seen.domain).toEqual(
      REQUESTS.map((q) => ({ method: "PUT", path: q.path, body: q.body, problem: undefined })),
    );
    expect(r.stdout).toContain("applied 2 request(s)");
    for (const secret of [
      JOB_CREDS.secretAccessKey,
      MASTER_CREDS.secretAccessKey,
      MASTER_CREDS.sessionToken,
    ]) {
      expect(r.stdout).not.toContain(secret);
    }
  });

  it("signs with the Job role itself when it is the master", async () => {
    refusePath = undefined;
    const r = await run(JOB_ROLE);
    expect(r.code).toBe(0);
    expect(seen.sts.map((s) => s.action)).toEqual(["AssumeRoleWithWebIdentity"]);
    expect(seen.domain.map((d) => d.problem)).toEqual([undefined, undefined]);
  });

  it("keeps an object that exists (409) when the request allows it, and goes on", async () => {
    refusePath = undefined;
    conflictPath = ISM_PATH;
    const r = await run(MASTER, "ism");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("exists; kept as it is");
    expect(seen.domain.map((d) => d.path)).toEqual([ISM_PATH, REQUESTS[1].path]);
  });

  it("fails when a request without keepExisting meets a 409", async () => {
    refusePath = undefined;
    conflictPath = REQUESTS[0].path;
    const r = await run(MASTER);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`HTTP 409 for ${REQUESTS[0].path}`);
    expect(seen.domain).toHaveLength(1);
  });

  it("fails (so the Job retries) when the domain refuses a request, and stops there", async () => {
    conflictPath = undefined;
    refusePath = REQUESTS[0].path;
    const r = await run(MASTER);
    expect(r.code).not.toBe(0);
    expect(seen.domain).toHaveLength(1);
    expect(r.stdout).not.toContain("applied");
  });
});

describe("requestFiles", () => {
  it("numbers path and body files so the script keeps the order", () => {
    expect(Object.keys(requestFiles(REQUESTS))).toEqual(["01.path", "01.json", "02.path", "02.json"]);
    expect(requestFiles([{ ...REQUESTS[0], keepExisting: true }])).toMatchObject({ "01.keep-existing": "" });
    expect(requestFiles(REQUESTS)["02.path"]).toBe("/_plugins/_security/api/rolesmapping/log-writer");
  });

  it("fails when a path could break out of the URL or there is nothing to apply", () => {
    expect(() => requestFiles([{ method: "PUT", path: "/a b?x=1", body: {} }])).toThrow(
      /requests\[0\]: got PUT "\/a b\?x=1"/,
    );
    expect(() => requestFiles([])).toThrow(/requests: got \[\]/);
  });
});
