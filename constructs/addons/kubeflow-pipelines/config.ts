import { z } from "zod";
import { addOnConfigSection, parseAddOnConfig } from "../../core/addon-definition";
import { CHARTS } from "../../core/charts";
import { helmConfigSchema } from "../../core/helm-config";
import {
  boundedInt,
  cpuQuantity,
  memoryQuantity,
  movedKeys,
  RDS_STORAGE_GIB,
  rdsBackupRetentionInDays,
  rdsInstanceClass,
} from "../../primitives";
import { KFP_DEFAULT_VERSION, KFP_VERSIONS, type KfpVersion } from "./images";

/**
 * Configuration of the Kubeflow Pipelines add-on (`addons.kubeflowPipelines` in the platform configuration).
 * Cross-field checks quote the offending value and name the field.
 */

const quoted = (v: unknown) => JSON.stringify(v);

const ResourcesSchema = z
  .strictObject({
    cpu: cpuQuantity.describe("CPU request."),
    memory: memoryQuantity.describe("Memory request, also the limit (memory is not compressible)."),
    cpuLimit: cpuQuantity.describe("CPU limit (bursting above the request)."),
  })
  .describe("Requests and limits of one component's main container.");

type Resources = z.input<typeof ResourcesSchema>;

/** Defaults from the upstream requests (api-server 250m/500Mi, persistence agent 120m/500Mi, UI 10m/70Mi), with limits added. */
export const KFP_DEFAULT_RESOURCES = {
  apiServer: { cpu: "250m", memory: "512Mi", cpuLimit: "1" },
  persistenceAgent: { cpu: "120m", memory: "512Mi", cpuLimit: "500m" },
  scheduledWorkflow: { cpu: "100m", memory: "256Mi", cpuLimit: "500m" },
  ui: { cpu: "50m", memory: "256Mi", cpuLimit: "500m" },
  metadataWriter: { cpu: "50m", memory: "256Mi", cpuLimit: "500m" },
  metadataGrpc: { cpu: "100m", memory: "256Mi", cpuLimit: "1" },
  metadataEnvoy: { cpu: "50m", memory: "128Mi", cpuLimit: "500m" },
  workflowController: { cpu: "100m", memory: "256Mi", cpuLimit: "1" },
  mysql: { cpu: "250m", memory: "1Gi", cpuLimit: "1" },
} as const satisfies Record<string, Resources>;

export type KfpComponent = keyof typeof KFP_DEFAULT_RESOURCES;

const ResourcesByComponent = z
  .strictObject(
    Object.fromEntries(
      Object.entries(KFP_DEFAULT_RESOURCES).map(([k, v]) => [
        k,
        ResourcesSchema.default(v).describe(`Resources of ${k}.`),
      ]),
    ) as { [K in KfpComponent]: z.ZodDefault<typeof ResourcesSchema> },
  )
  .describe("Requests and limits per component.");

/** Env names that would carry static AWS or object-store credentials; the add-on uses IRSA only. */
export const FORBIDDEN_ENV =
  /^(AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|AWS_SESSION_TOKEN|OBJECTSTORECONFIG_ACCESSKEY|OBJECTSTORECONFIG_SECRETACCESSKEY|MINIO_.*)$/;

const OverridesSchema = z.strictObject({
  apiServerEnv: z
    .record(z.string().regex(/^[A-Z_][A-Z0-9_]*$/, "expected an env var name"), z.string())
    .default({})
    .describe("Extra env of the API server (e.g. LOG_LEVEL); never credentials."),
});
movedKeys(OverridesSchema, { argoValues: "addons.kubeflowPipelines.helm.values" });

