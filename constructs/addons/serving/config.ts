import { z } from "zod";
import { addOnConfigSection, parseAddOnConfig } from "../../core/addon-definition";
import { nodePoolField } from "../../core/node-placement";
import { boundedInt, containerResourcesSchema } from "../../primitives";

/**
 * Configuration of the serving add-on (`addons.serving`): the engine that runs model servers (KServe or Seldon
 * Core 2), the reference service's image, and the model deployments with their traffic (canary, shadow,
 * promote, rollback). Cross-field rules live in `servingProblems` so that every problem is reported with its
 * path, the value found and what was expected.
 */

export const SERVING_ENGINES = ["kserve", "seldon"] as const;
export type ServingEngine = (typeof SERVING_ENGINES)[number];

/** MLflow's registry alias the pipelines move to the version that passed the gates. */
export const DEFAULT_MODEL_ALIAS = "champion";

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const MODEL_NAME = /^[A-Za-z0-9_.-]+$/;
const ALIAS = /^[A-Za-z0-9_-]+$/;
const VERSION = /^[1-9]\d*$/;
const S3_URI = /^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/[^\s,=]*)?$/;

const version = z
  .string()
  .regex(VERSION, 'expected an MLflow model version number such as "3"')
  .describe("A registered model version (the number MLflow gave it).");
const alias = z
  .string()
  .regex(ALIAS, "expected an MLflow alias ([A-Za-z0-9_-])")
  .describe("A registry alias (`champion`, `challenger`), followed as MLflow moves it.");
const s3Uri = z
  .string()
  .regex(S3_URI, "expected s3://<bucket>/<prefix>")
  .describe(
    "An S3 prefix holding `<model>/<version>/model.onnx` and `profile.json` (the newest version is served).",
  );

export const ImageSchema = z
  .strictObject({
    repository: z
      .string()
      .regex(
        /^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)+$|^[a-z0-9]+([._/-][a-z0-9]+)*$/,
        "expected an image repository without tag or digest, e.g. 123456789012.dkr.ecr.eu-west-1.amazonaws.com/mlops-dev/inference-service",
      )
      .optional()
      .describe(
        "Image repository without tag. Default: the foundation's ECR repository `inference-service` (registry.repositories), where the image workflow pushes.",
      ),
    digest: z
      .string()
      .regex(
        /^sha256:[a-f0-9]{64}$/,
        "expected the image digest sha256:<64 hex> (tags move; the workflow prints the digest it pushed)",
      )
      .describe("Image digest; pods run exactly this build."),
    gpu: z
      .boolean()
      .default(false)
      .describe(
        "The image can use NVIDIA GPUs (a CUDA build). The reference service's onnxruntime-node build runs on CPU only.",
      ),
  })
  .describe("The model server image: the reference service (service/Dockerfile) unless you built another.");

export const ModelSchema = z
  .strictObject({
    registeredModel: z
      .string()
      .regex(MODEL_NAME, "expected an MLflow registered model name ([A-Za-z0-9_.-])")
      .optional()
      .describe("MLflow registered model (the pipelines register `readmission`)."),
    alias: alias
      .optional()
      .describe(`Registry alias to serve. Default \`${DEFAULT_MODEL_ALIAS}\` (unless version is set).`),
    version: version.optional().describe("Pin a registered version instead of following the alias."),
    uri: s3Uri.optional(),
    servedName: z
      .string()
      .regex(MODEL_NAME, "expected a model name ([A-Za-z0-9_.-])")
      .optional()
      .describe(
        "Name clients use in /v2/models/<name>/infer. Default: the registered model, else the deployment name.",
      ),
  })
  .describe("The model: an MLflow registered model and alias (or version), or an S3 URI.");

export const CandidateSchema = z
  .strictObject({
    version: version.optional(),
    alias: alias.optional(),
    uri: s3Uri.optional(),
  })
  .describe("The candidate model: a version or alias of the same registered model, or another S3 URI.");

export const CanarySchema = CandidateSchema.extend({
  weight: boundedInt("weight", 0, 100).describe(
    "Per cent of live requests answered by the candidate (0-100).",
  ),
}).describe("Canary: the candidate answers `weight` per cent of live requests.");

export const TrafficSchema = z
  .strictObject({
    canary: CanarySchema.optional(),
    shadow: CandidateSchema.optional().describe(
      "Shadow: the candidate receives a mirrored copy of every live request; its answers are discarded.",
    ),
    promote: z
      .boolean()
      .default(false)
      .describe(
        "The candidate answers all live requests; the stable version stays deployed (no traffic) for a rollback.",
      ),
    rollback: z
      .boolean()
      .default(false)
      .describe(
        "All live requests go back to the stable version; the candidate stays deployed (no traffic) for diagnosis.",
      ),
  })
  .default({ promote: false, rollback: false })
  .describe("How live traffic is split between the stable version and one candidate.");

