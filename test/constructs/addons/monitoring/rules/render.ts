/** Writes a component's rules file and a promtool test file built from its cases (fires / quiet per alert). */
import { stringify } from "yaml";
import type { AlertRule, RuleGroup } from "../../../../../constructs/addons/monitoring/rules";
import { ruleGroupsDocument } from "../../../../../constructs/addons/monitoring/rules";
import type { RuleCases } from "./cases";

/** Fills `{{ $labels.x }}` the way Prometheus' template would for an alert with `labels`. */
export function expandTemplate(text: string, labels: Record<string, string>): string {
  return text.replace(/\{\{\s*\$labels\.([a-zA-Z_][a-zA-Z0-9_]*)\s*\}\}/g, (_, k: string) => labels[k] ?? "");
}

export function rulesFile(groups: readonly RuleGroup[]): string {
  return stringify({ groups: ruleGroupsDocument(groups) });
}

/** promtool's unit test file: one test per case, each with its own input series. */
export function testFile(rulesFileName: string, groups: readonly RuleGroup[], cases: RuleCases): string {
  const rules = new Map<string, AlertRule>(groups.flatMap((g) => g.rules.map((r) => [r.alert, r])));
  const tests = Object.entries(cases).flatMap(([alert, { fires, quiet }]) => {
    const rule = rules.get(alert);
    if (rule === undefined) throw new Error(`cases for unknown alert ${alert}`);
    const labels = { ...fires.labels, ...rule.labels };
    const annotations = Object.fromEntries(
      Object.entries(rule.annotations).map(([k, v]) => [k, expandTemplate(v, labels)]),
    );
    return [
      {
        name: `${alert} fires`,
        interval: "1m",
        input_series: fires.series,
        alert_rule_test: [
          {
            eval_time: fires.at,
            alertname: alert,
            exp_alerts: [{ exp_labels: labels, exp_annotations: annotations }],
          },
        ],
      },
      {
        name: `${alert} stays quiet`,
        interval: "1m",
        input_series: quiet.series,
        alert_rule_test: [{ eval_time: quiet.at, alertname: alert, exp_alerts: [] }],
      },
    ];
  });
  return stringify({ rule_files: [rulesFileName], evaluation_interval: "1m", tests });
}