const KubeflowPipelinesConfigObject = z.strictObject({
  enabled: z
    .boolean()
    .default(false)
    .describe("Install Kubeflow Pipelines (and its Argo Workflows controller)."),
  version: z
    .string()
    .refine((v) => (KFP_VERSIONS as string[]).includes(v), {
      error: (iss) =>
        `unsupported Kubeflow Pipelines version ${quoted(iss.input)}; supported (images pinned in kubeflow-images.ts): ${KFP_VERSIONS.join(", ")}`,
      params: { formatted: true },
    })
    .default(KFP_DEFAULT_VERSION)
    .describe("Kubeflow Pipelines release; one of the releases whose images the kit pins."),
  artifacts: z
    .strictObject({
      zone: z
        .string()
        .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "expected a data-lake zone name (a DNS label)")
        .default("curated")
        .describe("Data-lake zone holding pipeline artifacts (derived data, so `curated` by default)."),
      prefix: z
        .string()
        .regex(
          /^[a-zA-Z0-9!_.'()-]+(\/[a-zA-Z0-9!_.'()-]+)*\/?$/,
          'expected a key prefix like "kfp/" (no leading "/", wildcards or spaces)',
        )
        .default("kfp/")
        .describe(
          "Key prefix (folder) of the artifacts in the zone bucket; the roles can touch nothing else.",
        ),
      apiServerBucketCheck: z
        .boolean()
        .default(true)
        .describe(
          "Allow the API server (only) s3:ListBucket on the zone bucket without a prefix: its startup check (HEAD bucket) needs it or the server exits. It can then list key names of the whole zone, never read them. Turn off only with a KFP build that skips the check.",
        ),
    })
    .prefault({})
    .describe("Where pipeline artifacts go (S3 through IRSA; no MinIO, no static keys)."),
  metadata: z
    .strictObject({
      store: z
        .enum(["rds", "in-cluster"], {
          error: (iss) =>
            `unknown metadata store ${quoted(iss.input)}; expected "rds" (Amazon RDS for MySQL) or "in-cluster" (a MySQL StatefulSet)`,
        })
        .default("rds")
        .describe('"rds": Amazon RDS for MySQL; "in-cluster": a MySQL StatefulSet on a gp3 volume.'),
      instanceClass: rdsInstanceClass.default("db.t4g.medium").describe("RDS instance class."),
      multiAz: z
        .boolean()
        .optional()
        .describe(
          'RDS standby in another AZ with automatic failover. Default: true when the environment is "prod" or "production".',
        ),
      backupRetentionInDays: rdsBackupRetentionInDays
        .default(7)
        .describe("RDS automated backup retention, 7-35 days."),
      // 16 TiB: the in-cluster volume's limit (gp3), below RDS's.
      storageGiB: boundedInt("storageGiB", RDS_STORAGE_GIB.min, 16_384)
        .default(20)
        .describe("Initial storage (RDS gp3, autoscaling above it) or the in-cluster volume size."),
    })
    .prefault({})
    .describe("The MySQL database of the API server (mlpipeline) and ML Metadata (metadb)."),
  ui: z
    .strictObject({ enabled: z.boolean().default(true).describe("Run the KFP UI (ml-pipeline-ui).") })
    .prefault({})
    .describe("The web UI, reached by port-forward (no ingress is created)."),
  cache: z
    .strictObject({
      enabled: z
        .boolean()
        .default(true)
        .describe("Step caching of KFP v2 (driver looks up earlier executions in ML Metadata)."),
    })
    .prefault({})
    .describe("Step result caching."),
  resources: ResourcesByComponent.prefault({}),
  overrides: OverridesSchema.prefault({}).describe("Escape hatches, checked like the typed fields."),
  helm: helmConfigSchema(CHARTS.argoWorkflows, {
    valuesCheck: "The Argo Workflows controller KFP runs on; keys are checked against the chart.",
  }),
});

type Issue = { path: (string | number)[]; message: string };

export function kubeflowConfigProblems(c: z.output<typeof KubeflowPipelinesConfigObject>): Issue[] {
  const out: Issue[] = [];
  for (const name of Object.keys(c.overrides.apiServerEnv)) {
    if (FORBIDDEN_ENV.test(name)) {
      out.push({
        path: ["overrides", "apiServerEnv", name],
        message: `env ${quoted(name)} would carry static credentials; Kubeflow Pipelines reaches S3 through IRSA only`,
      });
    }
  }
  if (c.metadata.store === "in-cluster" && c.metadata.multiAz) {
    out.push({
      path: ["metadata", "multiAz"],
      message: `multiAz true needs metadata.store "rds"; the in-cluster MySQL is a single replica`,
    });
  }
  return out;
}

export const KubeflowPipelinesConfigSchema = KubeflowPipelinesConfigObject.superRefine((c, ctx) => {
  for (const p of kubeflowConfigProblems(c)) {
    ctx.addIssue({ code: "custom", path: p.path, message: p.message, params: { formatted: true } });
  }
}).describe("Kubeflow Pipelines v2 on Argo Workflows, artifacts in the data lake, metadata in MySQL.");

export type KubeflowPipelinesConfigInput = z.input<typeof KubeflowPipelinesConfigSchema>;
export type KubeflowPipelinesConfig = z.output<typeof KubeflowPipelinesConfigSchema> & {
  readonly version: KfpVersion;
};
export type KfpResources = z.output<typeof ResourcesSchema>;

/** `addons.kubeflowPipelines`: the section the platform schema and the add-on's registry entry share. */
export const KUBEFLOW_PIPELINES_CONFIG = addOnConfigSection({
  key: "kubeflowPipelines",
  title: "Kubeflow Pipelines",
  schema: KubeflowPipelinesConfigSchema,
});

/** Parses (or re-checks) `addons.kubeflowPipelines`, with errors naming the path and the value. */
export function parseKubeflowPipelinesConfig(
  input: KubeflowPipelinesConfigInput | KubeflowPipelinesConfig,
): KubeflowPipelinesConfig {
  return parseAddOnConfig(KUBEFLOW_PIPELINES_CONFIG, input) as KubeflowPipelinesConfig;
}
