import { describe, expect, it } from "vitest";
import {
  CERT_MANAGER_METRICS_PORT,
  CERT_MANAGER_WEBHOOK_PORT,
  certManagerPodLabels,
} from "../../../../constructs/addons/cert-manager";
import { SCRAPED_PLATFORM_PORTS } from "../../../../constructs/addons/monitoring/addon";
import { CHARTS } from "../../../../constructs/core/charts";
import { TEST_PLATFORM } from "../../../support/cluster";
import { all, type Json, manifests } from "../../../support/manifests";
import { CERT_MANAGER_RESOURCE_KNOBS, undocumentedPaths } from "./chart-keys";
import { releaseOf, synthCertManager, valuesOf } from "./support";

const policies = (json: Json) =>
  Object.fromEntries(all(json, "kubernetes_network_policy_v1").map((p) => [p.metadata.name, p.spec]));
const at = (v: Json, dotted: string): unknown =>
  dotted.split(".").reduce<unknown>((o, k) => (o as Json | undefined)?.[k], v);
const INSTANCE = { "app.kubernetes.io/instance": "cert-manager" };

describe("cert-manager add-on: release", () => {
  const json = synthCertManager();
  const release = releaseOf(json, "cert-manager");
  const values = valuesOf(release);

  it("installs the pinned jetstack chart into its own namespace, waiting for ready pods", () => {
    expect(release).toMatchObject({
      chart: "cert-manager",
      repository: "https://charts.jetstack.io",
      version: CHARTS.certManager.version,
      namespace: "cert-manager",
      name: "cert-manager",
    });
    expect(CHARTS.certManager.version).toMatch(/^v1\.\d+\.\d+$/);
    expect(release.wait).not.toBe(false);
  });

  it("installs the CRDs with the release and keeps them when it is deleted", () => {
    // Deleting the CRDs would garbage-collect every Certificate and Issuer of the cluster.
    expect(values.crds).toEqual({ enabled: true, keep: true });
    expect(values.installCRDs).toBeUndefined();
  });

  it("sets only keys the chart documents (its values.schema.json refuses any other at install)", () => {
    expect(undocumentedPaths(values)).toEqual([]);
    // The check itself: a misspelt key is reported.
    expect(undocumentedPaths({ webhook: { securePorts: 1 }, crd: { enabled: true } })).toEqual([
      "webhook.securePorts",
      "crd.enabled",
    ]);
  });

  it("gives every container CPU and memory requests: controller, webhook, CA injector, startup check", () => {
    expect(CERT_MANAGER_RESOURCE_KNOBS).toEqual([
      "resources",
      "webhook.resources",
      "cainjector.resources",
      "startupapicheck.resources",
    ]);
    for (const knob of CERT_MANAGER_RESOURCE_KNOBS) {
      const r = at(values, knob) as Json;
      expect(r?.requests?.cpu, knob).toMatch(/^\d+m$/);
      expect(r?.requests?.memory, knob).toMatch(/^\d+Mi$/);
      expect(r?.limits?.memory, knob).toMatch(/^\d+Mi$/);
      expect(r?.limits?.cpu, `${knob}: no CPU limit`).toBeUndefined();
    }
    const custom = valuesOf(
      releaseOf(
        synthCertManager({ resources: { webhook: { cpuRequest: "200m", memoryLimit: "1Gi" } } }),
        "cert-manager",
      ),
    );
    expect(custom.webhook.resources).toEqual({
      requests: { cpu: "200m", memory: "64Mi" },
      limits: { memory: "1Gi" },
    });
    expect(custom.resources).toEqual(values.resources);
  });

  it("runs every pod PSS restricted, on the system pool, system-cluster-critical", () => {
    for (const prefix of ["", "webhook.", "cainjector.", "startupapicheck."]) {
      expect(at(values, `${prefix}securityContext`), prefix).toEqual({
        runAsNonRoot: true,
        seccompProfile: { type: "RuntimeDefault" },
      });
      expect(at(values, `${prefix}containerSecurityContext`), prefix).toMatchObject({
        allowPrivilegeEscalation: false,
        capabilities: { drop: ["ALL"] },
        readOnlyRootFilesystem: true,
        runAsNonRoot: true,
      });
      expect(at(values, `${prefix}nodeSelector`), prefix).toEqual({ "mlops.io/node-pool": "system" });
    }
    expect(values.global.priorityClassName).toBe("system-cluster-critical");
    const ns = all(json, "kubernetes_namespace_v1").find((n) => n.metadata.name === "cert-manager");
    expect(ns?.metadata.labels["pod-security.kubernetes.io/enforce"]).toBe("restricted");
  });

  it("keeps two replicas of each component up through a drain; one replica drops the PDB", () => {
    for (const [prefix, component] of [
      ["", "controller"],
      ["webhook.", "webhook"],
      ["cainjector.", "cainjector"],
    ] as const) {
      expect(at(values, `${prefix}replicaCount`), component).toBe(2);
      expect(at(values, `${prefix}podDisruptionBudget`), component).toEqual({
        enabled: true,
        minAvailable: 1,
      });
      expect(at(values, `${prefix}topologySpreadConstraints`), component).toEqual([
        expect.objectContaining({
          topologyKey: "topology.kubernetes.io/zone",
          labelSelector: { matchLabels: certManagerPodLabels(component) },
        }),
      ]);
    }
    const one = valuesOf(releaseOf(synthCertManager({ replicas: 1 }), "cert-manager"));
    expect([one.podDisruptionBudget, one.webhook.podDisruptionBudget]).toEqual([
      { enabled: false },
      { enabled: false },
    ]);
  });

  it("leaves the chart's own NetworkPolicies and monitors off (the kit's cover the namespace)", () => {
    expect(values.webhook.networkPolicy).toEqual({ enabled: false });
    expect(values.webhook.securePort).toBe(CERT_MANAGER_WEBHOOK_PORT);
    expect(values.prometheus).toEqual({
      enabled: true,
      servicemonitor: { enabled: false },
      podmonitor: { enabled: false },
    });
  });

  it("lets helm.values override the kit's values", () => {
    const v = valuesOf(
      releaseOf(synthCertManager({ helm: { values: { global: { logLevel: 4 } } } }), "cert-manager"),
    );
    expect(v.global).toEqual({ ...values.global, logLevel: 4 });
  });
});

