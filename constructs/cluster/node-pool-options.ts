import type { Tags } from "../core/tags";
import { type AmiType, defaultAmiType } from "./ami-types";
import type { ResolvedPoolSettings } from "./node-pool-validation";

export const TAINT_EFFECTS = ["NO_SCHEDULE", "NO_EXECUTE", "PREFER_NO_SCHEDULE"] as const;
export type TaintEffect = (typeof TAINT_EFFECTS)[number];

export const CAPACITY_TYPES = ["ON_DEMAND", "SPOT"] as const;
export type CapacityType = (typeof CAPACITY_TYPES)[number];

export interface NodeTaint {
  readonly key: string;
  /** @default - no value */
  readonly value?: string;
  readonly effect: TaintEffect;
}

/** GPU pools get these; the NVIDIA device plugin schedules on `nvidia.com/gpu.present=true` and tolerates the taint. */
export const GPU_NODE_LABELS = {
  "nvidia.com/gpu.present": "true",
  "mlops.io/accelerator": "nvidia",
} as const;
export const GPU_TAINT: NodeTaint = { key: "nvidia.com/gpu", value: "true", effect: "NO_SCHEDULE" };

/**
 * Bottlerocket NVIDIA variants run the device plugin as a host service; this label keeps the Helm-installed
 * plugin off those nodes so the two do not both advertise `nvidia.com/gpu`.
 */
export const HOST_DEVICE_PLUGIN_LABEL = "mlops.io/nvidia-device-plugin";

export const NODE_POOL_LABEL = "mlops.io/node-pool";

/**
 * The labels every node of a pool carries, whoever provisions it (managed node group or Karpenter): the pool's
 * own, its name, and the GPU labels on GPU pools.
 */
export function poolNodeLabels(
  poolName: string,
  gpu: boolean,
  labels: Readonly<Record<string, string>> = {},
): Record<string, string> {
  return { ...labels, [NODE_POOL_LABEL]: poolName, ...(gpu ? GPU_NODE_LABELS : {}) };
}

/** The taints of a pool's nodes: the GPU taint first on GPU pools, then the pool's own (a repeat dropped). */
export function poolNodeTaints(gpu: boolean, taints: readonly NodeTaint[] = []): NodeTaint[] {
  const seen = new Set<string>();
  return (gpu ? [GPU_TAINT, ...taints] : [...taints]).filter((t) => {
    const key = `${t.key}:${t.effect}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Kubernetes' spelling of the effects (the EKS API's is the enum above). */
export const KUBERNETES_TAINT_EFFECTS: Readonly<Record<TaintEffect, string>> = {
  NO_SCHEDULE: "NoSchedule",
  NO_EXECUTE: "NoExecute",
  PREFER_NO_SCHEDULE: "PreferNoSchedule",
};

/** A node pool's own settings; the cluster fills in the rest (see `NodePoolProps`). */
export interface NodePoolOptions {
  /**
   * GPU pool: NVIDIA AMI, `nvidia.com/gpu=true:NoSchedule` taint, GPU labels, and only instance types from
   * `NVIDIA_GPU_FAMILIES` (constructs/core/instance-types). @default false
   */
  readonly gpu?: boolean;
  /** EC2 instance types, all of one CPU architecture. @default - ["m7i.xlarge"], or ["g6.xlarge"] when gpu */
  readonly instanceTypes?: readonly string[];
  /** EKS AMI type. @default - AL2023 for the instance types' architecture; its NVIDIA variant when gpu */
  readonly amiType?: AmiType;
  /** @default "ON_DEMAND" */
  readonly capacityType?: CapacityType;
  /** @default - 1, or 0 when gpu (scale from zero) */
  readonly minSize?: number;
  /** @default - 3, or 2 when gpu */
  readonly maxSize?: number;
  /** Initial size only: later changes are ignored so autoscalers own it. @default - minSize */
  readonly desiredSize?: number;
  /** Root (AL2023) or data (Bottlerocket) gp3 volume size. @default - 100, or 200 when gpu (see DEFAULT_DISK_SIZE_GIB) */
  readonly diskSizeGiB?: number;
  /**
   * IMDSv2 hop limit: 1 keeps pods from reaching the node role through IMDS; 2 only for pools whose pods
   * need IMDS (e.g. without IRSA/Pod Identity). @default 1
   */
  readonly httpPutResponseHopLimit?: 1 | 2;
  /** Kubernetes labels on the nodes. @default {} */
  readonly labels?: Readonly<Record<string, string>>;
  /** Kubernetes taints on the nodes. @default [] */
  readonly taints?: readonly NodeTaint[];
  /** Share of nodes replaced at once during updates. @default 33 */
  readonly maxUnavailablePercentage?: number;
  /** EKS node auto repair. @default true */
  readonly nodeRepair?: boolean;
  /** Subnets for this pool (e.g. one AZ for GPU capacity). @default - the cluster's private subnets */
  readonly subnetIds?: readonly string[];
  /** Bring-your-own node IAM role. @default - a role with the worker, ECR read-only and SSM policies is created */
  readonly nodeRoleArn?: string;
  /** Tags for this pool's resources, instances, volumes and ENIs (merged over the global tags). @default {} */
  readonly tags?: Tags;
}

/**
 * Root (AL2023) or data (Bottlerocket) volume size when a pool sets none: room for a node's images and logs, and
 * twice that for GPU pools, whose CUDA images are several GiB each. The platform configuration documents and
 * applies the same values (config/node-pools.ts).
 */
export const DEFAULT_DISK_SIZE_GIB = { standard: 100, gpu: 200 } as const;

/** Bounds of a pool's numeric settings, shared by the configuration schema and the construct. */
export const NODE_POOL_LIMITS = {
  minSize: { min: 0, max: 1000 },
  maxSize: { min: 1, max: 1000 },
  desiredSize: { min: 0, max: 1000 },
  diskSizeGiB: { min: 20, max: 16_384 },
  maxUnavailablePercentage: { min: 1, max: 100 },
} as const;

/** A pool's settings with every default filled in: what the rules check and the construct builds. */
export function resolvePoolSettings(poolName: string, o: NodePoolOptions): ResolvedPoolSettings {
  const gpu = o.gpu ?? false;
  const minSize = o.minSize ?? (gpu ? 0 : 1);
  const instanceTypes = o.instanceTypes ?? [gpu ? "g6.xlarge" : "m7i.xlarge"];
  return {
    poolName,
    gpu,
    instanceTypes,
    amiType: o.amiType ?? defaultAmiType(gpu, instanceTypes),
    capacityType: o.capacityType ?? "ON_DEMAND",
    minSize,
    maxSize: o.maxSize ?? (gpu ? 2 : 3),
    desiredSize: o.desiredSize ?? minSize,
    diskSizeGiB: o.diskSizeGiB ?? (gpu ? DEFAULT_DISK_SIZE_GIB.gpu : DEFAULT_DISK_SIZE_GIB.standard),
    hopLimit: o.httpPutResponseHopLimit ?? 1,
    maxUnavailablePercentage: o.maxUnavailablePercentage ?? 33,
    taints: o.taints ?? [],
    labels: o.labels ?? {},
  };
}
