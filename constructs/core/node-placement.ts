import { z } from "zod";
import type { AddOnSelection } from "./addon-definition";

/**
 * Which node pool an add-on's pods run on: the label every kit node pool carries with its name (cluster's
 * NODE_POOL_LABEL, written out because core does not import cluster), the configuration field that names the
 * pool, and the check that the platform creates it. One place for every add-on pinned to a pool (the system
 * pool's controllers: metrics-server, the load balancer controller).
 */
export const NODE_POOL_LABEL = "mlops.io/node-pool";

/** `<addon>.nodePool`: a pool name, `system` by default. */
export const nodePoolField = () =>
  z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "expected a node pool name (a-z, 0-9, '-')")
    .default("system")
    .describe("Node pool the pods run on (nodeSelector mlops.io/node-pool); it must exist in nodePools.");

/** The pods' nodeSelector for a pool. */
export function nodePoolSelector(nodePool: string): Record<string, string> {
  return { [NODE_POOL_LABEL]: nodePool };
}

/**
 * The problem of a `nodePool` the platform does not create (the pods would stay Pending), at
 * `<key>.nodePool` relative to `addons`; for an add-on definition's `platformProblems`.
 */
export function nodePoolProblems(
  key: string,
  nodePool: string,
  platform: AddOnSelection,
): { readonly path: readonly (string | number)[]; readonly message: string }[] {
  const pools = Object.entries(platform.nodePools)
    .filter(([, p]) => p.create)
    .map(([name]) => name);
  if (pools.includes(nodePool)) return [];
  return [
    {
      path: [key, "nodePool"],
      message: `got ${JSON.stringify(nodePool)}; expected a node pool the platform creates (${pools.join(", ") || "none"})`,
    },
  ];
}