describe("cert-manager add-on: network policies", () => {
  it("denies by default and admits only the API server (VPC CIDR) to the webhook's port", () => {
    const p = policies(synthCertManager());
    expect(p["default-deny"].policy_types).toEqual(["Ingress", "Egress"]);
    const ingress = Object.keys(p).filter((n) => n.startsWith("allow-ingress"));
    expect(ingress).toEqual(["allow-ingress-from-api-server"]);
    expect(p["allow-ingress-from-api-server"]).toMatchObject({
      pod_selector: { match_labels: certManagerPodLabels("webhook") },
      ingress: [
        {
          from: [{ ip_block: { cidr: TEST_PLATFORM.vpcCidr } }],
          ports: [{ port: String(CERT_MANAGER_WEBHOOK_PORT), protocol: "TCP" }],
        },
      ],
    });
  });

  it("lets its pods reach only the API server (443 in the VPC) besides DNS", () => {
    const p = policies(synthCertManager());
    const egress = Object.entries(p).filter(([name]) => name.startsWith("allow-egress"));
    expect(
      Object.fromEntries(
        egress.map(([n, spec]) => [n, [(spec as Json).pod_selector, (spec as Json).egress]]),
      ),
    ).toEqual({
      "allow-egress-api-server": [
        { match_labels: INSTANCE },
        [{ to: [{ ip_block: { cidr: TEST_PLATFORM.vpcCidr } }], ports: [{ port: "443", protocol: "TCP" }] }],
      ],
    });
  });
});

describe("cert-manager add-on: monitoring", () => {
  it("emits no monitor and admits no scrape without the monitoring add-on", () => {
    const json = synthCertManager();
    expect(manifests(json, "PodMonitor")).toEqual([]);
    expect(policies(json)["allow-ingress-metrics"]).toBeUndefined();
  });

  it("with monitoring: a PodMonitor on 9402 for every component, open to the platform's Prometheus", () => {
    const json = synthCertManager({}, { monitoring: true });
    const [monitor] = manifests(json, "PodMonitor");
    expect(monitor.metadata).toEqual({ name: "cert-manager", namespace: "cert-manager" });
    expect(monitor.spec.selector).toEqual({ matchLabels: INSTANCE });
    expect(monitor.spec.podMetricsEndpoints).toEqual([
      { portNumber: CERT_MANAGER_METRICS_PORT, path: "/metrics", interval: "30s" },
    ]);
    expect(policies(json)["allow-ingress-metrics"]).toMatchObject({
      pod_selector: { match_labels: INSTANCE },
      ingress: [
        {
          from: [{ namespace_selector: { match_labels: { "mlops.io/platform": "true" } } }],
          ports: [{ port: String(CERT_MANAGER_METRICS_PORT), protocol: "TCP" }],
        },
      ],
    });
    // Prometheus' own egress policy admits the port.
    expect(SCRAPED_PLATFORM_PORTS).toContain(CERT_MANAGER_METRICS_PORT);
  });
});
