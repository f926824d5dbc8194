import { describe, expect, it } from "vitest";
import {
  type KafkaConfigInput,
  KafkaConfigSchema,
  kafkaAddOn,
  parseKafkaConfig,
  retentionBytes,
  retentionMs,
} from "../../../../constructs/addons/kafka";

/** Messages of every issue, with their dotted paths, for one input. */
function problems(input: unknown): string[] {
  const r = KafkaConfigSchema.safeParse(input);
  if (r.success) return [];
  return r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
}

describe("Kafka configuration", () => {
  it("defaults to Strimzi with the platform topics and the inference service's access", () => {
    const c = KafkaConfigSchema.parse({});
    expect(c.mode).toBe("strimzi");
    expect(c.enabled).toBe(false);
    expect(Object.keys(c.topics).sort()).toEqual(["drift", "outcomes", "predictions"]);
    expect(c.topics.predictions).toMatchObject({ partitions: 12, retention: "7d", cleanupPolicy: "delete" });
    expect(c.topics.drift).toMatchObject({ partitions: 3, retention: "30d" });
    expect(c.access["inference-service"].topics).toEqual({
      predictions: "write",
      outcomes: "read",
      drift: "write",
    });
    expect(c.strimzi).toMatchObject({
      clusterName: "platform",
      authentication: "tls",
      defaultReplicationFactor: 3,
      minInsyncReplicas: 2,
      brokers: { replicas: 3, storageClass: "gp3", storageSize: "100Gi" },
      controllers: { replicas: 3 },
    });
    expect(c.msk).toMatchObject({
      kafkaVersion: "3.9.x",
      instanceType: "kafka.m7g.large",
      logRetentionInDays: 90,
    });
  });

  it("adds user topics to the platform topics and lets a user override one by name", () => {
    const c = KafkaConfigSchema.parse({
      topics: { "features.v1": { partitions: 1, cleanupPolicy: "compact" }, predictions: { partitions: 48 } },
    });
    expect(Object.keys(c.topics).sort()).toEqual(["drift", "features.v1", "outcomes", "predictions"]);
    expect(c.topics.predictions.partitions).toBe(48);
    expect(c.topics["features.v1"].cleanupPolicy).toBe("compact");
  });

  it("parses an already parsed configuration to the same value", () => {
    const once = KafkaConfigSchema.parse({ mode: "msk", topics: { a: { partitions: 2 } } });
    expect(KafkaConfigSchema.parse(once)).toEqual(once);
  });

  it("converts retention durations and sizes to Kafka's milliseconds and bytes", () => {
    expect(retentionMs("7d")).toBe(604_800_000);
    expect(retentionMs("12h")).toBe(43_200_000);
    expect(retentionMs("90s")).toBe(90_000);
    expect(retentionMs("infinite")).toBe(-1);
    expect(retentionBytes("10GiB")).toBe(10_737_418_240);
    expect(retentionBytes("512MiB")).toBe(536_870_912);
    expect(retentionBytes("unlimited")).toBe(-1);
  });

  it("fails when the mode is unknown, quoting it", () => {
    expect(problems({ mode: "confluent" })).toEqual([
      'mode: unknown Kafka mode "confluent"; expected "msk" or "strimzi"',
    ]);
  });

  it("fails when a topic's replication factor is above the Strimzi broker count", () => {
    expect(problems({ topics: { predictions: { replicationFactor: 5 } } })).toEqual([
      'topics.predictions.replicationFactor: replicationFactor 5 of topic "predictions" is above the broker count 3 (strimzi.brokers.replicas)',
    ]);
  });

  it("fails when a topic's replication factor is above a configured MSK broker count", () => {
    expect(
      problems({ mode: "msk", msk: { brokerCount: 2 }, topics: { t: { replicationFactor: 3 } } }),
    ).toEqual([
      'topics.t.replicationFactor: replicationFactor 3 of topic "t" is above the broker count 2 (msk.brokerCount)',
    ]);
  });

  it("fails when the default replication factor is above the broker count", () => {
    expect(
      problems({ strimzi: { brokers: { replicas: 1 }, defaultReplicationFactor: 3, minInsyncReplicas: 1 } }),
    ).toContain(
      "strimzi.defaultReplicationFactor: defaultReplicationFactor 3 is above the broker count 1 (strimzi.brokers.replicas)",
    );
  });

  it("fails when min.insync.replicas is above the replication factor (topic and cluster)", () => {
    expect(problems({ topics: { t: { replicationFactor: 2, minInsyncReplicas: 3 } } })).toEqual([
      'topics.t.minInsyncReplicas: min.insync.replicas 3 of topic "t" is above its replication factor 2; producers with acks=all could never write',
    ]);
    expect(problems({ strimzi: { defaultReplicationFactor: 2, minInsyncReplicas: 3 } })).toEqual([
      "strimzi.minInsyncReplicas: min.insync.replicas 3 is above the replication factor 2; producers with acks=all could never write",
    ]);
  });

  it("fails when a Strimzi pool's CPU, memory or volume size is not a quantity above zero", () => {
    expect(problems({ strimzi: { brokers: { cpu: "half" } } })).toEqual([
      'strimzi.brokers.cpu: expected a CPU quantity above zero like "250m" or "1"',
    ]);
    expect(problems({ strimzi: { brokers: { memory: "2GB" } } })[0]).toMatch(
      /^strimzi\.brokers\.memory: expected a memory/,
    );
    expect(problems({ strimzi: { brokers: { storageSize: "0Gi" } } })[0]).toMatch(
      /^strimzi\.brokers\.storageSize: expected a volume size above zero/,
    );
  });

  it("fails when partitions are below 1", () => {
    expect(problems({ topics: { t: { partitions: 0 } } })).toEqual([
      "topics.t.partitions: partitions must be at least 1",
    ]);
    expect(problems({ topics: { t: { partitions: 1.5 } } })).toEqual([
      "topics.t.partitions: expected an integer partitions",
    ]);
    expect(() => parseKafkaConfig({ topics: { t: { partitions: 0 } } })).toThrow(
      "addons.kafka.topics.t.partitions: got 0; partitions must be at least 1",
    );
  });

  it("fails when a retention is not a duration or a size, quoting it", () => {
    expect(problems({ topics: { t: { retention: "7 days" } } })).toEqual([
      'topics.t.retention: retention "7 days" is not a positive duration like "30m", "12h", "7d" (units ms, s, m, h, d) or "infinite"',
    ]);
    expect(problems({ topics: { t: { retention: "0d" } } })[0]).toMatch(
      /retention "0d" is not a positive duration/,
    );
    expect(problems({ topics: { t: { retentionBytes: "10GB" } } })[0]).toMatch(
      /retentionBytes "10GB" is not a positive size like "512MiB"/,
    );
  });

  it("fails when a topic name breaks Kafka's rules", () => {
    expect(problems({ topics: { "bad name": {} } })).toEqual([
      `topics.bad name: topic name "bad name" is invalid: Kafka allows 1-249 characters of a-z, A-Z, 0-9, '.', '_' and '-'`,
    ]);
    expect(problems({ topics: { "..": {} } })[0]).toMatch(/topic name "\.\." is reserved by Kafka/);
    expect(problems({ topics: { __offsets: {} } })[0]).toMatch(/"__offsets" starts with "__"/);
    expect(problems({ topics: { ["x".repeat(250)]: {} } })[0]).toMatch(/1-249 characters/);
    expect(problems({ topics: { ä: {} } })[0]).toMatch(/topic name "ä" is invalid/);
  });

  it("fails when two topic names differ only by '.' and '_'", () => {
    expect(problems({ topics: { "a.b": {}, a_b: {} } })).toEqual([
      `topics.a_b: topic "a_b" collides with "a.b": Kafka treats '.' and '_' alike in metric names`,
    ]);
  });

  it("fails when a principal uses a topic that is not configured", () => {
    expect(problems({ access: { trainer: { topics: { features: "read" } } } })).toEqual([
      'access.trainer.topics.features: principal "trainer" refers to topic "features", which is not configured (topics: predictions, outcomes, drift)',
    ]);
  });

  it("fails when a principal name is not a DNS label, or an access level is unknown", () => {
    expect(problems({ access: { Trainer_1: { topics: { drift: "read" } } } })[0]).toMatch(
      /access.Trainer_1: principal name "Trainer_1" is not a DNS label/,
    );
    expect(problems({ access: { a: { topics: { drift: "admin" } } } })[0]).toMatch(/^access.a.topics.drift:/);
  });

  it("fails when the KRaft controller quorum is even", () => {
    expect(problems({ strimzi: { controllers: { replicas: 2 } } })).toEqual([
      "strimzi.controllers.replicas: controllers.replicas 2 is even; a KRaft quorum needs an odd number of controllers (1, 3, 5)",
    ]);
    expect(
      problems({
        strimzi: {
          dualRole: true,
          brokers: { replicas: 2 },
          defaultReplicationFactor: 2,
          minInsyncReplicas: 1,
        },
      })[0],
    ).toMatch(/brokers.replicas 2 is even \(dual-role nodes are the KRaft controllers\)/);
  });

  it("fails when a topic's free-form config repeats a typed field", () => {
    expect(problems({ topics: { t: { config: { "retention.ms": 1000 } } } })).toEqual([
      'topics.t.config.retention.ms: config key "retention.ms" of topic "t" is set by a typed field (retention, retentionBytes, cleanupPolicy, minInsyncReplicas); use that instead',
    ]);
  });

  it("fails when a key is misspelt (objects are strict)", () => {
    const r = KafkaConfigSchema.safeParse({ strimzi: { brokrs: { replicas: 3 } } });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]).toMatchObject({
      code: "unrecognized_keys",
      keys: ["brokrs"],
      path: ["strimzi"],
    });
  });

  it("fails in the factory with every problem named under addons.kafka", () => {
    const bad = {
      mode: "msk",
      msk: { brokerCount: 0, logRetentionInDays: 42 },
    } as unknown as KafkaConfigInput;
    expect(() => parseKafkaConfig(bad)).toThrow(/invalid Kafka configuration: 2 problems/);
    expect(() => kafkaAddOn(bad)).toThrow(
      /addons\.kafka\.msk\.logRetentionInDays: logRetentionInDays 42 is not a CloudWatch Logs retention period/,
    );
    expect(() => kafkaAddOn({ strimzi: { brokrs: {} } } as unknown as KafkaConfigInput)).toThrow(
      /addons\.kafka\.strimzi\.brokrs: unknown key "brokrs"; did you mean "brokers"\?/,
    );
  });
});
