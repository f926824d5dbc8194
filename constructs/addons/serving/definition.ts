import type { AddOnDefinition, AddOnSelection } from "../../core/addon-definition";
import { nodePoolProblems } from "../../core/node-placement";
import { certManagerInstalled } from "../cert-manager/addon";
import { ServingAddOn } from "./addon";
import { SERVING_CONFIG, type ServingConfig } from "./config";
import { SERVING_ADDON_ID } from "./names";
import type { ServingNodePool } from "./pod";
import { REFERENCE_IMAGE_REPOSITORY } from "./traffic";

/**
 * The serving add-on's registry entry and its checks against the rest of the platform (node pools, the image's
 * repository, cert-manager for KServe), which the configuration reports with its other problems.
 */

/** The pools a configuration creates, as deployments see them. */
export function servingPools(platform: AddOnSelection): Record<string, ServingNodePool> {
  return Object.fromEntries(
    Object.entries(platform.nodePools)
      .filter(([, p]) => p.create)
      .map(([name, p]) => [name, { name, gpu: p.gpu, taints: p.taints ?? [] }]),
  );
}

/** Problems of the deployments against the platform: unknown pools, GPU pools for CPU-only images, MLflow off. */
export function servingPlatformProblems(
  config: ServingConfig,
  platform: AddOnSelection,
): { readonly path: readonly (string | number)[]; readonly message: string }[] {
  const key = SERVING_CONFIG.key;
  const out: { path: (string | number)[]; message: string }[] = [];
  for (const [name, d] of Object.entries(config.deployments)) {
    const at = [key, "deployments", name];
    const unknown = nodePoolProblems(`${key}.deployments.${name}`, d.nodePool, platform);
    if (unknown.length > 0) {
      out.push(...unknown.map((p) => ({ path: [...at, "nodePool"], message: p.message })));
      continue;
    }
    const pool = platform.nodePools[d.nodePool];
    const image = d.image ?? config.image;
    if (image && !image.repository && !platform.registry?.repositories[REFERENCE_IMAGE_REPOSITORY]) {
      out.push({
        path: d.image ? [...at, "image", "repository"] : [key, "image", "repository"],
        message: `missing; without it the image comes from the foundation's ECR repository ${JSON.stringify(REFERENCE_IMAGE_REPOSITORY)}, which registry.repositories does not create: add it there, or set the repository`,
      });
    }
    if (pool?.gpu && image && !image.gpu) {
      out.push({
        path: [...at, "nodePool"],
        message: `got ${JSON.stringify(d.nodePool)}, a GPU pool; the image ${image.repository} is CPU only (the reference service runs onnxruntime-node on CPU): choose a CPU pool, or set image.gpu: true for a CUDA build`,
      });
    }
  }
  // The section's image is reported once, however many deployments use it.
  return out.filter((p, i) => out.findIndex((q) => q.path.join(".") === p.path.join(".")) === i);
}

/**
 * KServe without cert-manager: the add-on switched off explicitly and not declared as running outside the kit
 * (`external`). KServe's chart would then fail to install (no Certificate kind) or its webhook would never get
 * a certificate.
 */
export function certManagerProblems(
  config: ServingConfig,
  platform: AddOnSelection,
): { readonly path: readonly (string | number)[]; readonly message: string }[] {
  if (config.engine !== "kserve") return [];
  const section = platform.addons.certManager as { enabled?: boolean; external?: boolean } | undefined;
  if (section?.enabled !== false || section.external === true) return [];
  return [
    {
      path: ["certManager", "enabled"],
      message:
        "got false; addons.serving runs KServe, whose chart issues its webhook certificate through cert-manager: leave enabled unset (or true) to install it, or set addons.certManager.external: true if the cluster already runs cert-manager",
    },
  ];
}

/** The registry entry: `addons.serving` switches it on. */
export const servingDefinition = {
  id: SERVING_ADDON_ID,
  config: SERVING_CONFIG,
  create: (config: ServingConfig, platform?: AddOnSelection) =>
    new ServingAddOn({
      config,
      pools: platform ? servingPools(platform) : {},
      kafka: (platform?.addons.kafka as { enabled?: boolean } | undefined)?.enabled === true,
      certManager: platform ? certManagerInstalled(platform) : false,
    }),
  platformProblems: (config: ServingConfig, platform: AddOnSelection) => [
    ...servingPlatformProblems(config, platform),
    ...certManagerProblems(config, platform),
  ],
  // MLflow is a dependency only of registry models: say which one needs it.
  dependencyProblem: (dependency: string, config: ServingConfig) => {
    const entry = Object.entries(config.deployments).find(([, d]) => d.model?.registeredModel);
    if (dependency !== "mlflow" || !entry) return undefined;
    return {
      path: [SERVING_CONFIG.key, "deployments", entry[0], "model", "registeredModel"],
      message: `got ${JSON.stringify(entry[1].model?.registeredModel)}; registry models are resolved through MLflow: set addons.mlflow.enabled: true, or serve an S3 uri`,
    };
  },
} satisfies AddOnDefinition<typeof SERVING_CONFIG>;
