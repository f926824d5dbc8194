/**
 * The team dashboard: a ConfigMap the Grafana sidecar files under the team's folder, every query limited to the
 * team's namespace, every metric name one the declared exporters expose.
 */
import { KubernetesProvider } from "@cdktf/provider-kubernetes/lib/provider";
import { describe, expect, it } from "vitest";
import { buildDashboard, dashboardExprs } from "../../../constructs/addons/monitoring/dashboards";
import { metricNames } from "../../../constructs/addons/monitoring/rules";
import {
  TeamDashboard,
  teamDashboard,
  teamDashboardConfigMap,
  teamDashboardUid,
} from "../../../constructs/teams/dashboard";
import { onlyResource, synthScope } from "../../support/synth";
import { unknownMetricNames } from "../addons/monitoring/dashboards/support";

const FRAUD = { team: "fraud", environment: "dev", namespace: "team-fraud-dev", gpus: true } as const;

/** Every label selector `{…}` of a PromQL expression. */
const selectors = (expr: string) => [...expr.matchAll(/\{([^}]*)\}/g)].map((m) => m[1] as string);

describe("team dashboard", () => {
  it("is a ConfigMap in monitoring, labelled for the sidecar and filed under the team's folder", () => {
    const m = teamDashboardConfigMap(FRAUD) as {
      metadata: Record<string, unknown>;
      data: Record<string, string>;
    };
    expect(m.metadata).toEqual({
      name: "dashboard-team-fraud-dev",
      namespace: "monitoring",
      labels: { grafana_dashboard: "1" },
      annotations: { grafana_folder: "Team fraud" },
    });
    const model = JSON.parse((m.data["team-fraud-dev.json"] as string).replaceAll("$${", "${"));
    expect(model.uid).toBe("team-fraud-dev");
    expect(model.title).toBe("Team fraud / dev");
    expect(model.tags).toEqual(expect.arrayContaining(["team", "team-fraud"]));
  });

  it("limits every selector of every query to the team's namespace", () => {
    const queries = dashboardExprs(buildDashboard(teamDashboard(FRAUD)));
    expect(queries.length).toBeGreaterThanOrEqual(15);
    for (const q of queries)
      for (const s of selectors(q.expr)) {
        // The namespace label is the pod's (kube-state-metrics, cAdvisor) or DCGM's exported one.
        expect(s, `${q.where}: ${q.expr}`).toMatch(/(^|, )(exported_)?namespace="team-fraud-dev"(,|$)/);
        expect(s, q.where).not.toMatch(/namespace=~/);
      }
    // A query without a selector would see every namespace.
    for (const q of queries) expect(selectors(q.expr).length, q.where).toBeGreaterThan(0);
  });

  it("uses only metrics its exporters expose, and the GPU ones only with GPUs", () => {
    const withGpus = teamDashboard(FRAUD);
    const without = teamDashboard({ ...FRAUD, gpus: false });
    expect(unknownMetricNames([withGpus, without])).toEqual([]);
    const names = (d: typeof withGpus) =>
      dashboardExprs(buildDashboard(d)).flatMap((q) => metricNames(q.expr));
    expect(names(withGpus)).toContain("DCGM_FI_DEV_GPU_UTIL");
    expect(names(without).filter((n) => n.startsWith("DCGM_"))).toEqual([]);
    expect(JSON.stringify(buildDashboard(without))).not.toContain("nvidia");
    expect(without.exporters).not.toContain("dcgm");
  });

  it("gives each team environment its own uid within Grafana's 40 characters", () => {
    expect(teamDashboardUid("a", "dev")).not.toBe(teamDashboardUid("a", "prod"));
    // The longest names the configuration admits: a 20-character team, a 12-character environment.
    expect(teamDashboardUid("t".repeat(20), "e".repeat(12)).length).toBeLessThanOrEqual(40);
  });

  it("synthesizes as kubernetes_config_map_v1 with Terraform's templates escaped", () => {
    const json = synthScope((scope) => {
      const provider = new KubernetesProvider(scope, "k8s", {});
      new TeamDashboard(scope, "Dashboard", { ...FRAUD, provider, labels: { "mlops.io/team": "fraud" } });
    });
    const cm = onlyResource(json, "kubernetes_config_map_v1") as {
      metadata: {
        name: string;
        namespace: string;
        labels: Record<string, string>;
        annotations: Record<string, string>;
      };
      data: Record<string, string>;
    };
    expect(cm.metadata).toMatchObject({
      name: "dashboard-team-fraud-dev",
      namespace: "monitoring",
      labels: { grafana_dashboard: "1", "mlops.io/team": "fraud" },
      annotations: { grafana_folder: "Team fraud" },
    });
    const text = cm.data["team-fraud-dev.json"] as string;
    expect(text).toContain('"uid":"$${datasource}"');
    expect(text.replaceAll("$${", "")).not.toContain("${");
  });
});
