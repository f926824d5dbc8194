import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { TerraformStack, Testing } from "cdktf";
import { Construct } from "constructs";
import { describe, expect, it } from "vitest";
import { deployAddOns } from "../../../../../constructs/core";
import { applyRulePack, formatFinding } from "../../../../../constructs/policy";
import { baseAddOnContext } from "../../../../support/cluster";
import { loggingProbe } from "./support";

function packFor(environment: string) {
  const app = Testing.app();
  const stack = new TerraformStack(app, `acme-${environment}-platform`);
  new AwsProvider(stack, "aws", { region: "eu-west-1" });
  const base = baseAddOnContext(stack);
  deployAddOns(new Construct(stack, "AddOns"), { ...base, platform: { ...base.platform, environment } }, [
    loggingProbe(undefined, { namePrefix: `acme-${environment}`, production: environment === "prod" }),
  ]);
  const pack = applyRulePack(app, { environment, failOnError: false });
  Testing.synth(stack);
  return pack;
}

describe("OpenSearch Service domain and bootstrap Job under the kit's rule pack", () => {
  for (const env of ["dev", "prod"]) {
    it(`${env}: no error or warning findings besides the test stack's local backend`, () => {
      const pack = packFor(env);
      const findings = [...pack.unsuppressed("error"), ...pack.unsuppressed("warning")].filter(
        (f) => f.ruleId !== "MLOPS-STATE-002",
      );
      expect(findings.map(formatFinding)).toEqual([]);
      // What the pack checked: the log groups (MLOPS-LOG-001/002) and the Job (MLOPS-K8S-001/002).
      expect(pack.index().ofType("aws_cloudwatch_log_group")).toHaveLength(4);
      expect(pack.index().ofType("kubernetes_job_v1")).toHaveLength(1);
    });
  }
});
