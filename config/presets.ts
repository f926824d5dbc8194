import type { PlatformConfigInput } from "./schema";

/**
 * Presets are configuration fragments, not code forks: the loader merges the chosen preset under the user's
 * file (maps merge by key, everything else is replaced), then validates the result like any other config.
 * A pool inherited from a preset is dropped with `create: false`.
 */
export type ConfigFragment = Omit<Partial<PlatformConfigInput>, "name" | "environment" | "region" | "preset">;

/**
 * metrics-server runs in every preset, minimal too: HorizontalPodAutoscalers and `kubectl top` read its API,
 * and without it an HPA fails with "unable to get metrics" while two small pods cost next to nothing.
 */
const BASE_SERVICES: ConfigFragment["addons"] = { metricsServer: { enabled: true } };

/** The services every full platform runs; each add-on's own defaults fill in the rest. */
const PLATFORM_SERVICES: ConfigFragment["addons"] = {
  ...BASE_SERVICES,
  awsLoadBalancerController: { enabled: true },
  externalSecrets: { enabled: true },
  kafka: { enabled: true },
  mlflow: { enabled: true },
  airflow: { enabled: true },
  kubeflowPipelines: { enabled: true },
  monitoring: { enabled: true },
  logging: { enabled: true },
};

const systemPool = (instanceType: string, minSize: number, maxSize: number) => ({
  instanceTypes: [instanceType],
  minSize,
  maxSize,
  labels: { "mlops.io/pool": "system" },
});

type Autoscaler = "karpenter" | "none";
type PoolInput = NonNullable<ConfigFragment["nodePools"]>[string];

/**
 * The presets' pools for each autoscaler. With Karpenter (the default) it launches the GPU and batch pools:
 * from zero, Spot first where allowed, within their limits. With `capacity.autoscaler: none` the GPU pools are
 * managed node groups of the sizes the kit had before (min 0: they grow only when you scale them) and there is
 * no batch pool. The system pool, which runs the cluster add-ons and Karpenter itself, is managed either way.
 */
function pools(autoscaler: Autoscaler, gpuTraining: boolean): Record<string, PoolInput> {
  const karpenter = autoscaler === "karpenter";
  const out: Record<string, PoolInput> = {
    system: systemPool("m6i.xlarge", 2, 6),
    // Serving: On-Demand only (an interrupted model server drops requests).
    gpu: {
      gpu: true,
      instanceTypes: ["g5.xlarge", "g6.xlarge"],
      diskSizeGiB: 200,
      labels: { "mlops.io/pool": "gpu-inference" },
      ...(karpenter
        ? {
            provisioner: "karpenter",
            critical: true,
            capacityTypes: ["on-demand"],
            limits: { cpu: 32, memory: "128Gi", "nvidia.com/gpu": 4 },
          }
        : { minSize: 0, maxSize: 4 }),
    },
  };
  if (karpenter) {
    // Batch and pipeline steps that opt in (toleration): Spot first, On-Demand when Spot is short.
    out.batch = {
      provisioner: "karpenter",
      instanceCategories: ["c", "m", "r"],
      capacityTypes: ["spot", "on-demand"],
      limits: { cpu: 64, memory: "256Gi" },
      labels: { "mlops.io/pool": "batch" },
      taints: [{ key: "mlops.io/workload", value: "batch", effect: "NO_SCHEDULE" }],
    };
  }
  if (gpuTraining) {
    // Checkpointing training jobs: Spot first, On-Demand when Spot is short.
    out.training = {
      gpu: true,
      instanceTypes: ["g6e.12xlarge", "g5.12xlarge", "p4d.24xlarge"],
      diskSizeGiB: 500,
      labels: { "mlops.io/pool": "gpu-training" },
      taints: [{ key: "mlops.io/workload", value: "training", effect: "NO_SCHEDULE" }],
      ...(karpenter
        ? {
            provisioner: "karpenter",
            capacityTypes: ["spot", "on-demand"],
            limits: { cpu: 768, memory: "6144Gi", "nvidia.com/gpu": 32 },
          }
        : { capacityType: "SPOT", minSize: 0, maxSize: 8 }),
    };
  }
  return out;
}

const standard = (autoscaler: Autoscaler): ConfigFragment => ({
  network: { azCount: 3, natGatewayStrategy: "one-per-az" },
  capacity: { autoscaler },
  addons: PLATFORM_SERVICES,
  nodePools: pools(autoscaler, false),
});

/** Each preset for the autoscaler the configuration chooses (the loader passes `capacity.autoscaler`). */
export function presetFragment(
  preset: "minimal" | "standard" | "gpu-training",
  autoscaler: Autoscaler = "karpenter",
): ConfigFragment {
  switch (preset) {
    /** Cheapest useful platform: two AZs, one NAT gateway, a small system pool, no GPUs. */
    case "minimal":
      return {
        network: { azCount: 2, natGatewayStrategy: "single" },
        addons: BASE_SERVICES,
        // No pool to launch: two controller replicas would take a good share of two m6i.large.
        capacity: { autoscaler: "none" },
        nodePools: { system: systemPool("m6i.large", 2, 4) },
      };
    /**
     * Production shape: three AZs with a NAT gateway each, a managed system pool, a scale-from-zero GPU
     * inference pool and a CPU batch pool (Karpenter), and the platform services.
     */
    case "standard":
      return standard(autoscaler);
    /** Standard plus a large, Spot-first GPU pool for training jobs. */
    case "gpu-training":
      return { ...standard(autoscaler), nodePools: pools(autoscaler, true) };
  }
}

/** The presets as the default configuration (Karpenter) gets them. */
export const PRESET_FRAGMENTS: Readonly<Record<"minimal" | "standard" | "gpu-training", ConfigFragment>> = {
  minimal: presetFragment("minimal"),
  standard: presetFragment("standard"),
  "gpu-training": presetFragment("gpu-training"),
};

/**
 * The reference service's image digest in the embedded default: a placeholder (all zeros), since no image exists
 * before the image workflow (.github/workflows) has built and pushed one. Replace it with the digest the workflow
 * prints; until then the model server pods cannot pull.
 */
export const PLACEHOLDER_IMAGE_DIGEST = `sha256:${"0".repeat(64)}`;

/**
 * The configuration `cdktf synth` uses when no file is named: the standard preset, dev environment, and the
 * reference service serving the pipelines' `readmission` model (its `champion` alias) on KServe.
 */
export const EMBEDDED_DEFAULT: PlatformConfigInput = {
  preset: "standard",
  name: "mlops",
  environment: "dev",
  region: "eu-west-1",
  tags: { "mlops.io/managed-by": "mlops-platform-kit" },
  addons: {
    serving: {
      enabled: true,
      image: { digest: PLACEHOLDER_IMAGE_DIGEST },
      deployments: { readmission: { model: { registeredModel: "readmission" } } },
    },
  },
};
