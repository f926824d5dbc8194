/**
 * The kit's alert rules as code: `platformRuleGroups(opts)` gives the rule groups per component, which the
 * monitoring add-on emits as `PrometheusRule` objects (`prometheusRule`). See README.md beside this file.
 */

import { gpuRuleGroups } from "./gpu";
import { inferenceRuleGroups } from "./inference";
import { kafkaRuleGroups } from "./kafka";
import { kubernetesRuleGroups } from "./kubernetes";
import { assertValidRules, type RuleComponent, type RuleGroup } from "./model";
import { type AlertRuleOptions, resolveAlertRuleOptions } from "./options";
import { airflowRuleGroups, mlflowRuleGroups } from "./services";

export * from "./metrics";
export * from "./model";
export * from "./options";
export * from "./prometheus-rule";
export { metricNames } from "./promql";

export const RULE_COMPONENTS: readonly RuleComponent[] = [
  "kafka",
  "mlflow",
  "airflow",
  "kubernetes",
  "gpu",
  "inference",
];

/** Every component's rule groups, validated (severity, summary, runbook, unique names). */
export function platformRuleGroups(opts: AlertRuleOptions = {}): Record<RuleComponent, RuleGroup[]> {
  const o = resolveAlertRuleOptions(opts);
  const groups: Record<RuleComponent, RuleGroup[]> = {
    kafka: kafkaRuleGroups(o),
    mlflow: mlflowRuleGroups(o),
    airflow: airflowRuleGroups(o),
    kubernetes: kubernetesRuleGroups(o),
    gpu: gpuRuleGroups(o),
    inference: inferenceRuleGroups(o),
  };
  assertValidRules(Object.values(groups).flat());
  return groups;
}
