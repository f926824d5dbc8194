import { describe, expect, it } from "vitest";
import {
  type AlertRule,
  assertValidRules,
  platformRuleGroups,
  prometheusRule,
  RULE_COMPONENTS,
  type RuleGroup,
  resolveAlertRuleOptions,
} from "../../../../../constructs/addons/monitoring/rules";
import { validateCustomResource } from "../../../../../scripts/validation";
import { countKind, describeWithSchemas } from "../../../../support/schemas";

const rule: AlertRule = {
  alert: "Example",
  expr: "up == 0",
  labels: { severity: "warning" },
  annotations: { summary: "s", description: "d", runbook: "r" },
};
const group = (rules: AlertRule[]): RuleGroup => ({ name: "g", exporters: ["prometheus"], rules });

describe("platformRuleGroups", () => {
  const groups = platformRuleGroups();

  it("gives every component at least one group, every rule a severity, summary, description and runbook", () => {
    for (const c of RULE_COMPONENTS) expect(groups[c].length, c).toBeGreaterThan(0);
    for (const r of Object.values(groups)
      .flat()
      .flatMap((g) => g.rules)) {
      expect(["critical", "warning", "info"]).toContain(r.labels.severity);
      expect(r.annotations.summary.length, r.alert).toBeGreaterThan(10);
      expect(r.annotations.runbook.length, r.alert).toBeGreaterThan(20);
    }
  });

  it("puts tuned thresholds into the expressions", () => {
    const tuned = platformRuleGroups({
      kafka: { consumerLagThreshold: 500, consumerGroupPrefixes: ["features", "scoring.v2"] },
      pvcFillHorizonHours: 6,
      inference: {
        namespace: "models",
        latencyP99Seconds: 0.2,
        liveAccuracyDrop: 0.1,
        liveAccuracyMinRows: 500,
      },
    });
    const expr = (alert: string) =>
      Object.values(tuned)
        .flat()
        .flatMap((g) => g.rules)
        .find((r) => r.alert === alert)?.expr;
    expect(expr("KafkaConsumerGroupLag")).toBe(
      'sum by (consumergroup, topic) (kafka_consumergroup_lag{consumergroup=~"(features|scoring\\\\.v2).*"}) > 500',
    );
    expect(expr("PlatformPersistentVolumeFillingUp")).toContain("[6h], 6 * 3600) < 0");
    expect(expr("PlatformPersistentVolumeFillingUp")).toContain("models");
    expect(expr("InferenceHighLatency")).toContain('{namespace="models"}');
    expect(expr("InferenceHighLatency")).toMatch(/> 0.2$/);
    expect(expr("ModelLiveAccuracyDropped")).toMatch(
      /feedback_live_window_rows\{namespace="models"\} >= 500\) > 0.1$/,
    );
    for (const alert of ["InferenceHigh5xxRatio", "ModelDriftDetected", "InferenceFeedbackEventsDropped"])
      expect(expr(alert)).toMatch(/by \(namespace, deployment, track/);
  });
});

describe("rule checks", () => {
  it("fails when a rule has a severity outside critical, warning, info", () => {
    const bad = { ...rule, labels: { severity: "page" } } as unknown as AlertRule;
    expect(() => assertValidRules([group([bad])])).toThrow(
      'group "g", alert "Example": labels.severity is "page", expected one of critical, warning, info',
    );
  });

  it("fails when a rule has no summary or runbook", () => {
    const bad = { ...rule, annotations: { summary: " ", description: "d", runbook: "" } };
    expect(() => assertValidRules([group([bad])])).toThrow(
      /annotations.summary is empty[\s\S]*annotations.runbook is empty/,
    );
  });

  it("fails when two rules share an alert name or a duration is malformed", () => {
    expect(() => assertValidRules([group([rule, { ...rule, for: "10 minutes" }])])).toThrow(
      /already used in group "g"[\s\S]*for is "10 minutes", expected a Prometheus duration/,
    );
  });

  it("fails when a threshold is out of range, naming the option path and the value", () => {
    expect(() => resolveAlertRuleOptions({ kafka: { brokerDiskFreeRatio: 1.5 } })).toThrow(
      "addons.monitoring.rules.kafka.brokerDiskFreeRatio: got 1.5, expected a ratio greater than 0 and at most 1",
    );
    expect(() => resolveAlertRuleOptions({ pvcFillHorizonHours: 0 })).toThrow(
      "addons.monitoring.rules.pvcFillHorizonHours: got 0, expected a number greater than 0",
    );
    expect(() => resolveAlertRuleOptions({ namespaces: ["ML"] })).toThrow(
      'addons.monitoring.rules.namespaces[0]: got "ML", expected a Kubernetes namespace name',
    );
    expect(() => resolveAlertRuleOptions({ inference: { liveAccuracyMinRows: 2.5 } })).toThrow(
      "addons.monitoring.rules.inference.liveAccuracyMinRows: got 2.5, expected a whole number of at least 1",
    );
    expect(() => resolveAlertRuleOptions({ inference: { liveAccuracyDrop: 0 } })).toThrow(
      "addons.monitoring.rules.inference.liveAccuracyDrop: got 0, expected a ratio greater than 0 and at most 1",
    );
    expect(() => resolveAlertRuleOptions({ kafka: { consumerGroupPrefixes: ["a b"] } })).toThrow(
      'addons.monitoring.rules.kafka.consumerGroupPrefixes[0]: got "a b"',
    );
  });
});

describeWithSchemas("PrometheusRule objects against the monitoring.coreos.com CRD", () => {
  const groups = platformRuleGroups();

  it.each(RULE_COMPONENTS)("%s validates", (component) => {
    const cr = prometheusRule({
      name: `platform-${component}`,
      namespace: "monitoring",
      labels: { release: "kube-prometheus-stack" },
      groups: groups[component],
    });
    expect(cr.spec.groups.map((g) => g.name)).toEqual(groups[component].map((g) => g.name));
    expect(cr.spec.groups.flatMap((g) => g.rules).every((r) => !("exporters" in r))).toBe(true);
    const result = validateCustomResource(cr);
    expect(result.issues ?? [], JSON.stringify(result.issues)).toEqual([]);
    expect(result.valid).toBe(true);
    countKind("PrometheusRule");
  });

  it("fails validation when a rule's expr is not a string (the CRD is really checked)", () => {
    const cr = prometheusRule({ name: "x", namespace: "monitoring", groups: [group([rule])] });
    const broken = { ...cr, spec: { groups: [{ name: "g", rules: [{ alert: "X", expr: { bad: 1 } }] }] } };
    expect(validateCustomResource(broken).valid).toBe(false);
  });

  it("fails when the builder gets a rule without severity", () => {
    const bad = { ...rule, labels: {} } as unknown as AlertRule;
    expect(() => prometheusRule({ name: "x", namespace: "monitoring", groups: [group([bad])] })).toThrow(
      'labels.severity is "undefined"',
    );
  });
});
