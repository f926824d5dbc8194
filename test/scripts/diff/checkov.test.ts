import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EcrRepository } from "@cdktf/provider-aws/lib/ecr-repository";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { App, TerraformStack } from "cdktf";
import { afterAll, describe, expect, it } from "vitest";
import { checkovDelta, checkovFindings } from "../../../scripts/diff/checkov";
import { checkovBin, requireCheckov } from "../../support/checkov";

/** The checkov delta on two outputs of one stack: an ECR repository whose tags become mutable. */
requireCheckov("diff: checkov delta");

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function synth(tags: "IMMUTABLE" | "MUTABLE"): string {
  const outdir = mkdtempSync(join(tmpdir(), "mlops-diff-checkov-"));
  dirs.push(outdir);
  const app = new App({ outdir });
  const stack = new TerraformStack(app, "demo-dev-foundation");
  new AwsProvider(stack, "aws", { region: "eu-west-1" });
  new EcrRepository(stack, "Images", {
    name: "images",
    imageTagMutability: tags,
    imageScanningConfiguration: { scanOnPush: true },
    encryptionConfiguration: [{ encryptionType: "KMS", kmsKey: "arn:aws:kms:eu-west-1:123456789012:key/x" }],
  });
  app.synth();
  return outdir;
}

describe.skipIf(!checkovBin)("checkov delta", () => {
  const bin = checkovBin as string;
  const immutable = () => checkovFindings(bin, synth("IMMUTABLE"));
  const mutable = () => checkovFindings(bin, synth("MUTABLE"));

  it("lists the check the change makes fail (CKV_AWS_51, mutable tags) at the construct, nothing removed", () => {
    const delta = checkovDelta(immutable(), mutable());
    expect(delta.added).toEqual([
      { checkId: "CKV_AWS_51", file: "demo-dev-foundation", resource: "demo-dev-foundation/Images" },
    ]);
    expect(delta.removed).toEqual([]);
  }, 240_000);

  it("lists it as removed when the change fixes it", () => {
    const delta = checkovDelta(mutable(), immutable());
    expect(delta.removed.map((f) => f.checkId)).toEqual(["CKV_AWS_51"]);
    expect(delta.added).toEqual([]);
  }, 240_000);
});
