/**
 * The gpu-training preset's GPU pools carry taints of their own (mlops.io/workload=training) besides
 * nvidia.com/gpu: the DaemonSets that must run on every GPU node (device plugin, DCGM exporter) tolerate every
 * taint the synthesized node groups carry, or those GPUs are never advertised nor watched.
 */
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { EMBEDDED_DEFAULT } from "../../../../config/presets";
import { deepMerge } from "../../../../constructs/core/merge";
import type { Json } from "../../../support/manifests";
import { synthPlatform } from "../../../support/platform";

interface Taint {
  key: string;
  value?: string;
  effect: string;
}
interface Toleration {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
}

// How EKS writes the node group's taint effects onto the nodes.
const NODE_EFFECT: Record<string, string> = {
  NO_SCHEDULE: "NoSchedule",
  NO_EXECUTE: "NoExecute",
  PREFER_NO_SCHEDULE: "PreferNoSchedule",
};

/** Kubernetes' rule (Toleration.ToleratesTaint): effect and key match when set, then Exists or equal value. */
function tolerates(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  if (!t.key && t.operator !== "Exists") return false;
  if (t.operator === "Exists") return true;
  return (t.value ?? "") === (taint.value ?? "");
}

const untolerated = (tolerations: Toleration[], taints: Taint[]) =>
  taints.filter((taint) => !tolerations.some((t) => tolerates(t, taint)));

describe("tolerates", () => {
  const taint = { key: "mlops.io/workload", value: "training", effect: "NoSchedule" };
  it("fails when the key, value or effect differs, or an empty key is not Exists", () => {
    expect(tolerates({ key: "mlops.io/workload", operator: "Equal", value: "training" }, taint)).toBe(true);
    expect(tolerates({ operator: "Exists" }, taint)).toBe(true);
    expect(tolerates({ key: "mlops.io/workload", operator: "Equal", value: "serving" }, taint)).toBe(false);
    expect(tolerates({ key: "mlops.io/workload", operator: "Exists", effect: "NoExecute" }, taint)).toBe(
      false,
    );
    expect(tolerates({ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }, taint)).toBe(false);
    expect(tolerates({ operator: "Equal", value: "training" }, taint)).toBe(false);
  });
});

describe("the gpu-training preset's GPU pools", () => {
  const platform = synthPlatform(
    deepMerge(EMBEDDED_DEFAULT, { preset: "gpu-training", addons: { monitoring: { enabled: true } } }),
  );
  const resources = (type: string): Json[] =>
    Object.values(platform.stacks).flatMap((s) =>
      Object.values((s.resource?.[type] ?? {}) as Record<string, Json>),
    );
  // GPU pools of both provisioners: managed node groups (EKS effect names) and Karpenter NodePools.
  const nodeGroups = resources("aws_eks_node_group")
    .filter((g) => g.labels?.["nvidia.com/gpu.present"] === "true")
    .map((g) => ({
      name: String(g.node_group_name_prefix),
      labels: g.labels as Record<string, string>,
      taints: (g.taint ?? []).map((t: Json) => ({
        key: t.key,
        value: t.value,
        effect: NODE_EFFECT[t.effect],
      })),
    }));
  const nodePools = resources("kubernetes_manifest")
    .map((r) => r.manifest)
    .filter(
      (m) => m.kind === "NodePool" && m.spec.template.metadata.labels["nvidia.com/gpu.present"] === "true",
    )
    .map((m) => ({
      name: String(m.metadata.name),
      labels: m.spec.template.metadata.labels as Record<string, string>,
      taints: m.spec.template.spec.taints as Taint[],
    }));
  const gpuPools = [...nodeGroups, ...nodePools];
  const taintsOf = (g: { taints: Taint[] } | undefined): Taint[] => g?.taints ?? [];
  const tolerationsOf = (chart: string): Toleration[] => {
    const release = resources("helm_release").find((r) => r.chart === chart);
    expect(release, chart).toBeDefined();
    return (parse(String(release?.values?.[0])) as Json).tolerations;
  };

  it("include the training pool with its own taint beside nvidia.com/gpu", () => {
    const training = gpuPools.find((g) => g.labels["mlops.io/pool"] === "gpu-training");
    expect(taintsOf(training)).toEqual(
      expect.arrayContaining([
        { key: "nvidia.com/gpu", value: "true", effect: "NoSchedule" },
        { key: "mlops.io/workload", value: "training", effect: "NoSchedule" },
      ]),
    );
    expect(gpuPools.length).toBeGreaterThanOrEqual(2);
    // The default configuration launches them with Karpenter.
    expect(nodePools.map((p) => p.name).sort()).toEqual(["gpu", "training"]);
  });

  for (const chart of ["nvidia-device-plugin", "dcgm-exporter"]) {
    it(`${chart}: tolerates every taint of every GPU pool`, () => {
      const tolerations = tolerationsOf(chart);
      for (const pool of gpuPools) expect(untolerated(tolerations, taintsOf(pool)), pool.name).toEqual([]);
      // Exactly the configured taints, not a catch-all.
      expect(tolerations.every((t) => t.key)).toBe(true);
    });
  }
});
