import { TerraformOutput, type TerraformStack, Token } from "cdktf";
import type { KafkaOutputsBase } from "../constructs/addons/kafka/outputs";
import type { MlflowOutputs } from "../constructs/addons/mlflow/addon";
import type { DeployedAddOn } from "../constructs/core/addon";
import { PLATFORM_OUTPUTS } from "./output-names";

/**
 * What a user of the platform stack needs next, as Terraform outputs (`cdktf output <stack>`, `terraform
 * output`). None is sensitive: addresses and ARNs, no credential. Output names are public API.
 */
export function addPlatformOutputs(stack: TerraformStack, addOns: ReadonlyMap<string, DeployedAddOn>): void {
  const roles = serviceAccountRoleArns(addOns);
  if (Object.keys(roles).length > 0) {
    new TerraformOutput(stack, PLATFORM_OUTPUTS.serviceAccountRoleArns, {
      value: roles,
      description:
        "IAM roles (IRSA / Pod Identity) the add-ons created, by add-on id, then <namespace>/<service account>.",
    });
  }
  const kafka = addOns.get("kafka")?.outputs as KafkaOutputsBase | undefined;
  if (kafka) {
    new TerraformOutput(stack, PLATFORM_OUTPUTS.kafkaBootstrapServers, {
      value: kafka.bootstrapServers,
      description:
        kafka.mode === "msk"
          ? "Amazon MSK bootstrap brokers for IAM authentication over TLS (SASL_SSL, AWS_MSK_IAM), reachable from the cluster."
          : "Strimzi bootstrap address of the TLS listener (in-cluster only; clients authenticate with their KafkaUser's certificate).",
    });
  }
  const mlflow = addOns.get("mlflow")?.outputs as MlflowOutputs | undefined;
  if (mlflow) {
    new TerraformOutput(stack, PLATFORM_OUTPUTS.mlflowUrl, {
      value: mlflow.externalUrl ?? mlflow.trackingUri,
      description: mlflow.externalUrl
        ? "MLflow behind its internal ALB (addons.mlflow.ingress.host)."
        : "MLflow's in-cluster tracking URI (no ingress: kubectl -n mlflow port-forward svc/mlflow 5000:5000 from outside).",
    });
  }
}

/** `{ <add-on id>: { "<namespace>/<service account>": <role ARN> } }` for the add-ons that created roles. */
export function serviceAccountRoleArns(
  addOns: ReadonlyMap<string, DeployedAddOn>,
): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  for (const [id, deployed] of addOns) {
    if (deployed.serviceAccountRoles.length === 0) continue;
    out[id] = Object.fromEntries(
      deployed.serviceAccountRoles.map((r) => {
        // A token in a key would not resolve in an object key: fall back to the role's construct id.
        const key =
          Token.isUnresolved(r.namespace) || Token.isUnresolved(r.serviceAccount)
            ? r.id
            : `${r.namespace}/${r.serviceAccount}`;
        return [key, r.role.roleArn];
      }),
    );
  }
  return out;
}
