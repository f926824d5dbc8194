import { z } from "zod";
import { addOnConfigSection, parseAddOnConfig } from "../../core/addon-definition";

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
    helmValues: z
      .record(z.string(), z.unknown())
      .default({})
      .describe(
        "Values merged over the kit's for the external-secrets chart. No reference values.yaml exists for this chart in the schema data, so keys are NOT checked: validation reports the release as unchecked.",
      ),
  })
  .describe(
    "External Secrets Operator: syncs AWS Secrets Manager secrets and generated passwords into Kubernetes Secrets.",
  );

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
