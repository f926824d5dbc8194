import { z } from "zod";
import {
  CONSOLIDATION_POLICIES,
  DEFAULT_WEIGHT,
  DISRUPTION_REASONS,
  KARPENTER_ARCHITECTURES,
  KARPENTER_CAPACITY_TYPES,
  type KarpenterPoolOptions,
  NODE_PROVISIONERS,
  resolveKarpenterPool,
} from "../constructs/addons/karpenter/pool-options";
import { karpenterPoolProblems } from "../constructs/addons/karpenter/pool-validation";
import { AMI_TYPES } from "../constructs/cluster/ami-types";
import {
  CAPACITY_TYPES,
  DEFAULT_DISK_SIZE_GIB,
  NODE_POOL_LIMITS,
  type NodePoolOptions,
  resolvePoolSettings,
  TAINT_EFFECTS,
} from "../constructs/cluster/node-pool-options";
import { nodePoolProblems } from "../constructs/cluster/node-pool-validation";
import { tags } from "../constructs/primitives";
import { issue } from "./issue";

/**
 * `nodePools.<name>`: the schema gives the shape and the bounds; every other rule is the NodePool construct's
 * (constructs/cluster/node-pool-validation.ts), run here on the pool with its defaults filled in the same way,
 * so the configuration and a pool built from code accept the same pools.
 */

const TaintSchema = z.strictObject({
  key: z.string().min(1).max(253),
  value: z.string().max(63).optional(),
  effect: z.enum(TAINT_EFFECTS),
});

const int = (limits: { readonly min: number; readonly max: number }) =>
  z.int().min(limits.min).max(limits.max);

export { AMI_TYPES };

const quantity = z.union([z.number().positive(), z.string().regex(/^[0-9]+(\.[0-9]+)?(m|k|Ki|Mi|Gi|Ti)?$/)]);

const BudgetSchema = z.strictObject({
  nodes: z.string().describe('Nodes disrupted at once: a count ("1") or a percentage ("10%").'),
  schedule: z.string().optional().describe('Cron schedule when the budget applies ("0 9 * * mon-fri").'),
  duration: z.string().optional().describe('How long from each schedule tick ("8h").'),
  reasons: z.array(z.enum(DISRUPTION_REASONS)).optional().describe("Reasons it covers. Default: all."),
});

/** Fields only a managed node group takes; a Karpenter pool refusing them names its own instead. */
const MANAGED_ONLY = {
  capacityType: "capacityTypes",
  amiType: "amiVersion",
  minSize: "limits",
  maxSize: "limits",
  desiredSize: "limits",
} as const;
/** Fields only a Karpenter pool takes. */
const KARPENTER_ONLY = [
  "instanceFamilies",
  "instanceCategories",
  "capacityTypes",
  "architectures",
  "zones",
  "limits",
  "disruption",
  "weight",
  "amiVersion",
] as const;

