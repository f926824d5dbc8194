import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { App, TerraformStack } from "cdktf";
import { describe, expect, it } from "vitest";
// @ts-expect-error plain ESM script without types
import { constructPath, loadSkips } from "../../.ci/checkov/scan.mjs";
import { failWhenMissingInCi } from "../support/ci";

const ROOT = join(import.meta.dirname, "..", "..");
const SCAN = join(ROOT, ".ci", "checkov", "scan.mjs");

function findCheckov(): string | undefined {
  const candidates = [process.env.CHECKOV_BIN, "/opt/mlops-ci/checkov-venv/bin/checkov"].filter(
    Boolean,
  ) as string[];
  return candidates.find((c) => existsSync(c));
}
const checkov = findCheckov();

describe("checkov skip list (.ci/checkov/skips.yaml)", () => {
  it("is valid: checkov ids, path regexes, a kind and a written reason for every entry", () => {
    const { skips, problems } = loadSkips();
    expect(problems).toEqual([]);
    expect(skips.length).toBeGreaterThan(0);
    for (const s of skips) {
      expect(["false-positive", "trade-off"]).toContain(s.kind);
      expect(s.reason.length).toBeGreaterThanOrEqual(40);
    }
  });

  it("scopes the log-retention trade-off to non-prod stacks and the KMS false positives to key policies", () => {
    const { skips } = loadSkips();
    const matches = (check: string, path: string) =>
      skips.some(
        (s: { check: string; regexes: RegExp[] }) => s.check === check && s.regexes.some((r) => r.test(path)),
      );
    expect(matches("CKV_AWS_338", "mlops-dev-foundation/Cluster/LogGroup")).toBe(true);
    expect(matches("CKV_AWS_338", "acme-prod-foundation/Cluster/LogGroup")).toBe(false);
    expect(matches("CKV_AWS_111", "mlops-dev-foundation/DataLake/Key/Policy")).toBe(true);
    expect(matches("CKV_AWS_111", "mlops-dev-platform/AddOns/x/RolePolicyDocument")).toBe(false);
  });

  it("reads the construct path from checkov's code block", () => {
    expect(
      constructPath({ code_block: [[3, '            "path": "stack/DataLake/RawBucket/Resource",\n']] }),
    ).toBe("stack/DataLake/RawBucket/Resource");
  });
});

if (!checkov) {
  console.warn(
    [
      "",
      "!".repeat(100),
      "!! SKIPPED checkov scan tests: no checkov found ($CHECKOV_BIN or /opt/mlops-ci/checkov-venv/bin/checkov).",
      "!! Run .ci/steps/checkov.sh (installs the pinned checkov) and set CHECKOV_BIN.",
      "!".repeat(100),
      "",
    ].join("\n"),
  );
}

failWhenMissingInCi("checkov scan", !checkov && "checkov not found (bash .ci/steps/checkov.sh)");

describe.skipIf(!checkov)("checkov scan (.ci/checkov/scan.mjs)", () => {
  it("fails when a stack has a failed check outside the skip list, naming check, resource and construct path", () => {
    const outdir = mkdtempSync(join(tmpdir(), "checkov-"));
    try {
      const app = new App({ outdir });
      const stack = new TerraformStack(app, "fixture");
      new AwsProvider(stack, "aws", { region: "eu-west-1" });
      new S3Bucket(stack, "Plain", { bucket: "plain-fixture-bucket" });
      app.synth();
      const run = spawnSync(process.execPath, [SCAN, `fixture=${outdir}`], {
        cwd: ROOT,
        encoding: "utf8",
        env: { ...process.env, CHECKOV_BIN: checkov },
        timeout: 120_000,
      });
      expect(run.status).toBe(1);
      expect(run.stdout).toMatch(/fixture\/fixture\s+passed\s+\d+\s+failed\s+[1-9]\d*\s+skipped\s+0/);
      expect(run.stderr).toContain("CKV_AWS_145 aws_s3_bucket.Plain (fixture/Plain)");
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  }, 150_000);
});
