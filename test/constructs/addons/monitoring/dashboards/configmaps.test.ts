/**
 * The monitoring add-on emits one ConfigMap per dashboard whose add-ons run, where Grafana's sidecar finds it:
 * in `monitoring`, labelled grafana_dashboard=1, filed by the grafana_folder annotation the sidecar is set to
 * read, the model as `<uid>.json` with Terraform's template syntax escaped.
 */
import { describe, expect, it } from "vitest";
import { EMBEDDED_DEFAULT } from "../../../../../config/presets";
import {
  buildDashboard,
  escapeTerraformTemplates,
  PLATFORM_DASHBOARDS,
} from "../../../../../constructs/addons/monitoring/dashboards";
import { deepMerge } from "../../../../../constructs/core/merge";
import { synthPlatform } from "../../../../support/platform";
import { type Json, manifests, monitoringValues, synthMonitoring } from "../support";

const stub = (id: string) => ({ id, deploy: () => ({}) });
const dashboardMaps = (json: Json) =>
  manifests(json, "ConfigMap").filter((m) => m.metadata.labels?.grafana_dashboard === "1");
/** The model a ConfigMap carries, as Terraform hands it to Kubernetes (`$${` → `${`, `%%{` → `%{`). */
const model = (m: Json) => {
  const [text] = Object.values(m.data as Record<string, string>);
  return JSON.parse((text as string).replaceAll("$${", () => "${").replaceAll("%%{", () => "%{"));
};

describe("dashboard ConfigMaps", () => {
  it("emits the overview and serving dashboards with monitoring alone, and each other one with its add-on", () => {
    const alone = synthMonitoring({}, { dashboards: PLATFORM_DASHBOARDS });
    expect(Object.keys(alone.outputs.dashboards)).toEqual(["mlops-platform-overview", "mlops-model-serving"]);
    const all = synthMonitoring(
      {},
      {
        dashboards: PLATFORM_DASHBOARDS,
        extra: ["kafka", "mlflow", "airflow", "kubeflow-pipelines", "dcgm-exporter"].map(stub),
      },
    );
    expect(Object.keys(all.outputs.dashboards)).toEqual(PLATFORM_DASHBOARDS.map((d) => d.uid));
    const maps = new Map(dashboardMaps(all.json).map((m) => [m.metadata.name, m]));
    expect(maps.size).toBe(PLATFORM_DASHBOARDS.length);
    for (const d of PLATFORM_DASHBOARDS) {
      const m = maps.get(`dashboard-${d.uid}`) as Json;
      expect(m.metadata).toEqual({
        name: `dashboard-${d.uid}`,
        namespace: "monitoring",
        labels: { grafana_dashboard: "1" },
        annotations: { grafana_folder: "MLOps Platform" },
      });
      expect(Object.keys(m.data)).toEqual([`${d.uid}.json`]);
      expect(model(m)).toEqual(JSON.parse(JSON.stringify(buildDashboard(d))));
    }
  });

  it("escapes Terraform's template syntax, so the datasource variable reaches Grafana literally", () => {
    const { json } = synthMonitoring({}, { dashboards: PLATFORM_DASHBOARDS });
    for (const m of dashboardMaps(json)) {
      const text = Object.values(m.data as Record<string, string>)[0] as string;
      expect(text).toContain('"uid":"$${datasource}"');
      expect(text.replaceAll("$${", "")).not.toContain("${");
    }
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Terraform's template syntax is the subject
    expect(escapeTerraformTemplates("a ${b} %{c} $${d}")).toBe("a $${b} %%{c} $$${d}");
  });

  it("emits no dashboard without a dashboard list (the add-on's default)", () => {
    expect(dashboardMaps(synthMonitoring().json)).toEqual([]);
  });

  it("points the Grafana sidecar at the label and the folder annotation the ConfigMaps carry", () => {
    const sidecar = (monitoringValues(synthMonitoring().json) as Json).grafana.sidecar.dashboards;
    expect(sidecar).toMatchObject({
      enabled: true,
      label: "grafana_dashboard",
      labelValue: "1",
      folderAnnotation: "grafana_folder",
      provider: { foldersFromFilesStructure: true },
    });
  });
});

describe("dashboards of whole platforms", () => {
  const uidsOf = (doc: unknown) => {
    const p = synthPlatform(doc);
    return Object.values(p.stacks)
      .flatMap((s) =>
        Object.values((s.resource?.kubernetes_manifest ?? {}) as Record<string, Json>)
          .map((r) => r.manifest)
          .filter((m) => m.kind === "ConfigMap" && m.metadata.labels?.grafana_dashboard === "1")
          .map((m) => m.metadata.name),
      )
      .sort();
  };

  it("the default configuration (standard: every service, a GPU pool) emits all five", () => {
    expect(uidsOf(EMBEDDED_DEFAULT)).toEqual(PLATFORM_DASHBOARDS.map((d) => `dashboard-${d.uid}`).sort());
  });

  it("minimal with monitoring emits the overview and serving dashboards only; without monitoring none", () => {
    // The minimal preset as it was before serving joined the default: no add-ons of the default file.
    const minimal = { ...EMBEDDED_DEFAULT, preset: "minimal", addons: {} };
    expect(uidsOf(minimal)).toEqual([]);
    expect(
      uidsOf(
        deepMerge(minimal, { addons: { externalSecrets: { enabled: true }, monitoring: { enabled: true } } }),
      ),
    ).toEqual(["dashboard-mlops-model-serving", "dashboard-mlops-platform-overview"]);
  });
});
