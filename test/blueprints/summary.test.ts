/**
 * The synth summary `npx cdktf synth` prints: per stack the resources by type, and the Grafana dashboards and
 * alert rules the monitoring add-on emitted, read back from the synthesized Terraform JSON.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { formatSummary, summarizeOutput } from "../../blueprints/summary";
import { PLATFORM_DASHBOARDS } from "../../constructs/addons/monitoring/dashboards";
import { platformRuleGroups } from "../../constructs/addons/monitoring/rules";
import { synthPlatform } from "../support/platform";

describe("synth summary", () => {
  const platform = synthPlatform();
  const stacks = summarizeOutput(platform.outdir);

  it("lists the dashboards by uid and title, and the alert rules per PrometheusRule", () => {
    const dashboards = stacks.flatMap((s) => s.dashboards);
    expect(dashboards).toEqual(
      PLATFORM_DASHBOARDS.map((d) => ({ uid: d.uid, title: d.title })).sort((a, b) =>
        a.uid.localeCompare(b.uid),
      ),
    );
    const groups = platformRuleGroups();
    const alerts = (c: keyof typeof groups) => groups[c].flatMap((g) => g.rules).length;
    expect(stacks.flatMap((s) => s.alertRules)).toEqual([
      { name: "platform-airflow", alerts: alerts("airflow") },
      { name: "platform-gpu", alerts: alerts("gpu") },
      // The default configuration runs the serving add-on, which brings the inference rules.
      { name: "platform-inference", alerts: alerts("inference") },
      { name: "platform-kafka", alerts: alerts("kafka") },
      { name: "platform-kubernetes", alerts: alerts("kubernetes") },
      { name: "platform-mlflow", alerts: alerts("mlflow") },
    ]);
  });

  it("prints them under their stack", () => {
    const text = formatSummary(stacks, platform.outdir);
    const total = stacks.flatMap((s) => s.alertRules).reduce((n, r) => n + r.alerts, 0);
    expect(text).toContain(
      "    Grafana dashboards (5):\n      mlops-gpu-pools  MLOps Platform / GPU pools\n",
    );
    expect(text).toContain(`    Alert rules (${total} in 6 PrometheusRules):\n`);
    expect(text).toMatch(/^ {6}\s*\d+ {2}platform-kafka$/m);
  });

  it("lists no alert rules when there are none, and a dashboard ConfigMap that is not JSON by its name", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "summary-"));
    try {
      const stack = {
        resource: {
          kubernetes_manifest: {
            a: {
              manifest: {
                kind: "ConfigMap",
                metadata: { name: "dashboard-x", labels: { grafana_dashboard: "1" } },
                data: { "x.json": "not json" },
              },
            },
            b: { manifest: { kind: "ConfigMap", metadata: { name: "other" }, data: { a: "{}" } } },
          },
        },
      };
      writeFileSync(path.join(dir, "s.json"), JSON.stringify(stack));
      writeFileSync(
        path.join(dir, "manifest.json"),
        JSON.stringify({ stacks: { s: { name: "s", synthesizedStackPath: "s.json" } } }),
      );
      const [s] = summarizeOutput(dir);
      expect(s?.dashboards).toEqual([{ uid: "dashboard-x", title: "(not JSON)" }]);
      expect(s?.alertRules).toEqual([]);
      expect(formatSummary(summarizeOutput(dir), dir)).not.toContain("Alert rules");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("lists the types of a run of alike stacks once, and again after a stack that differs", () => {
    const stack = (name: string, byType: Record<string, number>) => ({
      name,
      file: `${name}.json`,
      resources: Object.values(byType).reduce((a, b) => a + b, 0),
      dataSources: 0,
      byType,
      dashboards: [],
      alertRules: [],
    });
    const team = { kubernetes_namespace_v1: 1, kubernetes_network_policy_v1: 12 };
    const text = formatSummary(
      [stack("a", team), stack("b", team), stack("c", { aws_s3_bucket: 1 }), stack("d", team)],
      os.tmpdir(),
    );
    const lines = text.split("\n");
    expect(lines.filter((l) => l.endsWith("kubernetes_network_policy_v1"))).toHaveLength(2); // a and d
    expect(lines[lines.findIndex((l) => l.startsWith("  b:")) + 1]).toBe("      same resource types as a");
    expect(lines[lines.findIndex((l) => l.startsWith("  d:")) + 1]).toMatch(
      /^ +12 {2}kubernetes_network_policy_v1$/,
    );
  });
});
