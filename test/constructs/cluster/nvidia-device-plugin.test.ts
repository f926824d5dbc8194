import { existsSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { NvidiaDevicePlugin, nvidiaDevicePluginValues } from "../../../constructs/cluster";
import { CHARTS } from "../../../constructs/core/charts";
import { testClusterContext } from "../../support/cluster";
import { onlyResource, synthStack } from "../../support/synth";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const chartDir = resolve(repoRoot, "../shared/schemas/charts", CHARTS.nvidiaDevicePlugin.schemaDir);
const haveReference = existsSync(resolve(chartDir, "values.yaml"));
if (!haveReference) {
  console.warn(
    `\n${"!".repeat(78)}\n! SKIPPING nvidia-device-plugin reference checks: ${chartDir} is missing.\n` +
      `! Values keys and the pinned version are not checked against the chart's own files.\n${"!".repeat(78)}\n`,
  );
}

function synthPlugin(props: { namespace?: string; timeoutInSeconds?: number } = {}) {
  return synthStack((stack) => {
    new NvidiaDevicePlugin(stack, "DevicePlugin", { context: testClusterContext(stack), ...props });
  });
}

interface Toleration {
  key: string;
  operator: string;
  effect?: string;
}

describe("NvidiaDevicePlugin", () => {
  const release = onlyResource(synthPlugin(), "helm_release");
  const values = parse(String((release.values as string[])[0])) as Record<string, unknown>;

  it("installs the pinned chart version atomically through the cluster's helm provider", () => {
    expect(release).toMatchObject({
      chart: "nvidia-device-plugin",
      repository: "https://nvidia.github.io/k8s-device-plugin",
      version: "0.20.0",
      atomic: true,
      cleanup_on_fail: true,
      wait: true,
      timeout: 600,
      provider: "helm",
    });
    expect(release.version).toBe(CHARTS.nvidiaDevicePlugin.version);
  });

  it("runs in its own namespace by default, or in kube-system without creating it", () => {
    expect(release).toMatchObject({ namespace: "nvidia-device-plugin", create_namespace: true });
    const system = onlyResource(synthPlugin({ namespace: "kube-system" }), "helm_release");
    expect(system).toMatchObject({ namespace: "kube-system", create_namespace: false });
  });

  it("passes values as one YAML document", () => {
    expect(release.values).toHaveLength(1);
    expect(values).toEqual(nvidiaDevicePluginValues());
  });

  it("tolerates the GPU taint", () => {
    const tolerations = values.tolerations as Toleration[];
    expect(tolerations).toContainEqual({ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" });
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

describe.skipIf(!haveReference)("NvidiaDevicePlugin against the chart's reference files", () => {
  it("pins the version of the reference Chart.yaml", () => {
    const chart = parse(readFileSync(resolve(chartDir, "Chart.yaml"), "utf8")) as {
      version: string;
      name: string;
    };
    expect(chart.name).toBe(CHARTS.nvidiaDevicePlugin.chart);
    expect(CHARTS.nvidiaDevicePlugin.version).toBe(chart.version);
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
