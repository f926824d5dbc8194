import { z } from "zod";
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

export const NodePoolSchema = z
  .strictObject({
    create: z.boolean().default(true).describe("Set false to drop a pool inherited from a preset."),
    gpu: z
      .boolean()
      .default(false)
      .describe("A GPU pool: NVIDIA AMI, `nvidia.com/gpu=true:NoSchedule` taint, GPU instance types only."),
    instanceTypes: z.array(z.string()).min(1).describe("EC2 instance types, in order of preference."),
    capacityType: z.enum(CAPACITY_TYPES).default("ON_DEMAND").describe("On-demand or Spot capacity."),
    amiType: z
      .enum(AMI_TYPES)
      .optional()
      .describe("EKS AMI type. Default: AL2023, NVIDIA for GPU pools, ARM for Graviton."),
    minSize: int(NODE_POOL_LIMITS.minSize).describe("Minimum nodes (0 allowed, e.g. for GPU pools)."),
    maxSize: int(NODE_POOL_LIMITS.maxSize).describe("Maximum nodes."),
    desiredSize: int(NODE_POOL_LIMITS.desiredSize).optional().describe("Initial nodes. Default: `minSize`."),
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
  .describe("A managed node group.");

export type NodePoolConfig = z.output<typeof NodePoolSchema>;

/** A configured pool as NodePool options (what the foundation stack hands to EksCluster). */
export function toNodePoolOptions(p: NodePoolConfig): NodePoolOptions {
  return {
    gpu: p.gpu,
    instanceTypes: p.instanceTypes,
    amiType: p.amiType,
    capacityType: p.capacityType,
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

/** The pools as a whole (one must run the cluster add-ons), then each pool by the construct's rules. */
export function checkNodePools(pools: Readonly<Record<string, NodePoolConfig>>, ctx: z.RefinementCtx): void {
  const active = Object.entries(pools).filter(([, p]) => p.create);
  if (active.length === 0) {
    issue(ctx, ["nodePools"], Object.keys(pools), "at least one node pool with create: true is needed");
  }
  if (!active.some(([, p]) => !p.gpu && p.minSize > 0)) {
    issue(
      ctx,
      ["nodePools"],
      Object.keys(pools),
      "at least one non-GPU pool with minSize ≥ 1 is needed to run cluster add-ons (coredns, controllers)",
    );
  }
  for (const [name, p] of Object.entries(pools)) {
    for (const problem of nodePoolProblems(resolvePoolSettings(name, toNodePoolOptions(p)))) {
      issue(ctx, ["nodePools", name, ...problem.path], problem.value, `expected ${problem.expected}`);
    }
    p.taints.forEach((t, i) => {
      // The construct tolerates (and drops) a repeat of its own GPU taint; in a file it is a mistake to point out.
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
}