export const NodePoolSchema = z
  .strictObject({
    create: z.boolean().default(true).describe("Set false to drop a pool inherited from a preset."),
    provisioner: z
      .enum(NODE_PROVISIONERS)
      .default("managed")
      .describe(
        "Who launches the nodes: an EKS managed node group (fixed min/max), or Karpenter (`capacity.autoscaler: karpenter`: nodes on demand, from zero, within `limits`). The system pool stays managed.",
      ),
    gpu: z
      .boolean()
      .default(false)
      .describe("A GPU pool: NVIDIA AMI, `nvidia.com/gpu=true:NoSchedule` taint, GPU instance types only."),
    critical: z
      .boolean()
      .default(false)
      .describe("A pool whose workloads must not depend on Spot alone: On-Demand capacity required."),
    instanceTypes: z
      .array(z.string())
      .min(1)
      .optional()
      .describe(
        "EC2 instance types, in order of preference. Required for managed pools; Karpenter pools may name families or categories instead.",
      ),
    capacityType: z
      .enum(CAPACITY_TYPES)
      .optional()
      .describe("Managed pools: On-Demand or Spot capacity. Default: ON_DEMAND."),
    amiType: z
      .enum(AMI_TYPES)
      .optional()
      .describe("Managed pools: EKS AMI type. Default: AL2023, NVIDIA for GPU pools, ARM for Graviton."),
    minSize: int(NODE_POOL_LIMITS.minSize)
      .optional()
      .describe("Managed pools (required): minimum nodes (0 allowed, e.g. for GPU pools)."),
    maxSize: int(NODE_POOL_LIMITS.maxSize).optional().describe("Managed pools (required): maximum nodes."),
    desiredSize: int(NODE_POOL_LIMITS.desiredSize)
      .optional()
      .describe("Managed pools: initial nodes. Default: `minSize`."),
    instanceFamilies: z
      .array(z.string())
      .min(1)
      .optional()
      .describe("Karpenter pools: instance families (`m7i`, `g6`)."),
    instanceCategories: z
      .array(z.string())
      .min(1)
      .optional()
      .describe(
        "Karpenter pools: instance categories (`c`, `m`, `r`). Default, when no type or family is named: `g`, `p` for GPU pools, `c`, `m`, `r` otherwise.",
      ),
    capacityTypes: z
      .array(z.enum(KARPENTER_CAPACITY_TYPES))
      .min(1)
      .optional()
      .describe(
        "Karpenter pools: `spot`, `on-demand`. With both, Karpenter launches Spot and falls back to On-Demand. Default: both.",
      ),
    architectures: z
      .array(z.enum(KARPENTER_ARCHITECTURES))
      .min(1)
      .optional()
      .describe("Karpenter pools: CPU architectures. Default: `amd64`."),
    zones: z
      .array(
        z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d[a-z]$/, "expected an availability zone like eu-west-1a"),
      )
      .min(1)
      .optional()
      .describe("Karpenter pools: availability zones. Default: every zone of the cluster's private subnets."),
    limits: z
      .strictObject({
        cpu: quantity.optional().describe("vCPUs across the pool's nodes (required)."),
        memory: z.string().optional().describe('Memory across the pool\'s nodes ("512Gi").'),
        "nvidia.com/gpu": z
          .int()
          .min(0)
          .optional()
          .describe("GPUs across the pool's nodes (required on GPU pools)."),
      })
      .optional()
      .describe(
        "Karpenter pools: the most the pool may run at once (it launches nothing beyond): the spending cap, so a runaway job cannot buy a fleet.",
      ),
    disruption: z
      .strictObject({
        consolidationPolicy: z
          .enum(CONSOLIDATION_POLICIES)
          .optional()
          .describe(
            "Remove empty nodes only, or also repack underutilized ones. Default: WhenEmpty on GPU pools (never move a running job), WhenEmptyOrUnderutilized otherwise.",
          ),
        consolidateAfter: z
          .string()
          .optional()
          .describe(
            'How long a node stays empty/underutilized before removal. Default: "5m" on GPU pools, "1m" otherwise.',
          ),
        budgets: z
          .array(BudgetSchema)
          .min(1)
          .optional()
          .describe('At most this many nodes disrupted at once. Default: `[{ nodes: "10%" }]`.'),
        expireAfter: z
          .string()
          .optional()
          .describe('Nodes are replaced after this age (fresh AMIs). Default: "720h"; "Never" to keep them.'),
      })
      .optional()
      .describe("Karpenter pools: when nodes are removed or replaced."),
    weight: z
      .int()
      .optional()
      .describe(
        `Karpenter pools: preference when several pools fit a pod (1-100, higher first). Default: ${DEFAULT_WEIGHT.cpu}, or ${DEFAULT_WEIGHT.gpu} on GPU pools, so CPU pods never land on GPU nodes.`,
      ),
    amiVersion: z
      .string()
      .optional()
      .describe(
        'Karpenter pools: EKS AL2023 AMI release ("v20251120"), or "latest" (nodes replaced on each release, within the budgets). Default: "latest".',
      ),
    diskSizeGiB: int(NODE_POOL_LIMITS.diskSizeGiB)
      .optional()
      .describe(
        `Encrypted gp3 root volume size (GiB). Default: ${DEFAULT_DISK_SIZE_GIB.standard}, or ${DEFAULT_DISK_SIZE_GIB.gpu} for GPU pools (CUDA images are large).`,
      ),
    labels: z.record(z.string(), z.string()).default({}).describe("Kubernetes node labels."),
    taints: z.array(TaintSchema).default([]).describe("Kubernetes taints (`key`, `value`, `effect`)."),
    httpPutResponseHopLimit: z
      .union([z.literal(1), z.literal(2)])
      .default(1)
      .describe("IMDSv2 hop limit: 1 keeps pods off the node's credentials; 2 only for pods that need IMDS."),
    tags: tags.default({}).describe("Tags on this pool's resources."),
  })
  .describe("A node pool: an EKS managed node group, or a Karpenter NodePool.");

export type NodePoolConfig = z.output<typeof NodePoolSchema>;

/** A configured pool is what the Karpenter add-on reads (it gets pools through AddOnSelection): checked here. */
export function toKarpenterPoolOptions(p: NodePoolConfig): KarpenterPoolOptions {
  return p;
}

/** A configured pool as NodePool options (what the foundation stack hands to EksCluster). */
export function toNodePoolOptions(p: NodePoolConfig): NodePoolOptions {
  return {
    gpu: p.gpu,
    instanceTypes: p.instanceTypes,
    amiType: p.amiType,
    capacityType: p.capacityType ?? "ON_DEMAND",
    minSize: p.minSize,
    maxSize: p.maxSize,
    desiredSize: p.desiredSize,
    diskSizeGiB: p.diskSizeGiB,
    httpPutResponseHopLimit: p.httpPutResponseHopLimit,
    labels: p.labels,
    taints: p.taints,
    tags: p.tags,
  };
}

