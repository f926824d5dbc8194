/**
 * The monitors the kit writes for External Secrets, MLflow, the KFP API server and Argo's workflow controller find
 * their targets: the selector is a subset of the labels of the Service or pods the kit or the chart creates, the
 * port exists there, and the namespace's NetworkPolicy lets Prometheus in on it.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { EMBEDDED_DEFAULT } from "../../../../config/presets";
import { SCRAPED_PLATFORM_PORTS } from "../../../../constructs/addons/monitoring";
import { deepMerge } from "../../../../constructs/core/merge";
import { schemasLocation } from "../../../../scripts/validation";
import { mergeValues } from "../../../../scripts/validation/helm-values";
import { synthPlatform } from "../../../support/platform";
import { describeWithSchemas } from "../../../support/schemas";
import type { Json } from "./support";

const platform = synthPlatform(deepMerge(EMBEDDED_DEFAULT, { addons: { monitoring: { enabled: true } } }));
const resources = (type: string): Json[] =>
  Object.values(platform.stacks).flatMap((s) =>
    Object.values((s.resource?.[type] ?? {}) as Record<string, Json>),
  );
const monitor = (kind: string, name: string): Json => {
  const found = resources("kubernetes_manifest")
    .map((r) => r.manifest)
    .filter((m) => m.kind === kind && m.metadata.name === name);
  expect(found, `${kind} ${name}`).toHaveLength(1);
  return found[0];
};
const namespaceOf = (value: unknown) =>
  String(value).replace(/^\$\{kubernetes_namespace_v1\.AddOns_([^_]+)_.*$/, "$1");

/** The selector's labels that `labels` lacks or has with another value; empty when the selector matches. */
function selectorProblems(
  selector: Readonly<Record<string, string>>,
  labels: Readonly<Record<string, string>>,
): string[] {
  return Object.entries(selector)
    .filter(([k, v]) => labels[k] !== v)
    .map(([k, v]) => `${k}=${v} (found ${labels[k] ?? "none"})`);
}

/** Ports a NetworkPolicy of `namespace` admits from the kit's namespaces into pods matching `podLabels`. */
function admittedPorts(namespace: string, podLabels: Record<string, string>): number[] {
  return resources("kubernetes_network_policy_v1")
    .filter((p) => namespaceOf(p.metadata.namespace).includes(namespace))
    .filter((p) => selectorProblems(p.spec.pod_selector?.match_labels ?? {}, podLabels).length === 0)
    .flatMap((p) => p.spec.ingress ?? [])
    .filter((rule: Json) =>
      (rule.from ?? []).some(
        (f: Json) => f.namespace_selector?.match_labels?.["mlops.io/platform"] === "true",
      ),
    )
    .flatMap((rule: Json) => (rule.ports ?? []).map((p: Json) => Number(p.port)));
}

function releaseValues(chart: string): Json {
  const release = resources("helm_release").find((r) => r.chart === chart);
  return { name: release?.name, values: parse(String(release?.values?.[0] ?? "{}")) as Json };
}

describe("selectorProblems", () => {
  it("fails when a selector label is missing or differs", () => {
    expect(selectorProblems({ app: "a" }, { app: "a", x: "y" })).toEqual([]);
    expect(selectorProblems({ app: "a", tier: "api" }, { app: "b" })).toEqual([
      "app=a (found b)",
      "tier=api (found none)",
    ]);
  });
});

describe("the KFP API server's ServiceMonitor", () => {
  const sm = monitor("ServiceMonitor", "ml-pipeline");
  const selector = sm.spec.selector.matchLabels;
  const services = resources("kubernetes_service_v1").filter(
    (s) => selectorProblems(selector, s.metadata.labels ?? {}).length === 0,
  );

  it("selects exactly the ml-pipeline Service the kit renders, on its named port 8888", () => {
    expect(services.map((s) => s.metadata.name)).toEqual(["ml-pipeline"]);
    const [endpoint] = sm.spec.endpoints;
    const port = services[0].spec.port.find((p: Json) => p.name === endpoint.port);
    expect(port?.port).toBe(8888);
    expect(SCRAPED_PLATFORM_PORTS).toContain(port?.port);
    expect(admittedPorts("kubeflow", services[0].spec.selector)).toContain(8888);
  });
});

