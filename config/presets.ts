import { deepMerge } from "../constructs/core/merge";
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

const STANDARD: ConfigFragment = {
  network: { azCount: 3, natGatewayStrategy: "one-per-az" },
  addons: PLATFORM_SERVICES,
  nodePools: {
    system: systemPool("m6i.xlarge", 2, 6),
    gpu: {
      gpu: true,
      instanceTypes: ["g5.xlarge", "g6.xlarge"],
      minSize: 0,
      maxSize: 4,
      diskSizeGiB: 200,
      labels: { "mlops.io/pool": "gpu-inference" },
    },
  },
};

export const PRESET_FRAGMENTS: Readonly<Record<"minimal" | "standard" | "gpu-training", ConfigFragment>> = {
  /** Cheapest useful platform: two AZs, one NAT gateway, a small system pool, no GPUs. */
  minimal: {
    network: { azCount: 2, natGatewayStrategy: "single" },
    addons: BASE_SERVICES,
    nodePools: { system: systemPool("m6i.large", 2, 4) },
  },
  /**
   * Production shape: three AZs with a NAT gateway each, a system pool, a scale-to-zero GPU inference pool and
   * the platform services.
   */
  standard: STANDARD,
  /** Standard plus a large, Spot-backed GPU pool for training jobs. */
  "gpu-training": deepMerge<ConfigFragment>(STANDARD, {
    nodePools: {
      training: {
        gpu: true,
        capacityType: "SPOT",
        instanceTypes: ["g6e.12xlarge", "g5.12xlarge", "p4d.24xlarge"],
        minSize: 0,
        maxSize: 8,
        diskSizeGiB: 500,
        labels: { "mlops.io/pool": "gpu-training" },
        taints: [{ key: "mlops.io/workload", value: "training", effect: "NO_SCHEDULE" }],
      },
    },
  }),
};

/** The configuration `cdktf synth` uses when no file is named: the standard preset, dev environment. */
export const EMBEDDED_DEFAULT: PlatformConfigInput = {
  preset: "standard",
  name: "mlops",
  environment: "dev",
  region: "eu-west-1",
  tags: { "mlops.io/managed-by": "mlops-platform-kit" },
};
