import { KUBERNETES_TAINT_EFFECTS, poolNodeLabels, poolNodeTaints } from "../../cluster/node-pool-options";
import { NODE_CLASS_API, NODE_POOL_API } from "./names";
import { ACCELERATED_CATEGORIES, type ResolvedKarpenterPool } from "./pool-options";

type Requirement = { key: string; operator: "In" | "NotIn"; values: string[] };

/**
 * The requirements a pool's nodes meet. A CPU pool that names types or families rather than categories also
 * excludes every accelerated category, so a CPU pod can never bring up a GPU node; GPU pools are tainted on top.
 */
export function nodePoolRequirements(pool: ResolvedKarpenterPool): Requirement[] {
  const req: Requirement[] = [];
  const inList = (key: string, values: readonly string[]) => {
    if (values.length > 0) req.push({ key, operator: "In", values: [...values] });
  };
  inList("node.kubernetes.io/instance-type", pool.instanceTypes);
  inList("karpenter.k8s.aws/instance-family", pool.instanceFamilies);
  inList("karpenter.k8s.aws/instance-category", pool.instanceCategories);
  if (!pool.gpu && pool.instanceCategories.length === 0) {
    req.push({
      key: "karpenter.k8s.aws/instance-category",
      operator: "NotIn",
      values: [...ACCELERATED_CATEGORIES],
    });
  }
  inList("karpenter.sh/capacity-type", pool.capacityTypes);
  inList("kubernetes.io/arch", pool.architectures);
  inList("kubernetes.io/os", ["linux"]);
  inList("topology.kubernetes.io/zone", pool.zones);
  return req;
}

/**
 * The `NodePool` of one Karpenter pool, on the `EC2NodeClass` of the same name: the labels and taints a managed
 * pool of the same settings gets (constructs/cluster/node-pool-options), the requirements, the pool's limits
 * (Karpenter stops launching at them), disruption (consolidation, budgets) and node expiry, and its weight.
 * No minimum size exists: the pool has nodes only while pods need them, so GPU pools start at zero.
 */
export function karpenterNodePool(pool: ResolvedKarpenterPool): Record<string, unknown> {
  const limits = Object.fromEntries(Object.entries(pool.limits).filter(([, v]) => v !== undefined));
  return {
    apiVersion: NODE_POOL_API,
    kind: "NodePool",
    metadata: { name: pool.poolName },
    spec: {
      template: {
        metadata: { labels: poolNodeLabels(pool.poolName, pool.gpu, pool.labels) },
        spec: {
          nodeClassRef: { group: NODE_CLASS_API.split("/")[0], kind: "EC2NodeClass", name: pool.poolName },
          requirements: nodePoolRequirements(pool),
          taints: poolNodeTaints(pool.gpu, pool.taints).map((t) => ({
            key: t.key,
            ...(t.value === undefined ? {} : { value: t.value }),
            effect: KUBERNETES_TAINT_EFFECTS[t.effect],
          })),
          expireAfter: pool.expireAfter,
        },
      },
      disruption: {
        consolidationPolicy: pool.consolidationPolicy,
        consolidateAfter: pool.consolidateAfter,
        budgets: pool.budgets.map((b) => ({ ...b, ...(b.reasons ? { reasons: [...b.reasons] } : {}) })),
      },
      limits,
      weight: pool.weight,
    },
  };
}
