import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { TerraformStack, Testing } from "cdktf";
import { Construct } from "constructs";
import { describe, expect, it } from "vitest";
import { type KafkaConfigInput, type KafkaOutputs, kafkaAddOn } from "../../../../../constructs/addons/kafka";
import { servingAccess } from "../../../../../constructs/addons/serving/access";
import { type AddOn, type AddOnContext, deployAddOns } from "../../../../../constructs/core";
import { PlatformNamespace } from "../../../../../constructs/core/platform-namespace";
import { applyRulePack, formatFinding } from "../../../../../constructs/policy";
import { externalSecretsStub, monitoringStub } from "../../../../support/addons";
import { baseAddOnContext } from "../../../../support/cluster";
import { baseOptions, LAKE } from "./support";

/** The access objects (and the Kafka add-on they use) in a stack, under the kit's rule pack. */
function pack(kafka: KafkaConfigInput, roleMode: "pod-identity" | "irsa", environment: string) {
  const app = Testing.app();
  const stack = new TerraformStack(app, "serving");
  new AwsProvider(stack, "aws", { region: "eu-west-1" });
  const base = baseAddOnContext(stack);
  const serving: AddOn<unknown> = {
    id: "serving",
    dependsOn: ["kafka"],
    deploy: (c: AddOnContext) => {
      const namespace = new PlatformNamespace(c.scope, "Namespace", {
        name: "serving",
        provider: c.cluster.kubernetesProvider,
      });
      return servingAccess(c, {
        ...baseOptions(namespace),
        roleMode,
        kafka: c.outputsOf<KafkaOutputs>("kafka"),
      });
    },
  };
  deployAddOns(
    new Construct(stack, "AddOns"),
    { ...base, dataLake: LAKE, platform: { ...base.platform, environment } },
    [kafkaAddOn(kafka), externalSecretsStub, monitoringStub, serving],
  );
  return applyRulePack(app, { environment, failOnError: false });
}

describe("servingAccess under the rule pack", () => {
  for (const [name, kafka, mode] of [
    ["Strimzi SCRAM, Pod Identity", { strimzi: { authentication: "scram-sha-512" } }, "pod-identity"],
    ["Strimzi mTLS, IRSA", { strimzi: { authentication: "tls" } }, "irsa"],
    ["MSK, Pod Identity", { mode: "msk" }, "pod-identity"],
  ] as const) {
    for (const env of ["dev", "prod"]) {
      it(`${name} (${env}): no error-level finding besides the test stack's local backend`, () => {
        const findings = pack(kafka, mode, env);
        const errors = findings.unsuppressed("error").filter((f) => f.ruleId !== "MLOPS-STATE-002");
        expect(errors.map(formatFinding)).toEqual([]);
        // The serving role, its policy and the NetworkPolicies are among what the pack looked at.
        const index = findings.index();
        expect(index.ofType("aws_iam_role").map((v) => v.config.description)).toContain(
          `${mode} role for serving/model-server`,
        );
        expect(index.ofType("kubernetes_network_policy_v1").length).toBeGreaterThanOrEqual(6);
      });
    }
  }
});
