/**
 * Every panel's and variable's PromQL through the real parser: the queries become recording rules in a rules
 * file (Grafana's variables substituted) and `promtool check rules` must accept it.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { PLATFORM_DASHBOARDS } from "../../../../../constructs/addons/monitoring/dashboards";
import { describeWithPromtool, promtool } from "../../../../support/promtool";
import { allQueries, substituteVariables } from "./support";

/** One recording rule per query, grouped per dashboard. */
function rulesFile(queries: readonly { uid: string; expr: string }[]): string {
  const groups = PLATFORM_DASHBOARDS.map((d) => ({
    name: d.uid,
    rules: queries
      .filter((q) => q.uid === d.uid)
      .map((q, i) => ({
        record: `dashboard:${d.uid.replaceAll("-", "_")}:q${i}`,
        expr: substituteVariables(q.expr),
      })),
  })).filter((g) => g.rules.length > 0);
  return stringify({ groups });
}

describe("variable substitution", () => {
  it("turns Grafana's variables into PromQL the parser reads", () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's ${name} variable syntax
    expect(substituteVariables('rate(x{namespace=~"$namespace", a="${model}"}[$__rate_interval])')).toBe(
      'rate(x{namespace=~"var_namespace", a="var_model"}[5m])',
    );
  });
});

describeWithPromtool("dashboard queries under promtool", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "dashboard-queries-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const queries = allQueries();

  it("parses every query of every dashboard (promtool check rules)", () => {
    writeFileSync(path.join(dir, "dashboards.rules.yaml"), rulesFile(queries));
    const r = promtool(["check", "rules", "dashboards.rules.yaml"], dir);
    expect(r.status, r.output).toBe(0);
    expect(r.output).toContain(`SUCCESS: ${queries.length} rules found`);
  });

  it("fails when a query does not parse", () => {
    const broken = [...queries, { uid: "mlops-kafka", where: "broken", expr: "sum by (pod (kafka_brokers)" }];
    writeFileSync(path.join(dir, "broken.rules.yaml"), rulesFile(broken));
    const r = promtool(["check", "rules", "broken.rules.yaml"], dir);
    expect(r.status).not.toBe(0);
    expect(r.output).toMatch(/parse error/);
  });
});
