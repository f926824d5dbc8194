import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { TerraformStack, Testing } from "cdktf";
import { describe, expect, it } from "vitest";
import { OpenSearchServiceDomain } from "../../../../../constructs/addons/logging/opensearch-service";
import { applyRulePack, formatFinding } from "../../../../../constructs/policy";
import { domainProps } from "./support";

function packFor(environment: string) {
  const app = Testing.app();
  const stack = new TerraformStack(app, `acme-${environment}-platform`);
  new AwsProvider(stack, "aws", { region: "eu-west-1" });
  new OpenSearchServiceDomain(
    stack,
    "Logging",
    domainProps({}, { namePrefix: `acme-${environment}`, production: environment === "prod" }),
  );
  const pack = applyRulePack(app, { environment, failOnError: false });
  Testing.synth(stack);
  return pack;
}

describe("OpenSearch Service domain under the kit's rule pack", () => {
  for (const env of ["dev", "prod"]) {
    it(`${env}: no error or warning findings besides the test stack's local backend`, () => {
      const pack = packFor(env);
      const findings = [...pack.unsuppressed("error"), ...pack.unsuppressed("warning")].filter(
        (f) => f.ruleId !== "MLOPS-STATE-002",
      );
      expect(findings.map(formatFinding)).toEqual([]);
      // The log groups are among what the pack checked (MLOPS-LOG-001/002 see them).
      expect(pack.index().views.filter((v) => v.type === "aws_cloudwatch_log_group")).toHaveLength(4);
    });
  }
});