export const ReplicasSchema = z
  .strictObject({
    min: boundedInt("replicas.min", 1, 100)
      .default(2)
      .describe("Fewest replicas (2+ survives a node drain)."),
    max: boundedInt("replicas.max", 1, 100).default(4).describe("Most replicas the autoscaler may run."),
    targetCpuUtilization: boundedInt("targetCpuUtilization", 10, 95)
      .default(70)
      .describe("Average CPU use (per cent of the request) the HorizontalPodAutoscaler keeps."),
  })
  .default({ min: 2, max: 4, targetCpuUtilization: 70 })
  .describe("Replica bounds of the stable version (the candidate runs between 1 and max).");

export const DeploymentSchema = z
  .strictObject({
    model: ModelSchema.optional(),
    image: ImageSchema.optional().describe("This deployment's image. Default: addons.serving.image."),
    replicas: ReplicasSchema,
    resources: containerResourcesSchema(
      { cpuRequest: "500m", memoryRequest: "1Gi", memoryLimit: "2Gi" },
      " per replica",
    ),
    nodePool: nodePoolField().describe(
      "Node pool the model servers run on (nodeSelector mlops.io/node-pool); a GPU pool needs an image with gpu: true.",
    ),
    traffic: TrafficSchema,
  })
  .describe("One served model: what it serves, on what, and how traffic reaches its versions.");

export const SeldonSchema = z
  .strictObject({
    acknowledgeBusinessSourceLicense: z
      .boolean()
      .default(false)
      .describe(
        "Seldon Core 2 is under the Business Source License 1.1 (since January 2024): production use needs a commercial licence from Seldon. Set true to say you have read it.",
      ),
  })
  .default({ acknowledgeBusinessSourceLicense: false })
  .describe("Seldon Core 2 settings (engine seldon).");

export const ServingConfigSchema = z
  .strictObject({
    enabled: z
      .boolean()
      .default(false)
      .describe("Install the serving engine and deploy the configured models."),
    engine: z
      .enum(SERVING_ENGINES)
      .default("kserve")
      .describe(
        "kserve: KServe (Apache-2.0) in RawDeployment mode, traffic through Envoy Gateway; seldon: Seldon Core 2 (BSL 1.1, needs seldon.acknowledgeBusinessSourceLicense).",
      ),
    seldon: SeldonSchema,
    image: ImageSchema.optional().describe("Default image of every deployment (the reference service)."),
    deployments: z
      .record(
        z.string().regex(DNS_LABEL, "expected a deployment name (a-z, 0-9, '-')").max(40),
        DeploymentSchema,
      )
      .default({})
      .describe("Model deployments by name (the name of their Services and routes)."),
  })
  .superRefine((config, ctx) => {
    for (const p of servingProblems(config)) {
      ctx.addIssue({ code: "custom", path: [...p.path], message: p.message, params: { formatted: true } });
    }
  })
  .describe(
    "Model serving: an engine and the reference service deployed onto it with canary, shadow and rollback.",
  );

export type ServingConfigInput = z.input<typeof ServingConfigSchema>;
export type ServingConfig = z.output<typeof ServingConfigSchema>;
export type ServingDeploymentConfig = z.output<typeof DeploymentSchema>;
export type ServingModelConfig = z.output<typeof ModelSchema>;
export type ServingCandidateConfig = z.output<typeof CandidateSchema>;
export type ServingImageConfig = z.output<typeof ImageSchema>;

