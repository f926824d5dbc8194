import { describe, expect, it } from "vitest";
import { NODE_POOL_LABEL as CLUSTER_LABEL } from "../../../constructs/cluster/node-pool-options";
import { NODE_POOL_LABEL, nodePoolProblems, nodePoolSelector } from "../../../constructs/core/node-placement";

describe("node pool placement", () => {
  it("selects the label the cluster's node pools carry", () => {
    expect(NODE_POOL_LABEL).toBe(CLUSTER_LABEL);
    expect(nodePoolSelector("system")).toEqual({ [CLUSTER_LABEL]: "system" });
  });

  it("fails when the pool is not created, listing the pools that are", () => {
    const pool = (create: boolean) => ({ create, gpu: false });
    const platform = { addons: {}, nodePools: { system: pool(true), gpu: pool(false) } };
    expect(nodePoolProblems("metricsServer", "system", platform)).toEqual([]);
    expect(nodePoolProblems("metricsServer", "gpu", platform)).toEqual([
      {
        path: ["metricsServer", "nodePool"],
        message: 'got "gpu"; expected a node pool the platform creates (system)',
      },
    ]);
  });
});
