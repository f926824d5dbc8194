import { z } from "zod";
import { addOnConfigSection, parseAddOnConfig } from "../../core/addon-definition";
import { CHARTS } from "../../core/charts";
import { helmConfigSchema } from "../../core/helm-config";
import { IngressSchema } from "../../core/ingress";
import {
  boundedInt,
  cpuQuantity,
  memoryQuantity,
  movedKeys,
  positiveInt,
  RDS_STORAGE_GIB,
  rdsAllocatedStorageGiB,
  rdsBackupRetentionInDays,
  rdsEngineVersion,
  rdsInstanceClass,
  secretsManagerSecretArn,
} from "../../primitives";
import { SECRETS_AFTER_RELEASE } from "../external-secrets/config";
import { MLFLOW_MIGRATION_CONTAINER } from "./migration";

/**
 * Configuration of the MLflow add-on (`addons.mlflow`): the tracking server and model registry, its Postgres
 * backend store on RDS, authentication, size and an optional ingress (core/ingress.ts).
 */

const quoted = (v: unknown) => JSON.stringify(v);

export const MLFLOW_AUTH_MODES = ["basic", "oidc", "none"] as const;
export const MLFLOW_PERMISSIONS = ["READ", "EDIT", "MANAGE", "NO_PERMISSIONS"] as const;

export const MlflowDatabaseSchema = z
  .strictObject({
    instanceClass: rdsInstanceClass
      .default("db.t4g.medium")
      .describe("RDS instance class of the backend store."),
    engineVersion: rdsEngineVersion("postgres")
      .default("17")
      .describe('PostgreSQL version; a major ("17") lets RDS apply minor upgrades.'),
    allocatedStorageGiB: rdsAllocatedStorageGiB
      .default(20)
      .describe("Initial gp3 storage in GiB; storage autoscaling grows it up to maxAllocatedStorageGiB."),
    maxAllocatedStorageGiB: boundedInt("maxAllocatedStorageGiB", RDS_STORAGE_GIB.min, RDS_STORAGE_GIB.max)
      .optional()
      .describe("Storage autoscaling ceiling in GiB. Default: max(5 × allocated, 100)."),
    multiAz: z
      .boolean()
      .optional()
      .describe(
        'Standby in a second AZ with automatic failover. Default: true when the platform environment is "prod" or "production", false otherwise.',
      ),
    backupRetentionInDays: rdsBackupRetentionInDays.default(7).describe("Days of automated backups (7-35)."),
  })
  .describe("The RDS PostgreSQL backend store (experiments, runs, registered models).");

export const MlflowOidcSchema = z
  .strictObject({
    discoveryUrl: z
      .url({
        protocol: /^https$/,
        error: "expected an https URL of the provider's .well-known/openid-configuration",
      })
      .describe("OpenID Connect discovery URL."),
    clientId: z.string().min(1, { error: "clientId must not be empty" }).describe("OIDC client id."),
    clientSecretArn: secretsManagerSecretArn.describe(
      'Secrets Manager secret holding the client secret as JSON `{"clientSecret": "…"}`; synced by External Secrets, never read by Terraform.',
    ),
    userGroups: z
      .array(z.string().min(1))
      .min(1)
      .default(["mlflow"])
      .describe("IdP groups allowed to log in."),
    adminGroups: z
      .array(z.string().min(1))
      .min(1)
      .default(["mlflow-admin"])
      .describe("IdP groups that administer MLflow."),
  })
  .describe("OIDC login (the chart's mlflow-oidc-auth plugin).");

export const MlflowAuthSchema = z
  .strictObject({
    mode: z
      .enum(MLFLOW_AUTH_MODES, {
        error: (iss) => `auth mode ${quoted(iss.input)} is not one of ${MLFLOW_AUTH_MODES.join(", ")}`,
      })
      .default("basic")
      .describe(
        '"basic": MLflow basic auth, admin password generated in the cluster by External Secrets; "oidc": login through an OpenID Connect provider; "none": no authentication (only behind another authenticating proxy).',
      ),
    defaultPermission: z
      .enum(MLFLOW_PERMISSIONS)
      .default("READ")
      .describe("Permission of authenticated users on resources they did not create."),
    oidc: MlflowOidcSchema.optional().describe('Required when mode is "oidc".'),
  })
  .describe("Who may use the tracking server.");