describeWithSchemas("the kit's PodMonitors for chart-managed pods", () => {
  const chart = (dir: string) => {
    const base = path.join(schemasLocation().dir ?? "", "charts", dir);
    return {
      meta: parse(readFileSync(path.join(base, "Chart.yaml"), "utf8")) as Json,
      defaults: parse(readFileSync(path.join(base, "values.yaml"), "utf8")) as Json,
    };
  };

  it("External Secrets: the controller pods' labels and metrics port, as the chart derives them from the values", () => {
    const { meta, defaults } = chart("external-secrets");
    const release = releaseValues("external-secrets");
    const v = mergeValues(defaults, release.values) as Json;
    // Chart templates: selectorLabels = app.kubernetes.io/name (nameOverride or the chart name) + instance.
    const podLabels = {
      "app.kubernetes.io/name": v.nameOverride || meta.name,
      "app.kubernetes.io/instance": release.name,
    };
    const pm = monitor("PodMonitor", "external-secrets");
    expect(selectorProblems(pm.spec.selector.matchLabels, podLabels)).toEqual([]);
    const [endpoint] = pm.spec.podMetricsEndpoints;
    expect(endpoint.portNumber).toBe(v.metrics.listen.port);
    expect(SCRAPED_PLATFORM_PORTS).toContain(endpoint.portNumber);
    expect(admittedPorts("external-secrets", podLabels)).toContain(endpoint.portNumber);
  });

  it("Argo: the workflow controller's labels and metrics port, as the chart derives them from the values", () => {
    const { defaults } = chart("argo-workflows");
    const release = releaseValues("argo-workflows");
    const v = mergeValues(defaults, release.values) as Json;
    // Chart templates: pods carry app.kubernetes.io/component = controller.name, and the container declares
    // controller.metricsConfig.port when metricsConfig.enabled.
    expect(v.controller.metricsConfig.enabled).toBe(true);
    const podLabels = {
      "app.kubernetes.io/component": v.controller.name,
      "app.kubernetes.io/instance": release.name,
    };
    const pm = monitor("PodMonitor", "argo-workflows-workflow-controller");
    expect(selectorProblems(pm.spec.selector.matchLabels, podLabels)).toEqual([]);
    const [endpoint] = pm.spec.podMetricsEndpoints;
    expect(endpoint.portNumber).toBe(v.controller.metricsConfig.port);
    expect(endpoint.portNumber).toBe(9090);
    expect(SCRAPED_PLATFORM_PORTS).toContain(endpoint.portNumber);
    expect(admittedPorts("kubeflow", podLabels)).toContain(endpoint.portNumber);
  });

  it("MLflow: the tracking server pods' labels and container port, as the chart derives them from the values", () => {
    const { meta, defaults } = chart("mlflow");
    const release = releaseValues("mlflow");
    const v = mergeValues(defaults, release.values) as Json;
    // The chart's own ServiceMonitor stays off: it would install in the same stack as the CRD.
    expect(v.serviceMonitor.enabled).toBe(false);
    // Chart templates: selectorLabels = app.kubernetes.io/name (nameOverride or the chart name) + instance;
    // the container declares service.containerPort.
    const podLabels = {
      "app.kubernetes.io/name": v.nameOverride || meta.name,
      "app.kubernetes.io/instance": release.name,
    };
    const pm = monitor("PodMonitor", "mlflow");
    expect(selectorProblems(pm.spec.selector.matchLabels, podLabels)).toEqual([]);
    const [endpoint] = pm.spec.podMetricsEndpoints;
    expect(endpoint.portNumber).toBe(v.service.containerPort);
    expect(endpoint.portNumber).toBe(5000);
    expect(SCRAPED_PLATFORM_PORTS).toContain(endpoint.portNumber);
    expect(admittedPorts("mlflow", podLabels)).toContain(endpoint.portNumber);
  });
});
