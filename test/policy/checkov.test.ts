import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { TerraformStack } from "cdktf";
import { describe, expect, it } from "vitest";
// @ts-expect-error plain ESM script without types
import { constructPath, loadSkips } from "../../.ci/checkov/scan.mjs";
import { checkovBin, requireCheckov, scanWithCheckov } from "../support/checkov";

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

requireCheckov("checkov scan tests");

describe.skipIf(!checkovBin)("checkov scan (.ci/checkov/scan.mjs)", () => {
  it("fails when a stack has a failed check outside the skip list, naming check, resource and construct path", () => {
    const run = scanWithCheckov(
      "fixture",
      (app) => {
        const stack = new TerraformStack(app, "fixture");
        new AwsProvider(stack, "aws", { region: "eu-west-1" });
        new S3Bucket(stack, "Plain", { bucket: "plain-fixture-bucket" });
      },
      120_000,
    );
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/fixture\/fixture\s+passed\s+\d+\s+failed\s+[1-9]\d*\s+skipped\s+0/);
    expect(run.stderr).toContain("CKV_AWS_145 aws_s3_bucket.Plain (fixture/Plain)");
  }, 150_000);
});