export const MlflowConfigSchema = z
  .strictObject({
    enabled: z.boolean().default(false).describe("Install MLflow (needs addons.externalSecrets)."),
    database: MlflowDatabaseSchema.default(MlflowDatabaseSchema.parse({})).describe(
      "The RDS PostgreSQL backend store (experiments, runs, registered models).",
    ),
    auth: MlflowAuthSchema.default(MlflowAuthSchema.parse({})).describe("Who may use the tracking server."),
    replicas: positiveInt("replicas", 10).default(2).describe("Tracking server replicas."),
    resources: z
      .strictObject({
        cpuRequest: cpuQuantity.default("250m").describe("CPU request per replica."),
        memoryRequest: memoryQuantity.default("1Gi").describe("Memory request per replica."),
        memoryLimit: memoryQuantity.default("2Gi").describe("Memory limit per replica."),
      })
      .default({ cpuRequest: "250m", memoryRequest: "1Gi", memoryLimit: "2Gi" })
      .describe("Tracking server container resources."),
    ingress: IngressSchema.optional().describe(
      "An ALB in front of the tracking server (internal by default; needs addons.awsLoadBalancerController). Default: none (port-forward).",
    ),
    helm: helmConfigSchema(CHARTS.mlflow, {
      valuesCheck: "Keys are checked against its values.yaml and schema.",
      noWaitReason: SECRETS_AFTER_RELEASE,
    }),
  })
  .superRefine((c, ctx) => {
    const add = (path: (string | number)[], message: string) =>
      ctx.addIssue({ code: "custom", path, message, params: { formatted: true } });
    if (c.auth.mode === "oidc" && !c.auth.oidc) {
      add(
        ["auth", "oidc"],
        'auth.oidc (discoveryUrl, clientId, clientSecretArn) is required when auth.mode is "oidc"',
      );
    }
    if (c.auth.mode !== "oidc" && c.auth.oidc) {
      add(
        ["auth", "oidc"],
        `auth.oidc is set but auth.mode is ${quoted(c.auth.mode)}; set mode "oidc" or remove it`,
      );
    }
    const d = c.database;
    if (
      d.maxAllocatedStorageGiB !== undefined &&
      d.maxAllocatedStorageGiB * 10 < d.allocatedStorageGiB * 11
    ) {
      add(
        ["database", "maxAllocatedStorageGiB"],
        `maxAllocatedStorageGiB ${d.maxAllocatedStorageGiB} must be at least 10 % above allocatedStorageGiB ${d.allocatedStorageGiB}`,
      );
    }
    // The kit's migration init container is what keeps replicas from racing on schema migrations (migration.ts).
    const values = c.helm.values;
    if (values.initContainers !== undefined) {
      add(
        ["helm", "values", "initContainers"],
        `got ${quoted(values.initContainers)}; expected unset: lists replace, so it would drop the kit's ${quoted(MLFLOW_MIGRATION_CONTAINER)} init container, the only schema migration`,
      );
    }
    const backendStore = values.backendStore as { databaseMigration?: unknown } | undefined;
    if (backendStore?.databaseMigration !== undefined && backendStore.databaseMigration !== false) {
      add(
        ["helm", "values", "backendStore", "databaseMigration"],
        `got ${quoted(backendStore.databaseMigration)}; expected false or unset: the chart's migration takes no lock, so replicas would race (the kit's ${quoted(MLFLOW_MIGRATION_CONTAINER)} init container migrates)`,
      );
    }
    if (memoryMi(c.resources.memoryLimit) < memoryMi(c.resources.memoryRequest)) {
      add(
        ["resources", "memoryLimit"],
        `memoryLimit ${quoted(c.resources.memoryLimit)} is below memoryRequest ${quoted(c.resources.memoryRequest)}`,
      );
    }
  })
  .describe("MLflow tracking server and model registry: RDS backend, artifacts in the lake's models zone.");
movedKeys(MlflowConfigSchema, { helmValues: "addons.mlflow.helm.values" });

function memoryMi(q: string): number {
  return q.endsWith("Gi") ? Number.parseInt(q, 10) * 1024 : Number.parseInt(q, 10);
}

export type MlflowConfigInput = z.input<typeof MlflowConfigSchema>;
export type MlflowConfig = z.output<typeof MlflowConfigSchema>;

/** `addons.mlflow`: the section the platform schema and the add-on's registry entry share. */
export const MLFLOW_CONFIG = addOnConfigSection({
  key: "mlflow",
  title: "MLflow",
  schema: MlflowConfigSchema,
});

/** Parses `addons.mlflow`, listing every problem with its path and the value found. */
export function parseMlflowConfig(input: MlflowConfigInput | MlflowConfig): MlflowConfig {
  return parseAddOnConfig(MLFLOW_CONFIG, input);
}
