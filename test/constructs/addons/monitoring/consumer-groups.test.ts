/**
 * The consumer-lag alert watches the platform's own consumer groups: the group prefixes the Kafka add-on grants
 * its reading principals (exporter.ts `consumerGroupPrefixes`) reach the rule, and the real promtool shows it
 * firing for a platform group and staying quiet for a foreign one with the same lag.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { EMBEDDED_DEFAULT } from "../../../../config/presets";
import { platformRuleGroups } from "../../../../constructs/addons/monitoring/rules";
import { deepMerge } from "../../../../constructs/core/merge";
import { synthPlatform } from "../../../support/platform";
import { describeWithPromtool, promtool } from "../../../support/promtool";
import { s } from "./rules/cases/types";
import { rulesFile, testFile } from "./rules/render";
import type { Json } from "./support";

const KAFKA = {
  enabled: true,
  access: {
    "inference-service": { topics: { predictions: "write", outcomes: "read", drift: "write" } },
    trainer: { topics: { predictions: "read" }, groupPrefixes: ["training."] },
    // Writes only: no group ACL, so not a consumer group of the platform.
    "feature-writer": { topics: { outcomes: "write" } },
  },
};

function lagExpr(addons: Record<string, unknown>): string {
  const p = synthPlatform(deepMerge(EMBEDDED_DEFAULT, { addons }));
  const rule = Object.values((p.resources?.resource?.kubernetes_manifest ?? {}) as Record<string, Json>)
    .map((r) => r.manifest)
    .find((m) => m.kind === "PrometheusRule" && m.metadata.name === "platform-kafka");
  return ((rule?.spec.groups ?? []) as Json[])
    .flatMap((g) => g.rules)
    .find((r: Json) => r.alert === "KafkaConsumerGroupLag")?.expr;
}

describe("consumer groups of the lag alert", () => {
  it("are the Kafka add-on's reading principals' group prefixes, escaped", () => {
    expect(lagExpr({ kafka: KAFKA })).toBe(
      'sum by (consumergroup, topic) (kafka_consumergroup_lag{consumergroup=~"(inference-service|training\\\\.).*"}) > 10000',
    );
  });

  it("are the configured ones when addons.monitoring.rules.kafka.consumerGroupPrefixes is set", () => {
    const expr = lagExpr({
      kafka: KAFKA,
      monitoring: { rules: { kafka: { consumerGroupPrefixes: ["ops-"] } } },
    });
    expect(expr).toContain('consumergroup=~"(ops-).*"');
  });
});

describeWithPromtool("the lag alert under promtool, with the derived groups", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "lag-groups-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const groups = platformRuleGroups({
    kafka: { consumerGroupPrefixes: ["inference-service", "training."] },
  }).kafka;
  writeFileSync(path.join(dir, "kafka.rules.yaml"), rulesFile(groups));
  const lag = (consumergroup: string) =>
    s("kafka_consumergroup_lag", { consumergroup, topic: "predictions", partition: "0" }, "20000x30");

  it("fires for a platform group and not for a foreign one (or a near miss of a prefix) with the same lag", () => {
    const cases = {
      KafkaConsumerGroupLag: {
        fires: {
          series: [lag("training.nightly"), lag("other-team")],
          at: "20m",
          labels: { consumergroup: "training.nightly", topic: "predictions" },
        },
        // `.` is literal: trainingXnightly is not a trainer's group.
        quiet: { series: [lag("other-team"), lag("trainingXnightly")], at: "20m" },
      },
    };
    writeFileSync(path.join(dir, "lag.test.yaml"), testFile("kafka.rules.yaml", groups, cases));
    const r = promtool(["test", "rules", "lag.test.yaml"], dir);
    expect(r.status, r.output).toBe(0);
    expect(r.output).toContain("SUCCESS");
  });

  it("fails when the foreign group is expected to fire (the test can fail)", () => {
    const cases = {
      KafkaConsumerGroupLag: {
        fires: {
          series: [lag("other-team")],
          at: "20m",
          labels: { consumergroup: "other-team", topic: "predictions" },
        },
        quiet: { series: [lag("inference-service-live")], at: "20m" },
      },
    };
    writeFileSync(path.join(dir, "wrong.test.yaml"), testFile("kafka.rules.yaml", groups, cases));
    const r = promtool(["test", "rules", "wrong.test.yaml"], dir);
    expect(r.status).not.toBe(0);
  });
});
