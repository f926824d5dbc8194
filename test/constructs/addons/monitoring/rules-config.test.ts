/**
 * `addons.monitoring.rules`: thresholds from the platform configuration reach the emitted PrometheusRules; bad
 * values fail naming the config path, the value and what was expected.
 */
import { describe, expect, it } from "vitest";
import { parsePlatformConfig } from "../../../../config/loader";
import { EMBEDDED_DEFAULT } from "../../../../config/presets";
import { parseMonitoringConfig } from "../../../../constructs/addons/monitoring";
import { ALERT_RULE_DEFAULTS } from "../../../../constructs/addons/monitoring/rules";
import { deepMerge } from "../../../../constructs/core/merge";
import { configProblems } from "../../../support/errors";
import { synthPlatform } from "../../../support/platform";
import type { SynthJson } from "../../../support/synth";
import type { Json } from "./support";

/** The PrometheusRules of the resources stack, by name. */
function prometheusRules(resources: SynthJson | undefined): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const r of Object.values((resources?.resource?.kubernetes_manifest ?? {}) as Record<string, Json>)) {
    if (r.manifest.kind === "PrometheusRule") out[r.manifest.metadata.name] = r.manifest;
  }
  return out;
}

const ruleExpr = (rules: Record<string, Json>, set: string, alert: string): string =>
  ((rules[set]?.spec.groups ?? []) as Json[]).flatMap((g) => g.rules).find((r: Json) => r.alert === alert)
    ?.expr;

const withoutMonitoring = (rules: unknown) =>
  deepMerge(EMBEDDED_DEFAULT, {
    addons: { monitoring: rules === undefined ? { enabled: false } : { enabled: false, rules } },
  });

const withRules = (rules: unknown) =>
  deepMerge(EMBEDDED_DEFAULT, { addons: { monitoring: { enabled: true, rules } } });

describe("addons.monitoring.rules", () => {
  it("defaults to the kit's thresholds, the ones rules/options.ts defines", () => {
    const { rules } = parseMonitoringConfig({});
    // Unset means on (the add-on's default), so an explicit `true` can be told apart.
    expect(rules.enabled).toBeUndefined();
    expect(rules).toMatchObject(ALERT_RULE_DEFAULTS);
    expect(rules.namespaces).toBeUndefined();
  });

  it("puts a configured threshold into the emitted PrometheusRule expr; enabled: false emits none", () => {
    const tuned = prometheusRules(
      synthPlatform(
        withRules({ kafka: { consumerLagThreshold: 2500 }, pvcFillHorizonHours: 6, namespaces: ["ml-team"] }),
      ).resources,
    );
    expect(ruleExpr(tuned, "platform-kafka", "KafkaConsumerGroupLag")).toMatch(/\) > 2500$/);
    const pvc = ruleExpr(tuned, "platform-kubernetes", "PlatformPersistentVolumeFillingUp");
    expect(pvc).toContain("[6h], 6 * 3600) < 0");
    expect(pvc).toContain('namespace=~"ml-team"');
    const off = synthPlatform(withRules({ enabled: false })).resources;
    expect(Object.keys(off?.resource?.kubernetes_manifest ?? {}).length).toBeGreaterThan(0);
    expect(prometheusRules(off)).toEqual({});
  });

  it("fails when rules are enabled explicitly while the monitoring add-on is off, naming the path", () => {
    expect(configProblems(() => parsePlatformConfig(withoutMonitoring({ enabled: true }), "p.yaml"))).toEqual(
      [
        "addons.monitoring.rules.enabled: got true; the kit's alert rules are emitted by the monitoring add-on, which addons.monitoring.enabled: false leaves out; set it to true, or remove the rules settings",
      ],
    );
    expect(() => parseMonitoringConfig({ enabled: false, rules: { enabled: true } })).toThrow(
      /addons\.monitoring\.rules\.enabled: got true; .*addons\.monitoring\.enabled: false/,
    );
  });

  it("fails when rule settings are given while the monitoring add-on is off, naming them", () => {
    const problems = configProblems(() =>
      parsePlatformConfig(
        withoutMonitoring({ kafka: { consumerLagThreshold: 500 }, http5xxRatio: 0.1 }),
        "p.yaml",
      ),
    );
    expect(problems).toEqual([
      expect.stringMatching(/^addons\.monitoring\.rules: rule settings given \(kafka, http5xxRatio\); /),
    ]);
  });

  it("accepts monitoring off with no rules, or with rules switched off too", () => {
    expect(() => parsePlatformConfig(withoutMonitoring(undefined), "p.yaml")).not.toThrow();
    expect(() => parsePlatformConfig(withoutMonitoring({ enabled: false }), "p.yaml")).not.toThrow();
    expect(() => parseMonitoringConfig({ enabled: true, rules: { enabled: true } })).not.toThrow();
  });

  it("fails when the consumer-lag threshold is 0 or below", () => {
    expect(() => parseMonitoringConfig({ rules: { kafka: { consumerLagThreshold: 0 } } })).toThrow(
      "addons.monitoring.rules.kafka.consumerLagThreshold: got 0, expected a number greater than 0",
    );
  });

  for (const [key, value] of [
    ["http5xxRatio", 0],
    ["http5xxRatio", 1.2],
    ["gpu.memoryUsedRatio", -0.1],
    ["kafka.brokerDiskFreeRatio", 2],
    ["inference.liveAccuracyDrop", 0],
  ] as const) {
    it(`fails when a ratio is outside (0, 1]: ${key} ${value}`, () => {
      const [head, leaf] = key.split(".");
      const rules = leaf ? { [head]: { [leaf]: value } } : { [head]: value };
      expect(() => parseMonitoringConfig({ rules })).toThrow(
        `addons.monitoring.rules.${key}: got ${value}, expected a ratio greater than 0 and at most 1`,
      );
    });
  }

  it("fails when a key is unknown, suggesting the closest", () => {
    expect(() => parseMonitoringConfig({ rules: { kafka: { consumerLagTreshold: 5 } } } as never)).toThrow(
      /addons\.monitoring\.rules\.kafka\.consumerLagTreshold.*did you mean "consumerLagThreshold"\?/s,
    );
  });

  it("fails when the live-accuracy window's minimum rows is not a whole number", () => {
    expect(() => parseMonitoringConfig({ rules: { inference: { liveAccuracyMinRows: 0 } } })).toThrow(
      "addons.monitoring.rules.inference.liveAccuracyMinRows: got 0, expected a whole number of at least 1",
    );
  });

  it("emits the inference rules from the configuration: inference.enabled with the given thresholds", () => {
    const rules = prometheusRules(
      synthPlatform(withRules({ inference: { enabled: true, liveAccuracyDrop: 0.08 } })).resources,
    );
    expect(ruleExpr(rules, "platform-inference", "ModelLiveAccuracyDropped")).toMatch(/\) > 0.08$/);
    const off = synthPlatform(withRules({ inference: { enabled: false } })).resources;
    expect(prometheusRules(off)["platform-inference"]).toBeUndefined();
    expect(prometheusRules(off)["platform-kubernetes"]).toBeDefined();
  });

  it("fails when a watched namespace is not a namespace name", () => {
    expect(() => parseMonitoringConfig({ rules: { namespaces: ["ML"] } })).toThrow(
      'addons.monitoring.rules.namespaces[0]: got "ML", expected a Kubernetes namespace name',
    );
  });
});