interface Problem {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

const show = (v: unknown) => JSON.stringify(v);

/** How a model or candidate names what it serves, for comparing the two (`version 3`, `alias champion`). */
export function describeReference(ref: { version?: string; alias?: string; uri?: string }): string {
  if (ref.version) return `version ${ref.version}`;
  if (ref.alias) return `alias ${ref.alias}`;
  return ref.uri ?? "nothing";
}

function candidateProblems(
  at: readonly (string | number)[],
  candidate: ServingCandidateConfig,
  model: ServingModelConfig,
): Problem[] {
  const given = (["version", "alias", "uri"] as const).filter((k) => candidate[k] !== undefined);
  if (given.length !== 1) {
    return [
      {
        path: at,
        message: `got ${given.length === 0 ? "none" : given.join(" and ")}; expected exactly one of version, alias (registered models) or uri (S3 models)`,
      },
    ];
  }
  const key = given[0] as "version" | "alias" | "uri";
  if (model.uri && key !== "uri") {
    return [
      {
        path: [...at, key],
        message: `got ${show(candidate[key])}; the model is an S3 URI, so the candidate must be a uri too`,
      },
    ];
  }
  if (model.registeredModel && key === "uri") {
    return [
      {
        path: [...at, "uri"],
        message: `got ${show(candidate.uri)}; the model is registered model ${show(model.registeredModel)}: name a version or alias of it`,
      },
    ];
  }
  const stable = stableReference(model);
  if (candidate[key] === stable[key]) {
    return [
      {
        path: [...at, key],
        message: `got ${show(candidate[key])}, the ${describeReference(stable)} the deployment already serves; a candidate must be another version`,
      },
    ];
  }
  return [];
}

/** The stable reference of a model with its default alias applied. */
export function stableReference(model: ServingModelConfig): {
  version?: string;
  alias?: string;
  uri?: string;
} {
  if (model.uri) return { uri: model.uri };
  if (model.version) return { version: model.version };
  return { alias: model.alias ?? DEFAULT_MODEL_ALIAS };
}

/** Every cross-field problem of `addons.serving`, with paths relative to the section. */
export function servingProblems(config: ServingConfig): Problem[] {
  const out: Problem[] = [];
  if (config.engine === "seldon" && !config.seldon.acknowledgeBusinessSourceLicense) {
    out.push({
      path: ["seldon", "acknowledgeBusinessSourceLicense"],
      message:
        "got false; engine seldon installs Seldon Core 2, licensed under the Business Source License 1.1 (production use needs a commercial licence from Seldon): set addons.serving.seldon.acknowledgeBusinessSourceLicense: true to acknowledge it, or use engine kserve (Apache-2.0)",
    });
  }
  for (const [name, d] of Object.entries(config.deployments)) {
    const at = ["deployments", name];
    if (config.engine === "seldon" && d.model?.registeredModel) {
      out.push({
        path: [...at, "model", "registeredModel"],
        message: `got ${show(d.model.registeredModel)} with engine seldon; Seldon's agent fetches a Model's storageUri with rclone, which cannot read an MLflow registry reference: give uri: s3://<models bucket>/<one version's folder> (the version's model.onnx and profile.json), or use engine kserve`,
      });
    }
    if (!d.model) {
      out.push({
        path: [...at, "model"],
        message:
          "missing; expected the model to serve: { registeredModel: <MLflow name>, alias: champion } (or version), or { uri: s3://<bucket>/<prefix> }",
      });
      continue;
    }
    const m = d.model;
    if (Boolean(m.registeredModel) === Boolean(m.uri)) {
      out.push({
        path: [...at, "model"],
        message: `got ${m.registeredModel ? "registeredModel and uri" : "neither registeredModel nor uri"}; expected exactly one of them`,
      });
      continue;
    }
    if (m.uri && (m.alias || m.version)) {
      out.push({
        path: [...at, "model", m.alias ? "alias" : "version"],
        message: "an S3 model has no registry alias or version; remove it",
      });
    }
    if (m.alias && m.version) {
      out.push({
        path: [...at, "model", "version"],
        message: `got version ${show(m.version)} and alias ${show(m.alias)}; expected one of them`,
      });
    }
    if (!d.image && !config.image) {
      out.push({
        path: [...at, "image"],
        message: "missing; expected an image { repository, digest } here or in addons.serving.image",
      });
    }
    if (d.replicas.max < d.replicas.min) {
      out.push({
        path: [...at, "replicas", "max"],
        message: `got ${d.replicas.max}; expected at least replicas.min (${d.replicas.min})`,
      });
    }
    const t = d.traffic;
    if (t.canary) out.push(...candidateProblems([...at, "traffic", "canary"], t.canary, m));
    if (t.shadow) out.push(...candidateProblems([...at, "traffic", "shadow"], t.shadow, m));
    if (t.canary && t.shadow) {
      out.push({
        path: [...at, "traffic", "shadow"],
        message:
          "got both canary and shadow; one candidate at a time: keep canary (live share) or shadow (mirror only)",
      });
    }
    for (const step of ["promote", "rollback"] as const) {
      if (t[step] && !t.canary && !t.shadow) {
        out.push({
          path: [...at, "traffic", step],
          message: `got true without a candidate; ${step} acts on the candidate named by traffic.canary or traffic.shadow`,
        });
      }
    }
    if (t.promote && t.rollback) {
      out.push({ path: [...at, "traffic", "rollback"], message: "got true with promote true; choose one" });
    }
  }
  return out;
}

/** `addons.serving`: the section the platform schema and the add-on's registry entry share. */
export const SERVING_CONFIG = addOnConfigSection({
  key: "serving",
  title: "serving",
  schema: ServingConfigSchema,
});

/** Parses `addons.serving`, listing every problem with its path and the value found. */
export function parseServingConfig(input: ServingConfigInput | ServingConfig): ServingConfig {
  return parseAddOnConfig(SERVING_CONFIG, input);
}
