import { describe, expect, it } from "vitest";
import type { KafkaConfigInput } from "../../../../constructs/addons/kafka";
import { KafkaConfigSchema } from "../../../../constructs/addons/kafka/config";
import {
  consumerGroupPrefixes,
  exporterGroupRegex,
  exporterTopicRegex,
} from "../../../../constructs/addons/kafka/exporter";
import { resourcesOf } from "../../../support/synth";
import { type Json, manifestNamed, manifests, monitoringStub, synthKafka } from "./support";

const CONFIG: KafkaConfigInput = {
  mode: "strimzi",
  topics: { predictions: {}, "scoring.v2": {}, features: {} },
  access: {
    // Writes only: it gets no group ACL, so it consumes nothing and its name is no consumer group.
    "inference-service": { topics: { predictions: "write" } },
    scorer: { topics: { "scoring.v2": "read" }, groupPrefixes: ["scoring.v2-", "audit"] },
    trainer: { topics: { features: "readwrite" } },
  },
};

/** Go's regexp and JavaScript's agree on this subset (anchors, groups, alternation, escapes, `.*`). */
const matches = (re: string, s: string) => new RegExp(re).test(s);

describe("Kafka add-on, Strimzi mode: Kafka Exporter", () => {
  const { json } = synthKafka(CONFIG, [monitoringStub]);
  const kafka = manifestNamed(json, "Kafka", "platform");
  const exporter = kafka.spec.kafkaExporter;

  it("is enabled on the Kafka resource only when monitoring is part of the platform", () => {
    expect(exporter).toBeDefined();
    const { json: bare } = synthKafka(CONFIG);
    expect(manifestNamed(bare, "Kafka", "platform").spec.kafkaExporter).toBeUndefined();
    expect(manifests(bare, "PodMonitor")).toEqual([]);
  });

  it("collects the consumer groups of the principals that read, and the configured topics, not everything", () => {
    expect(exporter.groupRegex).toBe("^(audit|scoring\\.v2-|trainer).*$");
    // The platform topics (predictions, outcomes, drift) are always configured.
    expect(exporter.topicRegex).toBe("^(drift|features|outcomes|predictions|scoring\\.v2)$");
    for (const g of ["trainer", "trainer-batch", "scoring.v2-live", "audit-1"])
      expect(matches(exporter.groupRegex, g), g).toBe(true);
    for (const g of ["inference-service", "scoringXv2-live", "other-trainer", "console-consumer-1"])
      expect(matches(exporter.groupRegex, g), g).toBe(false);
    expect(matches(exporter.topicRegex, "scoring.v2")).toBe(true);
    expect(matches(exporter.topicRegex, "scoringXv2")).toBe(false);
    expect(matches(exporter.topicRegex, "features-dlq")).toBe(false);
  });

  it("covers exactly the group prefixes the KafkaUsers are granted", () => {
    const granted = manifests(json, "KafkaUser")
      .flatMap((u) => u.spec.authorization.acls)
      .filter((a: Json) => a.resource.type === "group")
      .map((a: Json) => a.resource.name)
      .sort();
    const config = KafkaConfigSchema.parse(CONFIG);
    expect(consumerGroupPrefixes(config)).toEqual(granted);
  });

  it("fails when a derivation takes writers' names, drops the escaping or leaves the regex open", () => {
    const config = KafkaConfigSchema.parse(CONFIG);
    // What a wrong derivation would give, and why the checks above reject it.
    const everyPrincipal = `^(${Object.keys(config.access).join("|")}).*$`;
    expect(matches(everyPrincipal, "inference-service")).toBe(true);
    expect(exporterGroupRegex(config)).not.toBe(everyPrincipal);
    expect(matches("^(scoring.v2-).*$", "scoringXv2-live")).toBe(true);
    expect(matches(exporterGroupRegex(config), "scoringXv2-live")).toBe(false);
    expect(matches("^(features)", "features-dlq")).toBe(true);
    expect(matches(exporterTopicRegex(config), "features-dlq")).toBe(false);
  });

  it("collects no group rather than every group when no principal consumes", () => {
    const writersOnly = KafkaConfigSchema.parse({
      mode: "strimzi",
      access: { "inference-service": { topics: { predictions: "write" } } },
    });
    expect(exporterGroupRegex(writersOnly)).toBe("^$");
    expect(matches("^$", "inference-service")).toBe(false);
    // The platform's defaults: the reference service consumes outcomes.
    expect(exporterGroupRegex(KafkaConfigSchema.parse({}))).toBe("^(inference-service).*$");
  });

  it("has requests, a memory limit and the restricted security context, from config", () => {
    expect(exporter.resources).toEqual({
      requests: { cpu: "50m", memory: "128Mi" },
      limits: { memory: "128Mi" },
    });
    expect(exporter.template.pod.securityContext).toMatchObject({
      runAsNonRoot: true,
      seccompProfile: { type: "RuntimeDefault" },
    });
    expect(exporter.template.container.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      capabilities: { drop: ["ALL"] },
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
    });
    const { json: sized } = synthKafka(
      { ...CONFIG, strimzi: { kafkaExporter: { cpu: "200m", memory: "256Mi" } } },
      [monitoringStub],
    );
    expect(manifestNamed(sized, "Kafka", "platform").spec.kafkaExporter.resources).toEqual({
      requests: { cpu: "200m", memory: "256Mi" },
      limits: { memory: "256Mi" },
    });
  });

  it("fails when the exporter's memory is not a quantity, naming the config path", () => {
    const r = KafkaConfigSchema.safeParse({ strimzi: { kafkaExporter: { memory: "lots" } } });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0].path).toEqual(["strimzi", "kafkaExporter", "memory"]);
  });

  it("is scraped by its own PodMonitor, and the broker monitor leaves its pod out", () => {
    const monitor = manifestNamed(json, "PodMonitor", "platform-kafka-exporter");
    expect(monitor.metadata.namespace).toBe("kafka");
    expect(monitor.spec.selector).toEqual({
      matchLabels: { "strimzi.io/cluster": "platform", "strimzi.io/name": "platform-kafka-exporter" },
    });
    expect(monitor.spec.podMetricsEndpoints).toEqual([{ path: "/metrics", port: "tcp-prometheus" }]);
    // Strimzi labels the exporter's pod strimzi.io/cluster, strimzi.io/kind=Kafka and strimzi.io/name; node
    // pool pods also carry strimzi.io/pool-name.
    const exporterPod = {
      "strimzi.io/cluster": "platform",
      "strimzi.io/kind": "Kafka",
      "strimzi.io/name": "platform-kafka-exporter",
    };
    const brokers = manifestNamed(json, "PodMonitor", "platform-kafka").spec.selector;
    const selects = (sel: Json, labels: Record<string, string>) =>
      Object.entries(sel.matchLabels ?? {}).every(([k, v]) => labels[k] === v) &&
      (sel.matchExpressions ?? []).every((e: Json) => e.operator === "Exists" && e.key in labels);
    expect(selects(monitor.spec.selector, exporterPod)).toBe(true);
    expect(selects(brokers, exporterPod)).toBe(false);
    expect(
      selects(brokers, {
        ...exporterPod,
        "strimzi.io/name": "platform-kafka",
        "strimzi.io/pool-name": "brokers",
      }),
    ).toBe(true);
  });

  it("is reachable from platform namespaces on its metrics port through the Kafka metrics policy", () => {
    const policy = Object.values(resourcesOf(json, "kubernetes_network_policy_v1")).find(
      (p) => (p as Json).metadata.name === "allow-ingress-kafka-metrics",
    ) as Json;
    expect(policy.spec.pod_selector.match_labels).toEqual({ "strimzi.io/cluster": "platform" });
    expect(policy.spec.ingress[0].ports).toEqual([{ port: "9404", protocol: "TCP" }]);
  });
});
