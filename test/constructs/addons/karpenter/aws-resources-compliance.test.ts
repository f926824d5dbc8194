import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { type App, TerraformStack, Testing } from "cdktf";
import { describe, expect, it } from "vitest";
import { KarpenterAwsResources } from "../../../../constructs/addons/karpenter/aws-resources";
import { applyRulePack, formatFinding } from "../../../../constructs/policy";
import { checkovBin, requireCheckov, scanWithCheckov } from "../../../support/checkov";
import { testClusterContext } from "../../../support/cluster";

// The construct on its own under the rule pack and the kit's checkov scan (skip list included), until the
// Karpenter add-on puts it into the platform synth that test/policy/checkov.test.ts scans.

function buildStacks(app: App, environments: readonly string[]): void {
  for (const env of environments) {
    const stack = new TerraformStack(app, `acme-${env}-platform`);
    new AwsProvider(stack, "aws", { region: "eu-west-1" });
    new KarpenterAwsResources(stack, "Karpenter", {
      cluster: testClusterContext(stack),
      namespace: "karpenter",
      serviceAccountName: "karpenter",
    });
  }
}

describe("KarpenterAwsResources under the rule pack", () => {
  for (const environment of ["dev", "prod"]) {
    it(`has zero error-level findings in ${environment} besides the test stack's local backend`, () => {
      const app = Testing.app();
      buildStacks(app, [environment]);
      const pack = applyRulePack(app, { environment, failOnError: false });
      Testing.synth(app.node.findChild(`acme-${environment}-platform`) as TerraformStack);
      const errors = pack.unsuppressed("error").filter((f) => f.ruleId !== "MLOPS-STATE-002");
      expect(errors.map(formatFinding)).toEqual([]);
      expect(pack.index().views.length).toBeGreaterThan(10);
    });
  }
});

requireCheckov("Karpenter AWS resources checkov scan");

describe.skipIf(!checkovBin)("KarpenterAwsResources under checkov", () => {
  it("has zero failures in dev and prod stacks; the only skips are the kit-wide key-policy ones", () => {
    const run = scanWithCheckov("karpenter", (app) => buildStacks(app, ["dev", "prod"]));
    expect(run.stderr).toBe("");
    // Skipped: CKV_AWS_109/111/356 on the queue key's policy (…/Key/Policy, Resource "*" is the key itself).
    expect(run.stdout).toMatch(
      /karpenter\/acme-dev-platform\s+passed\s+[1-9]\d*\s+failed\s+0\s+skipped\s+3\b/,
    );
    expect(run.stdout).toMatch(
      /karpenter\/acme-prod-platform\s+passed\s+[1-9]\d*\s+failed\s+0\s+skipped\s+3\b/,
    );
    expect(run.status).toBe(0);
  }, 300_000);
});
