import { existsSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Construct } from "constructs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  gpuNodePlacement,
  gpuPoolTaints,
  NvidiaDevicePluginAddOn,
  nvidiaDevicePluginValues,
} from "../../../../constructs/addons/nvidia-device-plugin";
import { deployAddOns } from "../../../../constructs/core/addon";
import { CHARTS } from "../../../../constructs/core/charts";
import { baseAddOnContext } from "../../../support/cluster";
import { onlyResource, resourcesOf, synthStack } from "../../../support/synth";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../../..");
const chartDir = resolve(repoRoot, "../shared/schemas/charts", CHARTS.nvidiaDevicePlugin.schemaDir);
const haveReference = existsSync(resolve(chartDir, "values.yaml"));
// In CI a missing data set is a failure, not a skip.
if (!haveReference && process.env.CI === "true")
  throw new Error(`CI=true but ${chartDir} has no values.yaml`);
if (!haveReference) {
  console.warn(
    `\n${"!".repeat(78)}\n! SKIPPING nvidia-device-plugin reference checks: ${chartDir} is missing.\n` +
      `! Values keys and the pinned version are not checked against the chart's own files.\n${"!".repeat(78)}\n`,
  );
}

function synthPlugin(props: { namespace?: string; timeoutInSeconds?: number } = {}) {
  return synthStack((stack) => {
    deployAddOns(new Construct(stack, "AddOns"), baseAddOnContext(stack), [
      new NvidiaDevicePluginAddOn(props),
    ]);
  });
}

interface Toleration {
  key: string;
  operator: string;
  effect?: string;
}

describe("NvidiaDevicePluginAddOn", () => {
  const json = synthPlugin();
  const release = onlyResource(json, "helm_release");
  const values = parse(String((release.values as string[])[0])) as Record<string, unknown>;

  it("installs the pinned chart version atomically through the cluster's helm provider", () => {
    expect(release).toMatchObject({
      chart: "nvidia-device-plugin",
      repository: "https://nvidia.github.io/k8s-device-plugin",
      version: "0.20.0",
      atomic: true,
      cleanup_on_fail: true,
      timeout: 600,
      provider: "helm",
    });
    expect(release.version).toBe(CHARTS.nvidiaDevicePlugin.version);
  });

  it("runs in its own privileged namespace, with the reason recorded, and default-deny networking", () => {
    expect(release).toMatchObject({ namespace: "nvidia-device-plugin", create_namespace: false });
    const ns = onlyResource(json, "kubernetes_namespace_v1") as {
      metadata: { name: string; labels: Record<string, string>; annotations: Record<string, string> };
    };
    expect(ns.metadata.labels["pod-security.kubernetes.io/enforce"]).toBe("privileged");
    expect(ns.metadata.annotations["mlops.io/pod-security-reason"]).toMatch(/hostPath/);
    const policies = Object.values(resourcesOf(json, "kubernetes_network_policy_v1")) as {
      metadata: { name: string };
    }[];
    expect(policies.map((p) => p.metadata.name)).toEqual(["default-deny"]);
  });

  it("passes values as one YAML document", () => {
    expect(release.values).toHaveLength(1);
    expect(values).toEqual(nvidiaDevicePluginValues());
  });

  it("tolerates the GPU taint", () => {
    const tolerations = values.tolerations as Toleration[];
    expect(tolerations).toContainEqual({ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" });
  });

  it("tolerates exactly the GPU pools' own taints, once each, a taint without value by key", () => {
    const pools = {
      training: {
        create: true,
        gpu: true,
        taints: [
          { key: "mlops.io/workload", value: "training", effect: "NO_SCHEDULE" as const },
          { key: "nvidia.com/gpu", value: "true", effect: "NO_SCHEDULE" as const },
        ],
      },
      other: {
        create: true,
        gpu: true,
        taints: [
          { key: "mlops.io/workload", value: "training", effect: "NO_SCHEDULE" as const },
          { key: "dedicated", effect: "NO_EXECUTE" as const },
        ],
      },
      cpu: { create: true, gpu: false, taints: [{ key: "cpu-only", effect: "NO_SCHEDULE" as const }] },
    };
    const { tolerations } = gpuNodePlacement(gpuPoolTaints({ addons: {}, nodePools: pools }));
    expect(tolerations).toEqual([
      { key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" },
      { key: "mlops.io/workload", operator: "Equal", value: "training", effect: "NoSchedule" },
      { key: "dedicated", operator: "Exists", effect: "NoExecute" },
      { key: "CriticalAddonsOnly", operator: "Exists" },
    ]);
  });

  it("schedules only on GPU nodes that do not run the plugin on the host", () => {
    expect(values.nodeSelector).toEqual({ "nvidia.com/gpu.present": "true" });
    const terms = (values.affinity as { nodeAffinity: Record<string, { nodeSelectorTerms: unknown[] }> })
      .nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
    expect(terms).toEqual([
      {
        matchExpressions: [
          { key: "nvidia.com/gpu.present", operator: "In", values: ["true"] },
          { key: "mlops.io/nvidia-device-plugin", operator: "DoesNotExist" },
        ],
      },
    ]);
  });

  it("fails when the timeout is out of range", () => {
    expect(() => synthPlugin({ timeoutInSeconds: 5 })).toThrow(/Invalid timeoutInSeconds: got 5/);
  });
});

describe.skipIf(!haveReference)("NvidiaDevicePluginAddOn against the chart's reference files", () => {
  it("pins the version of the reference Chart.yaml", () => {
    const chart = parse(readFileSync(resolve(chartDir, "Chart.yaml"), "utf8")) as {
      version: string;
      name: string;
    };
    expect(chart.name).toBe(CHARTS.nvidiaDevicePlugin.chart);
    expect(CHARTS.nvidiaDevicePlugin.version).toBe(chart.version);
  });

  it("has no metrics endpoint at the pinned version (no monitor; GPU telemetry comes from the DCGM exporter)", () => {
    const text = readFileSync(resolve(chartDir, "values.yaml"), "utf8");
    // No metrics port, Service or ServiceMonitor value, not even commented out: nothing to scrape.
    expect(text).not.toMatch(/metrics|serviceMonitor|prometheus/i);
  });

  it("sets only keys that exist in the chart's values.yaml", () => {
    const reference = parse(readFileSync(resolve(chartDir, "values.yaml"), "utf8")) as Record<
      string,
      unknown
    >;
    const unknown = unknownKeys(nvidiaDevicePluginValues(), reference);
    expect(unknown).toEqual([]);
    // The checker itself must catch a misspelt key.
    expect(unknownKeys({ devicePlugin: { enabeld: true } }, reference)).toEqual(["devicePlugin.enabeld"]);
  });
});

const isMap = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** Paths set in `values` that the chart's values.yaml does not declare; empty maps/null there are free-form. */
function unknownKeys(
  values: Record<string, unknown>,
  reference: Record<string, unknown>,
  prefix = "",
): string[] {
  const out: string[] = [];
  for (const [key, value] of Object.entries(values)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (!(key in reference)) {
      out.push(path);
      continue;
    }
    const ref = reference[key];
    if (isMap(value) && isMap(ref) && Object.keys(ref).length > 0) out.push(...unknownKeys(value, ref, path));
  }
  return out;
}
