/**
 * The default platform with monitoring on: which ServiceMonitors and PodMonitors each add-on emits, and that
 * Prometheus' selectors take them in (they live in namespaces of the kit).
 */
import { describe, expect, it } from "vitest";
import { EMBEDDED_DEFAULT } from "../../../../config/presets";
import { deepMerge } from "../../../../constructs/core/merge";
import { type SynthesizedPlatform, synthPlatform } from "../../../support/platform";
import type { Json } from "./support";

const MONITOR_KINDS = ["ServiceMonitor", "PodMonitor"];

/** Every monitor of every stack, with the add-on whose construct scope emitted it. */
function monitorsByAddOn(p: SynthesizedPlatform): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const stack of Object.values(p.stacks)) {
    for (const r of Object.values((stack.resource?.kubernetes_manifest ?? {}) as Record<string, Json>)) {
      const m = r.manifest;
      if (!MONITOR_KINDS.includes(m.kind)) continue;
      // Paths are <stack>/<add-on id>/<construct id>: the manifests stack scopes each add-on by its id.
      const addOn = String(r["//"]?.metadata?.path ?? "?/?").split("/")[1];
      out[addOn] = [...(out[addOn] ?? []), `${m.kind} ${m.metadata.namespace}/${m.metadata.name}`];
    }
  }
  return out;
}

function releaseValues(p: SynthesizedPlatform, chart: string): string {
  const r = Object.values((p.platform.resource?.helm_release ?? {}) as Record<string, Json>).find(
    (x) => x.chart === chart,
  );
  return (r?.values ?? []).join("\n");
}

describe("the default platform with monitoring on", () => {
  const platform = synthPlatform(deepMerge(EMBEDDED_DEFAULT, { addons: { monitoring: { enabled: true } } }));
  const monitors = monitorsByAddOn(platform);

  it("lists the monitors each add-on emits", () => {
    const lines = Object.entries(monitors).flatMap(([a, ms]) => ms.map((m) => `  ${a}: ${m}`));
    console.info(`[monitoring] monitors per add-on (custom resources):\n${lines.join("\n")}`);
    expect(monitors.kafka).toEqual([
      "PodMonitor kafka/platform-kafka-exporter",
      "PodMonitor kafka/platform-kafka",
      "PodMonitor kafka/strimzi-cluster-operator",
    ]);
    expect(monitors.airflow).toEqual([expect.stringMatching(/^ServiceMonitor .*\/airflow-statsd$/)]);
    expect(monitors["kubeflow-pipelines"]).toEqual([
      expect.stringMatching(/^ServiceMonitor .*\/ml-pipeline$/),
    ]);
    expect(monitors["?"]).toBeUndefined();
    // The monitoring add-on's own targets (Prometheus, Alertmanager, Grafana, the operator, node-exporter,
    // kube-state-metrics, kubelet, API server, CoreDNS) are monitors of the chart, not custom resources here.
    expect(monitors.monitoring).toBeUndefined();
  });

  it("has the charts that ship their own monitor switch them on (MLflow, Argo Workflows, External Secrets, DCGM)", () => {
    // These come from the charts' own `serviceMonitor` templates, not as custom resources of the kit.
    expect(releaseValues(platform, "mlflow")).toMatch(/serviceMonitor:\n\s+enabled: true/);
    expect(releaseValues(platform, "argo-workflows")).toMatch(/serviceMonitor:\n\s+enabled: true/);
    expect(releaseValues(platform, "external-secrets")).toMatch(/serviceMonitor:\n\s+enabled: true/);
    // The default platform has a GPU pool: the DCGM exporter runs there with its chart's ServiceMonitor.
    expect(releaseValues(platform, "dcgm-exporter")).toMatch(/serviceMonitor:\n\s+enabled: true/);
  });

  it("emits the kit's alert rules for the add-ons the default platform runs", () => {
    const rules = Object.values(
      (platform.resources?.resource?.kubernetes_manifest ?? {}) as Record<string, Json>,
    )
      .map((r) => r.manifest)
      .filter((m) => m.kind === "PrometheusRule")
      .map((m) => m.metadata.name);
    console.info(`[monitoring] PrometheusRules: ${rules.join(", ")}`);
    expect(rules).toEqual(
      expect.arrayContaining([
        "platform-kafka",
        "platform-mlflow",
        "platform-airflow",
        "platform-kubernetes",
        "platform-gpu",
      ]),
    );
  });

  it("puts every monitor in a namespace Prometheus selects (labelled mlops.io/platform)", () => {
    const namespaces = new Set(
      Object.values((platform.platform.resource?.kubernetes_namespace_v1 ?? {}) as Record<string, Json>)
        .filter((n) => n.metadata.labels?.["mlops.io/platform"] === "true")
        .map((n) => n.metadata.name),
    );
    const used = Object.values(monitors)
      .flat()
      .map((m) => m.split(" ")[1].split("/")[0]);
    expect(used.length).toBeGreaterThan(0);
    for (const ns of used)
      expect([...namespaces].some((n) => n === ns || ns.includes("kubernetes_namespace_v1"))).toBe(true);
  });
});
