/**
 * The dashboards as Grafana models: stable uids, schemaVersion, panels on the 24-column grid with ids, every
 * query bound to the `${datasource}` Prometheus variable, and only metric names their exporters expose.
 */
import { describe, expect, it } from "vitest";
import {
  buildDashboard,
  DASHBOARD_FOLDER,
  dashboardProblems,
  dashboardsFor,
  PLATFORM_DASHBOARDS,
  type PlatformDashboard,
} from "../../../../../constructs/addons/monitoring/dashboards";
import { allQueries, unknownMetricNames } from "./support";

interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  datasource?: { type: string; uid: string };
  targets?: { expr: string; refId: string; datasource?: { type: string; uid: string } }[];
  panels?: Panel[];
}

// biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's ${name} variable syntax
const PROMETHEUS_VAR = { type: "prometheus", uid: "${datasource}" };
const models = PLATFORM_DASHBOARDS.map((d) => ({ d, m: buildDashboard(d) }));

describe("platform dashboards", () => {
  it("keeps its uids and titles (public API: Grafana links are /d/<uid>)", () => {
    expect(PLATFORM_DASHBOARDS.map((d) => [d.uid, d.title])).toEqual([
      ["mlops-platform-overview", "MLOps Platform / Overview"],
      ["mlops-kafka", "MLOps Platform / Kafka"],
      ["mlops-services", "MLOps Platform / MLflow, Airflow, Kubeflow Pipelines"],
      ["mlops-gpu-pools", "MLOps Platform / GPU pools"],
      ["mlops-model-serving", "MLOps Platform / Model serving"],
    ]);
    expect(dashboardProblems(PLATFORM_DASHBOARDS)).toEqual([]);
    expect(DASHBOARD_FOLDER).toBe("MLOps Platform");
  });

  it.each(models.map(({ d, m }) => [d.uid, m] as const))("%s is a Grafana dashboard model", (uid, m) => {
    expect(m.uid).toBe(uid);
    expect(m.schemaVersion).toBe(42);
    expect(m.editable).toBe(true);
    const panels = (m.panels ?? []) as unknown as Panel[];
    expect(panels.length).toBeGreaterThan(5);
    const ids = panels.map((p) => p.id);
    expect(ids).toEqual(ids.map((_, i) => i + 1));
    for (const p of panels) {
      const at = `${uid} / ${p.title}`;
      expect(p.title, at).toMatch(/\S/); // a title with text, not blank
      expect(p.gridPos.x + p.gridPos.w, at).toBeLessThanOrEqual(24);
      expect(p.gridPos.h, at).toBeGreaterThan(0);
      if (p.type === "row") continue;
      expect(["stat", "timeseries"], at).toContain(p.type);
      expect(p.datasource, at).toEqual(PROMETHEUS_VAR);
      expect(p.targets?.length, at).toBeGreaterThan(0);
      for (const t of p.targets ?? []) {
        expect(t.datasource, at).toEqual(PROMETHEUS_VAR);
        expect(t.refId, at).toMatch(/^[A-Z]$/);
      }
      expect(new Set(p.targets?.map((t) => t.refId)).size, at).toBe(p.targets?.length);
    }
    // No two panels overlap on the grid.
    const cells = new Set<string>();
    for (const p of panels)
      for (let x = p.gridPos.x; x < p.gridPos.x + p.gridPos.w; x++)
        for (let y = p.gridPos.y; y < p.gridPos.y + p.gridPos.h; y++) {
          expect(cells.has(`${x},${y}`), `${uid} / ${p.title} overlaps at ${x},${y}`).toBe(false);
          cells.add(`${x},${y}`);
        }
    const vars = m.templating?.list ?? [];
    expect(vars[0]).toMatchObject({ type: "datasource", name: "datasource", query: "prometheus" });
    for (const v of vars.slice(1)) expect(v).toMatchObject({ type: "query", datasource: PROMETHEUS_VAR });
  });

  it("every panel uses only the variables its dashboard defines (or Grafana's own)", () => {
    for (const { d, m } of models) {
      const defined = new Set((m.templating?.list ?? []).map((v) => v.name));
      for (const q of allQueries([d]))
        for (const [, a, b] of q.expr.matchAll(/\$\{(\w+)\}|\$(\w+)/g)) {
          const name = (a ?? b) as string;
          if (!name.startsWith("__")) expect(defined.has(name), `${d.uid} / ${q.where}: $${name}`).toBe(true);
        }
    }
  });

  it("every panel and variable names only metrics on its dashboard's exporters' lists", () => {
    expect(unknownMetricNames(PLATFORM_DASHBOARDS)).toEqual([]);
    for (const q of allQueries()) expect(q.expr.length, `${q.uid} / ${q.where}`).toBeGreaterThan(0);
  });

  it("fails when a panel names a metric its exporter does not expose", () => {
    const typo: PlatformDashboard = {
      ...PLATFORM_DASHBOARDS[4],
      exporters: ["inference-service"],
    } as PlatformDashboard;
    const unknown = unknownMetricNames([typo]);
    // The serving dashboard reads the feedback loop's metrics, which only that exporter list has.
    expect(unknown).toContain(
      "mlops-model-serving / Live accuracy, per model version [A]: feedback_live_accuracy (exporters: inference-service)",
    );
    expect(unknown.every((u) => /: (feedback_\w+|up) \(/.test(u))).toBe(true);
  });

  it("emits each dashboard only with its add-ons; overview and serving always", () => {
    const uids = (present: string[]) => dashboardsFor((id) => present.includes(id)).map((d) => d.uid);
    expect(uids([])).toEqual(["mlops-platform-overview", "mlops-model-serving"]);
    expect(uids(["kafka"])).toContain("mlops-kafka");
    expect(uids(["airflow"])).toContain("mlops-services");
    expect(uids(["kubeflow-pipelines"])).toContain("mlops-services");
    expect(uids(["dcgm-exporter"])).toContain("mlops-gpu-pools");
    expect(uids(["nvidia-device-plugin"])).toContain("mlops-gpu-pools");
    expect(uids(["kafka", "mlflow", "nvidia-device-plugin"])).toHaveLength(5);
  });

  it("fails when two dashboards share a uid, or a uid is not a DNS label", () => {
    const [a] = PLATFORM_DASHBOARDS as [PlatformDashboard];
    expect(() => dashboardsFor(() => true, [a, { ...a, title: "Other" }])).toThrow(
      /dashboard "Other": uid "mlops-platform-overview" is used twice/,
    );
    expect(dashboardProblems([{ ...a, uid: "Bad_Uid" }])).toEqual([
      'dashboard "MLOps Platform / Overview": uid "Bad_Uid" is not 1-40 of [a-z0-9-] starting and ending alphanumeric',
    ]);
  });
});
