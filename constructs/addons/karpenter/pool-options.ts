import { DEFAULT_DISK_SIZE_GIB, type NodeTaint } from "../../cluster/node-pool-options";
import type { Tags } from "../../core/tags";

/**
 * A Karpenter pool's own settings (`nodePools.<name>` with `provisioner: karpenter`): what the configuration
 * schema accepts, what the rules check (pool-validation.ts) and what node-pool.ts / node-class.ts build.
 */

/** Who launches a pool's nodes (`nodePools.<name>.provisioner`). */
export const NODE_PROVISIONERS = ["managed", "karpenter"] as const;
export type NodeProvisioner = (typeof NODE_PROVISIONERS)[number];

/** `karpenter.sh/capacity-type` values; with both, Karpenter launches Spot and falls back to On-Demand. */
export const KARPENTER_CAPACITY_TYPES = ["spot", "on-demand"] as const;
export type KarpenterCapacityType = (typeof KARPENTER_CAPACITY_TYPES)[number];

/** `kubernetes.io/arch` values. */
export const KARPENTER_ARCHITECTURES = ["amd64", "arm64"] as const;
export type KarpenterArchitecture = (typeof KARPENTER_ARCHITECTURES)[number];

export const CONSOLIDATION_POLICIES = ["WhenEmptyOrUnderutilized", "WhenEmpty"] as const;
export type ConsolidationPolicy = (typeof CONSOLIDATION_POLICIES)[number];

export const DISRUPTION_REASONS = ["Underutilized", "Empty", "Drifted"] as const;

/** EC2 instance categories of accelerated instances (NVIDIA g/p, Inferentia, Trainium, Gaudi). */
export const ACCELERATED_CATEGORIES = ["g", "p", "inf", "trn", "dl"] as const;
/** The categories a GPU pool draws from when it names none (NVIDIA GPU instances). */
export const GPU_CATEGORIES = ["g", "p"] as const;
/** The categories a CPU pool draws from when it names no type, family or category: general, compute, memory. */
export const DEFAULT_CPU_CATEGORIES = ["c", "m", "r"] as const;

/** A Karpenter duration (`30s`, `5m`, `720h`, `1h30m`) or `Never`, as the NodePool CRD accepts it. */
export const KARPENTER_DURATION = /^(([0-9]+(s|m|h))+|Never)$/;

export interface DisruptionBudget {
  /** Nodes (count or percentage) that may be disrupted at once. */
  readonly nodes: string;
  /** Cron schedule during which the budget applies. @default - always */
  readonly schedule?: string;
  /** How long the budget applies from each `schedule` tick (`1h`, `30m`). @default - none */
  readonly duration?: string;
  /** Disruption reasons the budget covers. @default - all */
  readonly reasons?: readonly (typeof DISRUPTION_REASONS)[number][];
}

export interface KarpenterDisruption {
  /** @default - WhenEmpty for GPU pools (never repack a running job), WhenEmptyOrUnderutilized otherwise */
  readonly consolidationPolicy?: ConsolidationPolicy;
  /** Time a node stays empty/underutilized before consolidation. @default - "5m" for GPU pools, "1m" otherwise */
  readonly consolidateAfter?: string;
  /** @default [{ nodes: "10%" }] */
  readonly budgets?: readonly DisruptionBudget[];
  /** Nodes are replaced after this age (fresh AMIs, bounded drift). @default "720h" */
  readonly expireAfter?: string;
}

/** What the pool may buy in total; the NodePool stops launching once a limit is reached. */
export interface KarpenterLimits {
  /** vCPUs across the pool's nodes. */
  readonly cpu?: number | string;
  /** Memory across the pool's nodes (`"512Gi"`). */
  readonly memory?: string;
  /** NVIDIA GPUs across the pool's nodes (required on GPU pools). */
  readonly "nvidia.com/gpu"?: number;
}

