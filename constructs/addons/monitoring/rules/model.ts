/**
 * The typed model of the kit's alert rules: what a Prometheus rule group holds, plus the checks every rule must
 * pass (a severity the receivers route on, a summary and a runbook an on-call engineer can act on).
 */
import type { ExporterId } from "./metrics";

export const SEVERITIES = ["critical", "warning", "info"] as const;
export type Severity = (typeof SEVERITIES)[number];

export interface AlertRule {
  /** CamelCase alert name; unique across the kit's groups. */
  readonly alert: string;
  readonly expr: string;
  /** Prometheus duration the condition must hold before the alert fires, e.g. "10m". */
  readonly for?: string;
  readonly labels: { readonly severity: Severity } & Readonly<Record<string, string>>;
  /** `summary` and `description` may use `{{ $labels.<name> }}`; `runbook` is plain text (the first steps). */
  readonly annotations: {
    readonly summary: string;
    readonly description: string;
    readonly runbook: string;
  };
}

export interface RuleGroup {
  readonly name: string;
  /** Evaluation interval; the Prometheus default when unset. */
  readonly interval?: string;
  /** The exporters whose metric names the group's expressions may use. */
  readonly exporters: readonly ExporterId[];
  readonly rules: readonly AlertRule[];
}

export type RuleComponent = "kafka" | "mlflow" | "airflow" | "kubernetes" | "gpu" | "inference";

const ALERT_NAME = /^[A-Z][A-Za-z0-9]*$/;
const DURATION = /^([0-9]+(ms|s|m|h|d|w|y))+$/;

/** Every problem of every rule, each naming the group, the alert and what was expected. Empty when valid. */
export function ruleProblems(groups: readonly RuleGroup[]): string[] {
  const problems: string[] = [];
  const seen = new Map<string, string>();
  for (const group of groups) {
    if (group.rules.length === 0) problems.push(`group "${group.name}": has no rules`);
    for (const rule of group.rules) {
      const at = `group "${group.name}", alert "${rule.alert}"`;
      if (!ALERT_NAME.test(rule.alert)) problems.push(`${at}: name is not CamelCase ([A-Z][A-Za-z0-9]*)`);
      const other = seen.get(rule.alert);
      if (other !== undefined) problems.push(`${at}: alert name already used in group "${other}"`);
      seen.set(rule.alert, group.name);
      const severity: string = rule.labels.severity;
      if (!(SEVERITIES as readonly string[]).includes(severity))
        problems.push(`${at}: labels.severity is "${severity}", expected one of ${SEVERITIES.join(", ")}`);
      for (const key of ["summary", "description", "runbook"] as const) {
        if (!rule.annotations[key]?.trim()) problems.push(`${at}: annotations.${key} is empty`);
      }
      if (!rule.expr.trim()) problems.push(`${at}: expr is empty`);
      if (rule.for !== undefined && !DURATION.test(rule.for))
        problems.push(`${at}: for is "${rule.for}", expected a Prometheus duration such as 10m`);
    }
  }
  return problems;
}

/** Throws one error listing every rule problem. */
export function assertValidRules(groups: readonly RuleGroup[]): void {
  const problems = ruleProblems(groups);
  if (problems.length > 0) throw new Error(`invalid alert rules:\n  ${problems.join("\n  ")}`);
}
