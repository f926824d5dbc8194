import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { TerraformStack, Testing } from "cdktf";
import { Construct } from "constructs";
import { describe, expect, it } from "vitest";
import { airflowAddOn } from "../../constructs/addons/airflow/addon";
import { externalSecretsAddOn } from "../../constructs/addons/external-secrets/addon";
import { gp3StorageClassAddOn } from "../../constructs/addons/gp3-storage-class";
import { kafkaAddOn } from "../../constructs/addons/kafka";
import { kubeflowPipelinesAddOn } from "../../constructs/addons/kubeflow-pipelines/addon";
import { loggingAddOn } from "../../constructs/addons/logging/addon";
import { mlflowAddOn } from "../../constructs/addons/mlflow/addon";
import { NvidiaDevicePluginAddOn } from "../../constructs/addons/nvidia-device-plugin";
import { type AddOn, deployAddOns } from "../../constructs/core";
import { applyRulePack, formatFinding } from "../../constructs/policy";
import { monitoringStub } from "../support/addons";
import { baseAddOnContext } from "../support/cluster";

/** Add-on sets as a configuration would enable them (dependencies included), by environment. */
const SETS: Record<string, (env: string) => AddOn<unknown>[]> = {
  "kafka (msk)": () => [kafkaAddOn({ mode: "msk" })],
  "kafka (strimzi)": () => [kafkaAddOn({ mode: "strimzi" }), monitoringStub],
  "external-secrets": () => [externalSecretsAddOn()],
  mlflow: () => [externalSecretsAddOn(), mlflowAddOn()],
  // Databases default to Multi-AZ in prod; the pack must see no error in either environment.
  airflow: () => [externalSecretsAddOn(), airflowAddOn()],
  "kubeflow-pipelines": () => [externalSecretsAddOn(), kubeflowPipelinesAddOn()],
  "kubeflow-pipelines (in-cluster metadata)": () => [
    externalSecretsAddOn(),
    kubeflowPipelinesAddOn({ metadata: { store: "in-cluster" } }),
  ],
  "nvidia-device-plugin": () => [new NvidiaDevicePluginAddOn()],
  "logging (eck)": () => [externalSecretsAddOn(), gp3StorageClassAddOn(), loggingAddOn(), monitoringStub],
  "logging (opensearch-service)": () => [loggingAddOn({ mode: "opensearch-service" })],
};

function deployWithPack(addOns: AddOn<unknown>[], environment: string) {
  const app = Testing.app();
  const stack = new TerraformStack(app, "addons");
  new AwsProvider(stack, "aws", { region: "eu-west-1" });
  const base = baseAddOnContext(stack);
  deployAddOns(
    new Construct(stack, "AddOns"),
    { ...base, platform: { ...base.platform, environment } },
    addOns,
  );
  return applyRulePack(app, { environment, failOnError: false });
}

describe("the kit's add-ons under the rule pack", () => {
  for (const [name, set] of Object.entries(SETS)) {
    for (const env of ["dev", "prod"]) {
      it(`${name} (${env}): zero error-level findings besides the test stack's local backend`, () => {
        const pack = deployWithPack(set(env), env);
        const errors = pack.unsuppressed("error").filter((f) => f.ruleId !== "MLOPS-STATE-002");
        expect(errors.map(formatFinding)).toEqual([]);
        expect(pack.index().views.length).toBeGreaterThan(3);
      });
    }
  }

  it("flags the Airflow database left single-AZ in prod (the rule sees the add-on's RDS instance)", () => {
    const pack = deployWithPack(
      [externalSecretsAddOn(), airflowAddOn({ database: { multiAz: false } })],
      "prod",
    );
    expect(pack.unsuppressed("error").map((f) => f.ruleId)).toContain("MLOPS-RDS-005");
  });
});