export interface KarpenterPoolOptions {
  /** @default false */
  readonly gpu?: boolean;
  /** Pools that must not run on Spot alone. @default false */
  readonly critical?: boolean;
  /** Exact instance types. @default - none (families/categories decide) */
  readonly instanceTypes?: readonly string[];
  /** Instance families (`g6`, `m7i`). @default - none */
  readonly instanceFamilies?: readonly string[];
  /** Instance categories (`c`, `m`, `r`, `g`). @default - g, p on GPU pools; c, m, r otherwise when nothing else is named */
  readonly instanceCategories?: readonly string[];
  /** @default ["spot", "on-demand"] */
  readonly capacityTypes?: readonly KarpenterCapacityType[];
  /** @default ["amd64"] */
  readonly architectures?: readonly KarpenterArchitecture[];
  /** Availability zones (`eu-west-1a`). @default - every zone of the discovered subnets */
  readonly zones?: readonly string[];
  readonly limits?: KarpenterLimits;
  readonly disruption?: KarpenterDisruption;
  /** Preference among pools that fit a pod (higher first). @default - 10 for GPU pools, 50 otherwise */
  readonly weight?: number;
  /** EKS AL2023 AMI release (`v20251120`) or `latest` (replaced on each release, bounded by the budgets). @default "latest" */
  readonly amiVersion?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly taints?: readonly NodeTaint[];
  /** @default - 100, or 200 on GPU pools */
  readonly diskSizeGiB?: number;
  /** @default 1 */
  readonly httpPutResponseHopLimit?: 1 | 2;
  readonly tags?: Tags;
}

/** Default weights: any CPU pool ranks above any GPU pool, so a pod both could take lands on CPU. */
export const DEFAULT_WEIGHT = { cpu: 50, gpu: 10 } as const;
export const WEIGHT_RANGE = { min: 1, max: 100 } as const;

export interface ResolvedKarpenterPool {
  readonly poolName: string;
  readonly gpu: boolean;
  readonly critical: boolean;
  readonly instanceTypes: readonly string[];
  readonly instanceFamilies: readonly string[];
  readonly instanceCategories: readonly string[];
  readonly capacityTypes: readonly string[];
  readonly architectures: readonly string[];
  readonly zones: readonly string[];
  readonly limits: KarpenterLimits;
  readonly consolidationPolicy: string;
  readonly consolidateAfter: string;
  readonly budgets: readonly DisruptionBudget[];
  readonly expireAfter: string;
  readonly weight: number;
  readonly amiVersion: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly taints: readonly NodeTaint[];
  readonly diskSizeGiB: number;
  readonly hopLimit: number;
  readonly tags: Tags;
}

/** The pool with every default filled in: what the rules check and the builders emit. */
export function resolveKarpenterPool(poolName: string, o: KarpenterPoolOptions): ResolvedKarpenterPool {
  const gpu = o.gpu ?? false;
  const types = o.instanceTypes ?? [];
  const families = o.instanceFamilies ?? [];
  const named = types.length > 0 || families.length > 0;
  const d = o.disruption ?? {};
  return {
    poolName,
    gpu,
    critical: o.critical ?? false,
    instanceTypes: types,
    instanceFamilies: families,
    instanceCategories: o.instanceCategories ?? (named ? [] : gpu ? GPU_CATEGORIES : DEFAULT_CPU_CATEGORIES),
    capacityTypes: o.capacityTypes ?? KARPENTER_CAPACITY_TYPES,
    architectures: o.architectures ?? ["amd64"],
    zones: o.zones ?? [],
    limits: o.limits ?? {},
    consolidationPolicy: d.consolidationPolicy ?? (gpu ? "WhenEmpty" : "WhenEmptyOrUnderutilized"),
    consolidateAfter: d.consolidateAfter ?? (gpu ? "5m" : "1m"),
    budgets: d.budgets ?? [{ nodes: "10%" }],
    expireAfter: d.expireAfter ?? "720h",
    weight: o.weight ?? (gpu ? DEFAULT_WEIGHT.gpu : DEFAULT_WEIGHT.cpu),
    amiVersion: o.amiVersion ?? "latest",
    labels: o.labels ?? {},
    taints: o.taints ?? [],
    diskSizeGiB: o.diskSizeGiB ?? (gpu ? DEFAULT_DISK_SIZE_GIB.gpu : DEFAULT_DISK_SIZE_GIB.standard),
    hopLimit: o.httpPutResponseHopLimit ?? 1,
    tags: o.tags ?? {},
  };
}