/**
 * The pools as a whole (a managed one must run the cluster add-ons and Karpenter), then each by its rules.
 * An existing cluster (`existingCluster`) already has nodes for its add-ons: without Karpenter it needs no pool
 * of the kit's; Karpenter's controller still runs on a managed pool the kit creates.
 */
export function checkNodePools(
  pools: Readonly<Record<string, NodePoolConfig>>,
  autoscaler: "karpenter" | "none",
  ctx: z.RefinementCtx,
  options: { readonly existingCluster?: boolean } = {},
): void {
  const active = Object.entries(pools).filter(([, p]) => p.create);
  const needsOwnPool = !(options.existingCluster && autoscaler === "none");
  if (needsOwnPool && active.length === 0) {
    issue(ctx, ["nodePools"], Object.keys(pools), "at least one node pool with create: true is needed");
  }
  if (
    needsOwnPool &&
    !active.some(([, p]) => p.provisioner === "managed" && !p.gpu && (p.minSize ?? 0) > 0)
  ) {
    issue(
      ctx,
      ["nodePools"],
      Object.keys(pools),
      "at least one managed non-GPU pool with minSize ≥ 1 is needed to run cluster add-ons (coredns, controllers, Karpenter itself)",
    );
  }
  for (const [name, p] of Object.entries(pools)) {
    if (p.provisioner === "karpenter") checkKarpenterPool(name, p, autoscaler, ctx);
    else checkManagedPool(name, p, ctx);
  }
}

function checkManagedPool(name: string, p: NodePoolConfig, ctx: z.RefinementCtx): void {
  const at = (...path: (string | number)[]) => ["nodePools", name, ...path];
  if (!p.create) return;
  for (const field of KARPENTER_ONLY) {
    if (p[field] !== undefined)
      issue(
        ctx,
        at(field),
        p[field],
        "expected a Karpenter pool setting: remove it, or set provisioner: karpenter",
      );
  }
  for (const field of ["instanceTypes", "minSize", "maxSize"] as const) {
    if (p[field] === undefined)
      issue(ctx, at(field), undefined, "expected a value: required for a managed node group");
  }
  if (p.critical && p.capacityType === "SPOT") {
    issue(
      ctx,
      at("capacityType"),
      p.capacityType,
      "expected ON_DEMAND: the pool is marked critical and must not run on Spot alone",
    );
  }
  if (p.instanceTypes === undefined || p.minSize === undefined || p.maxSize === undefined) return;
  for (const problem of nodePoolProblems(resolvePoolSettings(name, toNodePoolOptions(p)))) {
    issue(ctx, at(...problem.path), problem.value, `expected ${problem.expected}`);
  }
  gpuTaintRepeat(name, p, ctx);
}

function checkKarpenterPool(
  name: string,
  p: NodePoolConfig,
  autoscaler: "karpenter" | "none",
  ctx: z.RefinementCtx,
): void {
  const at = (...path: (string | number)[]) => ["nodePools", name, ...path];
  if (!p.create) return;
  if (autoscaler !== "karpenter") {
    issue(
      ctx,
      at("provisioner"),
      p.provisioner,
      `expected "managed", or capacity.autoscaler: karpenter (it is "${autoscaler}", so nothing would launch this pool's nodes)`,
    );
  }
  if (name === "system" || p.labels["mlops.io/pool"] === "system") {
    issue(
      ctx,
      at("provisioner"),
      p.provisioner,
      'expected "managed": the system pool runs the cluster add-ons and Karpenter itself',
    );
  }
  for (const [field, instead] of Object.entries(MANAGED_ONLY) as [keyof typeof MANAGED_ONLY, string][]) {
    if (p[field] !== undefined)
      issue(
        ctx,
        at(field),
        p[field],
        `expected none: a managed node group setting; a Karpenter pool takes ${instead} instead`,
      );
  }
  for (const problem of karpenterPoolProblems(resolveKarpenterPool(name, toKarpenterPoolOptions(p)))) {
    issue(ctx, at(...problem.path), problem.value, `expected ${problem.expected}`);
  }
  gpuTaintRepeat(name, p, ctx);
}

/** The construct tolerates (and drops) a repeat of its own GPU taint; in a file it is a mistake to point out. */
function gpuTaintRepeat(name: string, p: NodePoolConfig, ctx: z.RefinementCtx): void {
  p.taints.forEach((t, i) => {
    if (p.gpu && t.key === "nvidia.com/gpu") {
      issue(
        ctx,
        ["nodePools", name, "taints", i],
        t,
        "the nvidia.com/gpu taint is added to GPU pools automatically",
      );
    }
  });
}

/** `capacity.autoscaler` values. */
export const AUTOSCALERS = ["karpenter", "none"] as const;
