/**
 * The DCGM exporter add-on: GPU pools only, no capabilities, the kit's counters file, the chart's ServiceMonitor
 * and a scrape path through the NetworkPolicies; validated against the pinned chart's reference values.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { PLATFORM_ADD_ONS } from "../../../../constructs/addons";
import {
  DCGM_COUNTERS,
  DCGM_EXPORTER_PORT,
  type DcgmCounter,
  DcgmExporterAddOn,
  dcgmCountersCsv,
  dcgmExporterValues,
} from "../../../../constructs/addons/dcgm-exporter";
import { platformAlertRules } from "../../../../constructs/addons/monitoring";
import { metricNames, platformRuleGroups } from "../../../../constructs/addons/monitoring/rules";
import { selectAddOns } from "../../../../constructs/core/addon-definition";
import { CHARTS } from "../../../../constructs/core/charts";
import { schemasLocation, validateHelmValues } from "../../../../scripts/validation";
import { mergeValues } from "../../../../scripts/validation/helm-values";
import { all, manifests, named } from "../../../support/manifests";
import { countKind, describeWithSchemas, expectValidStack } from "../../../support/schemas";
import { resourcesOf } from "../../../support/synth";
import { type Json, synthMonitoring } from "../monitoring/support";

function synth() {
  return synthMonitoring({}, { rules: platformAlertRules(), extra: [new DcgmExporterAddOn()] }).json;
}

const json = synth();
const release = Object.values(resourcesOf(json, "helm_release")).find(
  (r) => r.chart === "dcgm-exporter",
) as Json;
const values = parse(String(release.values[0])) as Json;

describe("DcgmExporterAddOn", () => {
  it("installs the pinned chart into its own namespace, after the monitoring add-on", () => {
    expect(release).toMatchObject({
      chart: "dcgm-exporter",
      repository: "https://nvidia.github.io/dcgm-exporter/helm-charts",
      version: CHARTS.dcgmExporter.version,
      namespace: "dcgm-exporter",
    });
    expect(new DcgmExporterAddOn().dependsOn).toEqual(["monitoring"]);
  });

  it("runs in a privileged namespace with the reason recorded (hostPath, no capabilities)", () => {
    const ns = named(json, "kubernetes_namespace_v1", "dcgm-exporter");
    expect(ns.metadata.labels["pod-security.kubernetes.io/enforce"]).toBe("privileged");
    expect(ns.metadata.labels["mlops.io/platform"]).toBe("true");
    expect(ns.metadata.annotations["mlops.io/pod-security-reason"]).toMatch(/hostPath.*no capabilities/);
  });

  it("schedules only on GPU nodes and tolerates the GPU taint, like the device plugin", () => {
    expect(values.nodeSelector).toEqual({ "nvidia.com/gpu.present": "true" });
    expect(values.tolerations).toContainEqual({
      key: "nvidia.com/gpu",
      operator: "Exists",
      effect: "NoSchedule",
    });
  });

  it("requests CPU and memory for its one container", () => {
    expect(values.resources.requests).toEqual({ cpu: "50m", memory: "128Mi" });
    expect(values.resources.limits.memory).toBe("512Mi");
  });

  it("reads the kit's counters file from its own ConfigMap", () => {
    const cm = named(json, "kubernetes_config_map_v1", "dcgm-exporter-counters");
    expect(cm.metadata.namespace).toBe("dcgm-exporter");
    expect(cm.data["counters.csv"]).toBe(dcgmCountersCsv());
    const [flag, file] = values.arguments;
    expect(flag).toBe("-f");
    expect(values.extraVolumeMounts).toEqual([
      { name: "platform-counters", mountPath: file, subPath: "counters.csv" },
    ]);
    expect(values.extraConfigMapVolumes[0].configMap.name).toBe(cm.metadata.name);
  });

  it("collects every DCGM field the GPU alert rules query", () => {
    const collected = new Set(DCGM_COUNTERS.map((c) => c.field));
    const used = platformRuleGroups()
      .gpu.flatMap((g) => g.rules.flatMap((r) => metricNames(r.expr)))
      .filter((n) => n.startsWith("DCGM_"));
    expect(used).toEqual(expect.arrayContaining(["DCGM_FI_DEV_GPU_UTIL", "DCGM_FI_DEV_XID_ERRORS"]));
    expect(used.filter((n) => !collected.has(n))).toEqual([]);
    // The rendered file lists exactly the counters, one per line.
    const lines = dcgmCountersCsv()
      .split("\n")
      .filter((l) => l && !l.startsWith("#"));
    expect(lines.map((l) => l.split(",")[0])).toEqual([...collected]);
    for (const c of DCGM_COUNTERS) expect(c.help, c.field).not.toMatch(/,/);
  });

  it("collects no profiling field, which would need SYS_ADMIN", () => {
    expect(DCGM_COUNTERS.filter((c) => c.field.startsWith("DCGM_FI_PROF_"))).toEqual([]);
  });

  it("lets Prometheus in on 9400 only, and Prometheus out to it", () => {
    // Namespaces are references to the namespace resource (`${kubernetes_namespace_v1.…dcgm-exporter…}`).
    const policies = all(json, "kubernetes_network_policy_v1").filter((p) =>
      String(p.metadata.namespace).includes("dcgm-exporter"),
    );
    expect(policies.map((p) => p.metadata.name).sort()).toEqual(["allow-ingress-metrics", "default-deny"]);
    const metrics = policies.find((p) => p.metadata.name === "allow-ingress-metrics");
    expect(metrics?.spec.pod_selector).toEqual({
      match_labels: { "app.kubernetes.io/name": "dcgm-exporter" },
    });
    expect(metrics?.spec.ingress).toEqual([
      {
        from: [{ namespace_selector: { match_labels: { "mlops.io/platform": "true" } } }],
        ports: [{ port: "9400", protocol: "TCP" }],
      },
    ]);
    const prometheus = all(json, "kubernetes_network_policy_v1").find((p) =>
      /prometheus-platform-targets/.test(p.metadata.name),
    );
    expect(prometheus?.spec.egress[0].ports).toContainEqual({
      port: String(DCGM_EXPORTER_PORT),
      protocol: "TCP",
    });
  });

  it("switches the chart's ServiceMonitor on, and the GPU rules with it", () => {
    expect(values.serviceMonitor).toEqual({ enabled: true, interval: "30s" });
    expect(manifests(json, "PrometheusRule").map((m) => m.metadata.name)).toContain("platform-gpu");
    const without = synthMonitoring({}, { rules: platformAlertRules() }).json;
    expect(manifests(without, "PrometheusRule").map((m) => m.metadata.name)).not.toContain("platform-gpu");
  });
});

describe("dcgmExporterDefinition", () => {
  const dcgm = PLATFORM_ADD_ONS.find((d) => d.id === "dcgm-exporter");
  const selected = (gpu: boolean, monitoring: boolean) =>
    selectAddOns(dcgm ? [dcgm] : [], {
      addons: { monitoring: { enabled: monitoring } },
      nodePools: { system: { create: true, gpu: false }, gpu: { create: true, gpu } },
    }).map((s) => s.addOn.id);

  it("runs only with a GPU pool and the monitoring add-on", () => {
    expect(selected(true, true)).toEqual(["dcgm-exporter"]);
    expect(selected(false, true)).toEqual([]);
    expect(selected(true, false)).toEqual([]);
  });
});

/** Fields of the `# DCGM_FI_…, type, help` lines the chart's values.yaml documents, with their types. */
function documentedFields(valuesYaml: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of valuesYaml.matchAll(/^\s*#\s*(DCGM_FI_[A-Z0-9_]+)\s*,\s*(gauge|counter)\s*,/gm))
    out.set(m[1], m[2]);
  return out;
}

/** Counters whose field or type the chart does not document. */
function undocumented(counters: readonly DcgmCounter[], documented: Map<string, string>): string[] {
  return counters
    .filter((c) => documented.get(c.field) !== c.type)
    .map((c) => `${c.field} ${c.type} (documented: ${documented.get(c.field) ?? "no"})`);
}

describeWithSchemas("DCGM exporter against the chart's reference data", () => {
  const chartDir = path.join(schemasLocation().dir ?? "", "charts", "dcgm-exporter");
  const valuesYaml = readFileSync(path.join(chartDir, "values.yaml"), "utf8");
  const defaults = parse(valuesYaml) as Json;

  it("pins the version of the reference Chart.yaml", () => {
    const chart = parse(readFileSync(path.join(chartDir, "Chart.yaml"), "utf8")) as Json;
    expect(chart.name).toBe(CHARTS.dcgmExporter.chart);
    expect(chart.version).toBe(CHARTS.dcgmExporter.version);
  });

  it("sets only values the chart has, and the whole stack validates", () => {
    const result = validateHelmValues(chartDir, dcgmExporterValues());
    expect(result.issues).toEqual([]);
    countKind("HelmRelease");
    const report = expectValidStack(json);
    expect(report.unchecked).toEqual([]);
    expect(report.checked.HelmRelease).toBe(Object.keys(resourcesOf(json, "helm_release")).length);
  });

  it("fails when a value is misspelt", () => {
    const result = validateHelmValues(chartDir, {
      ...dcgmExporterValues(),
      serviceMonitr: { enabled: true },
    });
    expect(result.issues.map((i) => i.path)).toEqual(["serviceMonitr"]);
  });

  it("adds no capability once merged over the chart's defaults (the chart's default adds SYS_ADMIN)", () => {
    expect(defaults.securityContext.capabilities.add).toEqual(["SYS_ADMIN"]);
    const merged = mergeValues(defaults, dcgmExporterValues()) as Json;
    expect(merged.securityContext.capabilities).toEqual({ add: [], drop: ["ALL"] });
    expect(merged.securityContext.allowPrivilegeEscalation).toBe(false);
    expect(merged.resources.requests).toEqual({ cpu: "50m", memory: "128Mi" });
  });

  it("collects only fields the chart documents, with the documented types", () => {
    const documented = documentedFields(valuesYaml);
    expect(documented.size).toBeGreaterThan(30);
    expect(undocumented(DCGM_COUNTERS, documented)).toEqual([]);
    expect(undocumented([{ field: "DCGM_FI_DEV_GPU_UTIL", type: "counter", help: "x" }], documented)).toEqual(
      ["DCGM_FI_DEV_GPU_UTIL counter (documented: gauge)"],
    );
  });
});
