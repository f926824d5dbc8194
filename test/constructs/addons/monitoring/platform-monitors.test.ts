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

/**
 * Per add-on of the default platform: the monitors it emits as custom resources (`<kind> <name>`), the chart
 * whose own ServiceMonitor its values switch on, or why nothing is scraped.
 */
type Expected = readonly string[] | { readonly chart: string } | { readonly none: string };
const EXPECTED: Record<string, Expected> = {
  storage: { none: "no workload: a StorageClass" },
  karpenter: ["PodMonitor karpenter"],
  // The device plugin serves the kubelet over a unix socket; its chart (0.20.0) has no metrics port or monitor.
  "nvidia-device-plugin": { none: "no metrics endpoint: covered by DCGM" },
  "aws-load-balancer-controller": ["PodMonitor aws-load-balancer-controller"],
  "external-secrets": ["PodMonitor external-secrets"],
  kafka: [
    "PodMonitor platform-kafka-exporter",
    "PodMonitor platform-kafka",
    "PodMonitor strimzi-cluster-operator",
  ],
  mlflow: ["PodMonitor mlflow"],
  airflow: ["ServiceMonitor airflow-statsd"],
  "kubeflow-pipelines": ["ServiceMonitor ml-pipeline", "PodMonitor argo-workflows-workflow-controller"],
  monitoring: {
    none: "its own targets (Prometheus, Alertmanager, Grafana, the operator, node-exporter, kube-state-metrics, kubelet, API server, CoreDNS) are the chart's default monitors",
  },
  "dcgm-exporter": { chart: "dcgm-exporter" },
  // The Fluent Bit collector's chart ServiceMonitor; ECK, Elasticsearch and Kibana expose no Prometheus metrics.
  logging: { chart: "fluent-bit" },
  "metrics-server": ["PodMonitor metrics-server"],
  // Controller, webhook and CA injector on 9402 (the default serves on KServe, which brings cert-manager).
  "cert-manager": ["PodMonitor cert-manager"],
  // One per model deployment (the default serves readmission), on the reference service's pods.
  serving: ["PodMonitor serving-readmission"],
};

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

  it("records, for every add-on the platform runs, its monitors or why it has none", () => {
    const lines = Object.entries(monitors).flatMap(([a, ms]) => ms.map((m) => `  ${a}: ${m}`));
    console.info(`[monitoring] monitors per add-on (custom resources):\n${lines.join("\n")}`);
    const running = [...platform.blueprint.platform.addOns.keys()].sort();
    // A new add-on fails here until it is given a row: none may be missing.
    expect(Object.keys(EXPECTED).sort()).toEqual(running);
    for (const [id, expected] of Object.entries(EXPECTED)) {
      const names = (monitors[id] ?? []).map((m) => m.replace(/ \S+\//, " "));
      if (Array.isArray(expected)) expect(names, id).toEqual(expected);
      else expect(names, `${id}: ${"none" in expected ? expected.none : "chart"}`).toEqual([]);
      if (!Array.isArray(expected) && "chart" in expected)
        expect(releaseValues(platform, expected.chart), id).toMatch(/serviceMonitor:\n\s+enabled: true/);
    }
    expect(monitors["?"]).toBeUndefined();
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
