import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { describe, expect, it } from "vitest";
import { deployAddOns } from "../../../../../constructs/core";
import { checkovBin, requireCheckov, scanWithCheckov } from "../../../../support/checkov";
import { baseAddOnContext } from "../../../../support/cluster";
import { loggingProbe } from "./support";

// The domain on its own under the kit's checkov scan (skip list included), until the logging add-on wires it
// into the platform synth that test/policy/checkov.test.ts scans.
requireCheckov("OpenSearch Service checkov scan");

describe.skipIf(!checkovBin)("OpenSearch Service domain under checkov", () => {
  it("has zero unsuppressed failures in dev and prod stacks (domain and bootstrap Job), prod without any skip", () => {
    const run = scanWithCheckov("aos", (app) => {
      for (const env of ["dev", "prod"]) {
        const stack = new TerraformStack(app, `acme-${env}-platform`);
        new AwsProvider(stack, "aws", { region: "eu-west-1" });
        const base = baseAddOnContext(stack);
        // At the path the logging add-on builds it (AddOns/logging/…), which the non-prod trade-offs scope to.
        deployAddOns(
          new Construct(stack, "AddOns"),
          { ...base, platform: { ...base.platform, environment: env } },
          [loggingProbe(undefined, { namePrefix: `acme-${env}`, production: env === "prod" })],
        );
      }
    });
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/aos\/acme-dev-platform\s+passed\s+[1-9]\d*\s+failed\s+0\s+skipped\s+2\b/);
    expect(run.stdout).toMatch(/aos\/acme-prod-platform\s+passed\s+[1-9]\d*\s+failed\s+0\s+skipped\s+0\b/);
  }, 300_000);
});
