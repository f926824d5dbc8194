import { z } from "zod";
import { addOnConfigSection, parseAddOnConfig } from "../../core/addon-definition";
import { CHARTS } from "../../core/charts";
import { helmConfigSchema } from "../../core/helm-config";
import { movedKeys } from "../../primitives";

/**
 * Why a release whose pods read Secrets made by External Secrets cannot wait for ready pods: the platform
 * applies ExternalSecrets after the add-ons (their CRDs come with the operator's release).
 */
export const SECRETS_AFTER_RELEASE =
  "the pods start only once External Secrets has created their Secrets, which the platform applies after the add-ons";

/** Configuration of the External Secrets Operator add-on (`addons.externalSecrets`). */
export const ExternalSecretsConfigSchema = z
  .strictObject({
    enabled: z
      .boolean()
      .default(false)
      .describe("Installs the External Secrets Operator (MLflow and Airflow need it: enable it with them)."),
    replicas: z
      .int({ error: "expected an integer replicas" })
      .min(1, { error: "replicas must be at least 1" })
      .max(5, { error: "replicas must be at most 5" })
      .default(1)
      .describe("Controller replicas; more than one turns on leader election."),
    webhookReplicas: z
      .int({ error: "expected an integer webhookReplicas" })
      .min(1, { error: "webhookReplicas must be at least 1" })
      .max(5, { error: "webhookReplicas must be at most 5" })
      .default(1)
      .describe("Replicas of the validating webhook (the API server calls it on every ESO resource change)."),
    helm: helmConfigSchema(CHARTS.externalSecrets, {
      valuesCheck: `Keys are checked against the chart's reference values (${CHARTS.externalSecrets.referenceVersion}, the newest release the schema data proves).`,
    }),
  })
  .describe(
    "External Secrets Operator: syncs AWS Secrets Manager secrets and generated passwords into Kubernetes Secrets.",
  );

movedKeys(ExternalSecretsConfigSchema, { helmValues: "addons.externalSecrets.helm.values" });

export type ExternalSecretsConfigInput = z.input<typeof ExternalSecretsConfigSchema>;
export type ExternalSecretsConfig = z.output<typeof ExternalSecretsConfigSchema>;

/** `addons.externalSecrets`: the section the platform schema and the add-on's registry entry share. */
export const EXTERNAL_SECRETS_CONFIG = addOnConfigSection({
  key: "externalSecrets",
  title: "External Secrets",
  schema: ExternalSecretsConfigSchema,
});

/** Parses `addons.externalSecrets`, with errors naming the field and the value. */
export function parseExternalSecretsConfig(
  input: ExternalSecretsConfigInput | ExternalSecretsConfig,
): ExternalSecretsConfig {
  return parseAddOnConfig(EXTERNAL_SECRETS_CONFIG, input);
}
