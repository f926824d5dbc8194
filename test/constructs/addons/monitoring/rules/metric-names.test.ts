/**
 * Rules query only metric names their exporters expose: each group lists its exporters, and every name in its
 * expressions must be on one of their lists (metrics/ beside the rules says where each list came from).
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { jmxExporterConfig } from "../../../../../constructs/addons/kafka/strimzi-resources";
import {
  EXPORTER_METRICS,
  KAFKA_JMX_MBEANS,
  metricNames,
  platformRuleGroups,
  type RuleGroup,
} from "../../../../../constructs/addons/monitoring/rules";
import { schemasLocation } from "../../../../../scripts/validation";
import { describeWithSchemas } from "../../../../support/schemas";

/** Per alert, the names its expression uses that none of its group's exporters expose. */
function unknownNames(groups: readonly RuleGroup[]): string[] {
  return groups.flatMap((g) => {
    const known = new Set(g.exporters.flatMap((e) => EXPORTER_METRICS[e]));
    return g.rules.flatMap((r) =>
      metricNames(r.expr)
        .filter((n) => !known.has(n))
        .map((n) => `${g.name}/${r.alert}: ${n} (exporters: ${g.exporters.join(", ")})`),
    );
  });
}

describe("metric names in rules", () => {
  const groups = Object.values(platformRuleGroups()).flat();

  it("every rule names only metrics on its exporters' lists", () => {
    expect(unknownNames(groups)).toEqual([]);
  });

  it("every rule selects at least one metric", () => {
    for (const r of groups.flatMap((g) => g.rules))
      expect(metricNames(r.expr).length, r.alert).toBeGreaterThan(0);
  });

  it("fails when a rule names a metric its exporter does not expose", () => {
    const bad: RuleGroup = {
      name: "g",
      exporters: ["inference-service"],
      rules: [
        {
          alert: "Typo",
          expr: 'sum(rate(http_request_total{status_code=~"5.."}[5m])) > 0',
          labels: { severity: "info" },
          annotations: { summary: "s", description: "d", runbook: "r" },
        },
      ],
    };
    expect(unknownNames([bad])).toEqual(["g/Typo: http_request_total (exporters: inference-service)"]);
  });
});

/** Applies JMX exporter rules the way the agent does: first full match wins, `$n` substituted, lowercased. */
function jmxName(mbean: string, rules: { pattern: string; name?: string }[]): string | undefined {
  for (const rule of rules) {
    const m = new RegExp(`^${rule.pattern}$`).exec(mbean);
    if (m && rule.name)
      return rule.name.replace(/\$(\d+)/g, (_, i: string) => m[Number(i)] ?? "").toLowerCase();
  }
  return undefined;
}

describe("Kafka JMX metric list", () => {
  const config = parse(jmxExporterConfig()) as {
    lowercaseOutputName: boolean;
    rules: { pattern: string; name?: string }[];
  };

  it("is what the kit's own JMX exporter rules make of each broker MBean", () => {
    expect(config.lowercaseOutputName).toBe(true);
    for (const [mbean, name] of KAFKA_JMX_MBEANS) expect(jmxName(mbean, config.rules), mbean).toBe(name);
  });

  it("fails when an MBean matches no rule", () => {
    expect(jmxName("kafka.server<type=Unknown>", config.rules)).toBeUndefined();
  });
});

describeWithSchemas("DCGM metric list", () => {
  it("names only counters the pinned dcgm-exporter chart documents", () => {
    const values = readFileSync(
      path.join(schemasLocation().dir ?? "", "charts", "dcgm-exporter", "values.yaml"),
      "utf8",
    );
    const documented = new Set(values.match(/DCGM_FI_[A-Z0-9_]+/g) ?? []);
    expect(documented.size).toBeGreaterThan(20);
    expect(EXPORTER_METRICS.dcgm.filter((n) => !documented.has(n))).toEqual([]);
  });
});
