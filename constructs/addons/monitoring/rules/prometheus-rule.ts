/**
 * Rule groups as Prometheus' two formats: the `PrometheusRule` custom resource the Prometheus Operator loads
 * (monitoring.coreos.com/v1), and the plain rules file `promtool` reads (the same `groups` list).
 */
import type { AlertRule, RuleGroup } from "./model";
import { assertValidRules } from "./model";

export interface PrometheusRuleRule {
  readonly alert: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
}

export interface PrometheusRuleGroup {
  readonly name: string;
  readonly interval?: string;
  readonly rules: PrometheusRuleRule[];
}

export interface PrometheusRuleManifest {
  readonly apiVersion: "monitoring.coreos.com/v1";
  readonly kind: "PrometheusRule";
  readonly metadata: { name: string; namespace: string; labels: Record<string, string> };
  readonly spec: { groups: PrometheusRuleGroup[] };
}

export interface PrometheusRuleProps {
  readonly name: string;
  readonly namespace: string;
  /** Labels the Prometheus `ruleSelector` matches (kube-prometheus-stack: `release: <release name>`). */
  readonly labels?: Record<string, string>;
  readonly groups: readonly RuleGroup[];
}

function ruleOf(r: AlertRule): PrometheusRuleRule {
  return {
    alert: r.alert,
    expr: r.expr,
    ...(r.for === undefined ? {} : { for: r.for }),
    labels: { ...r.labels },
    annotations: { ...r.annotations },
  };
}

/** The `groups` list shared by the CR's spec and a promtool rules file (the `exporters` metadata dropped). */
export function ruleGroupsDocument(groups: readonly RuleGroup[]): PrometheusRuleGroup[] {
  assertValidRules(groups);
  return groups.map((g) => ({
    name: g.name,
    ...(g.interval === undefined ? {} : { interval: g.interval }),
    rules: g.rules.map(ruleOf),
  }));
}

/** A `PrometheusRule` custom resource holding `groups`; throws when a rule lacks severity, summary or runbook. */
export function prometheusRule(props: PrometheusRuleProps): PrometheusRuleManifest {
  return {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "PrometheusRule",
    metadata: { name: props.name, namespace: props.namespace, labels: { ...props.labels } },
    spec: { groups: ruleGroupsDocument(props.groups) },
  };
}
