import { describe, expect, it } from "vitest";
import { METRICS_SERVER_POD_LABELS, METRICS_SERVER_PORT } from "../../../../constructs/addons/metrics-server";
import { SCRAPED_PLATFORM_PORTS } from "../../../../constructs/addons/monitoring/addon";
import { TEST_PLATFORM } from "../../../support/cluster";
import { all, type Json, manifests } from "../../../support/manifests";
import { onlyResource } from "../../../support/synth";
import { metricsServerValuesOf, synthMetricsServer } from "./support";

const policies = (json: Json) =>
  Object.fromEntries(all(json, "kubernetes_network_policy_v1").map((p) => [p.metadata.name, p.spec]));

describe("metrics-server add-on: release", () => {
  const json = synthMetricsServer();
  const values = metricsServerValuesOf(json);

  it("installs the pinned chart into its own namespace, waiting for ready pods", () => {
    const release = onlyResource(json, "helm_release") as Json;
    expect(release).toMatchObject({
      chart: "metrics-server",
      repository: "https://kubernetes-sigs.github.io/metrics-server/",
      version: "3.13.1",
      namespace: "metrics-server",
      name: "metrics-server",
    });
    expect(release.wait).not.toBe(false);
  });

  it("runs two replicas on different nodes with a PodDisruptionBudget, one pod replaced at a time", () => {
    expect(values.replicas).toBe(2);
    expect(values.podDisruptionBudget).toEqual({ enabled: true, minAvailable: 1 });
    expect(values.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution).toEqual([
      { labelSelector: { matchLabels: METRICS_SERVER_POD_LABELS }, topologyKey: "kubernetes.io/hostname" },
    ]);
    expect(values.topologySpreadConstraints[0]).toMatchObject({
      topologyKey: "topology.kubernetes.io/zone",
      whenUnsatisfiable: "ScheduleAnyway",
    });
    expect(values.updateStrategy).toEqual({
      type: "RollingUpdate",
      rollingUpdate: { maxSurge: 0, maxUnavailable: 1 },
    });
  });

  it("drops anti-affinity and the PDB for a single replica (a PDB of 1 would block every drain)", () => {
    const one = metricsServerValuesOf(synthMetricsServer({ replicas: 1 }));
    expect(one.podDisruptionBudget).toEqual({ enabled: false });
    expect(one.affinity).toEqual({});
  });

  it("prefers the nodes' InternalIP (EKS) and serves on the chart's secure port", () => {
    expect(values.defaultArgs).toContain("--kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname");
    expect(values.defaultArgs).toContain("--cert-dir=/tmp");
    expect(values.containerPort).toBe(METRICS_SERVER_PORT);
  });

  it("is PSS restricted, system-cluster-critical, on the system pool, with requests and a memory limit", () => {
    expect(values.podSecurityContext).toEqual({
      runAsNonRoot: true,
      seccompProfile: { type: "RuntimeDefault" },
    });
    expect(values.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      capabilities: { drop: ["ALL"] },
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      runAsUser: 1000,
    });
    expect(values.priorityClassName).toBe("system-cluster-critical");
    expect(values.nodeSelector).toEqual({ "mlops.io/node-pool": "system" });
    expect(values.tolerations).toEqual([{ key: "CriticalAddonsOnly", operator: "Exists" }]);
    expect(values.resources).toEqual({
      requests: { cpu: "100m", memory: "200Mi" },
      limits: { memory: "400Mi" },
    });
    const custom = metricsServerValuesOf(
      synthMetricsServer({ nodePool: "ops", resources: { cpuRequest: "50m", memoryLimit: "1Gi" } }),
    );
    expect(custom.nodeSelector).toEqual({ "mlops.io/node-pool": "ops" });
    expect(custom.resources).toEqual({
      requests: { cpu: "50m", memory: "200Mi" },
      limits: { memory: "1Gi" },
    });
  });

  it("lets helm.values override the kit's values", () => {
    const v = metricsServerValuesOf(synthMetricsServer({ helm: { values: { revisionHistoryLimit: 3 } } }));
    expect(v.revisionHistoryLimit).toBe(3);
    expect(v.replicas).toBe(2);
  });
});

describe("metrics-server add-on: network policies", () => {
  it("denies by default and admits only the API server (VPC CIDR) on the secure port", () => {
    const p = policies(synthMetricsServer());
    expect(p["default-deny"].policy_types).toEqual(["Ingress", "Egress"]);
    expect(p["allow-ingress-from-api-server"]).toMatchObject({
      pod_selector: { match_labels: METRICS_SERVER_POD_LABELS },
      ingress: [
        {
          from: [{ ip_block: { cidr: TEST_PLATFORM.vpcCidr } }],
          ports: [{ port: String(METRICS_SERVER_PORT), protocol: "TCP" }],
        },
      ],
    });
    expect(p["allow-ingress-metrics"]).toBeUndefined();
  });

  it("lets it reach only the kubelets (10250) and the API server (443) in the VPC", () => {
    const p = policies(synthMetricsServer());
    const egress = Object.entries(p)
      .filter(([name]) => name.startsWith("allow-egress"))
      .map(([name, spec]) => [name, (spec as Json).egress]);
    expect(Object.fromEntries(egress)).toEqual({
      "allow-egress-kubelets": [
        { to: [{ ip_block: { cidr: TEST_PLATFORM.vpcCidr } }], ports: [{ port: "10250", protocol: "TCP" }] },
      ],
      "allow-egress-api-server": [
        { to: [{ ip_block: { cidr: TEST_PLATFORM.vpcCidr } }], ports: [{ port: "443", protocol: "TCP" }] },
      ],
    });
  });
});

describe("metrics-server add-on: monitoring", () => {
  it("emits no monitor and keeps /metrics authenticated without the monitoring add-on", () => {
    const json = synthMetricsServer();
    expect(manifests(json, "PodMonitor")).toEqual([]);
    expect(metricsServerValuesOf(json).metrics).toEqual({ enabled: false });
  });

  it("with monitoring: a PodMonitor over HTTPS, /metrics open to the platform namespaces' Prometheus", () => {
    const json = synthMetricsServer({}, { monitoring: true });
    expect(metricsServerValuesOf(json).metrics).toEqual({ enabled: true });
    expect(metricsServerValuesOf(json).serviceMonitor).toEqual({ enabled: false });
    const [monitor] = manifests(json, "PodMonitor");
    expect(monitor.metadata).toEqual({ name: "metrics-server", namespace: "metrics-server" });
    expect(monitor.spec.podMetricsEndpoints).toEqual([
      {
        portNumber: METRICS_SERVER_PORT,
        path: "/metrics",
        interval: "30s",
        scheme: "https",
        tlsConfig: { insecureSkipVerify: true },
      },
    ]);
    expect(policies(json)["allow-ingress-metrics"].ingress[0]).toEqual({
      from: [{ namespace_selector: { match_labels: { "mlops.io/platform": "true" } } }],
      ports: [{ port: String(METRICS_SERVER_PORT), protocol: "TCP" }],
    });
    // Prometheus' own egress policy admits the port.
    expect(SCRAPED_PLATFORM_PORTS).toContain(METRICS_SERVER_PORT);
  });
});
