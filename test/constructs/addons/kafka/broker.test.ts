/**
 * What the Kafka add-on tells Kafka — broker properties (MSK configuration, Strimzi `spec.kafka.config`),
 * topic configs and topic-name rules — checked against a real single-node Kafka (KRaft, Maven Central jars,
 * 127.0.0.1). Skips loudly when the jars or Java are missing; fails instead when KAFKA_REQUIRED=1 (CI).
 */
import { type Admin, ConfigResourceTypes, type ITopicConfig, Kafka, logLevel } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  KafkaConfigSchema,
  topicCollisionKey,
  topicConfigEntries,
  topicNameProblem,
} from "../../../../constructs/addons/kafka";
import {
  KAFKA_INSTALL_HINT,
  KafkaTestBroker,
  kafkaUnavailableReason,
} from "../../../../scripts/kafka/broker";
import { onlyResource } from "../../../support/synth";
import { type Json, manifestNamed, synthKafka } from "./support";

const unavailable = kafkaUnavailableReason();
if (unavailable) {
  console.warn(
    [
      "",
      "#".repeat(100),
      "# SKIPPING Kafka add-on checks against a real Kafka broker:",
      `#   ${unavailable}`,
      `#   install with: ${KAFKA_INSTALL_HINT}`,
      "#".repeat(100),
      "",
    ].join("\n"),
  );
}

describe.runIf(unavailable !== undefined && process.env.KAFKA_REQUIRED === "1")(
  "Kafka broker for tests",
  () => {
    it("fails when KAFKA_REQUIRED=1 and no broker can run here", () => {
      throw new Error(`KAFKA_REQUIRED=1 but ${unavailable}; install with: ${KAFKA_INSTALL_HINT}`);
    });
  },
);

/** The broker properties the MSK configuration sets (a single-broker-compatible variant). */
function mskServerProperties(): Record<string, string> {
  const { json } = synthKafka({
    mode: "msk",
    msk: { brokerCount: 2, defaultReplicationFactor: 1, minInsyncReplicas: 1 },
    topics: {
      predictions: { replicationFactor: 1 },
      outcomes: { replicationFactor: 1 },
      drift: { replicationFactor: 1 },
    },
  });
  const text = (onlyResource(json, "aws_msk_configuration") as Json).server_properties as string;
  return Object.fromEntries(
    text.split("\n").map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
  );
}

/** The broker config of the Strimzi `Kafka` resource (single-node dual-role variant). */
function strimziBrokerConfig(): Record<string, string> {
  const { json } = synthKafka({
    mode: "strimzi",
    strimzi: { dualRole: true, brokers: { replicas: 1 }, defaultReplicationFactor: 1, minInsyncReplicas: 1 },
  });
  const config = manifestNamed(json, "Kafka", "platform").spec.kafka.config as Record<string, unknown>;
  return Object.fromEntries(Object.entries(config).map(([k, v]) => [k, String(v)]));
}

describe.skipIf(unavailable !== undefined)("Kafka add-on against a real Kafka broker", () => {
  let broker: KafkaTestBroker;
  let kafka: Kafka;
  const msk = mskServerProperties();
  const strimzi = strimziBrokerConfig();

  beforeAll(async () => {
    broker = await KafkaTestBroker.create({ heapMax: "384m", properties: msk });
    kafka = new Kafka({
      clientId: "streaming-test",
      brokers: [broker.bootstrap],
      logLevel: logLevel.NOTHING,
    });
  }, 120_000);

  afterAll(async () => {
    await broker?.destroy();
  });

  /**
   * An admin client. New topics' leaders show up in metadata after a moment, which kafkajs retries through;
   * checks that expect a missing topic use `retries: 0` so they do not wait out the backoff.
   */
  async function withAdmin<T>(fn: (admin: Admin) => Promise<T>, retries = 8): Promise<T> {
    const admin = kafka.admin({ retry: { retries, initialRetryTime: 100, maxRetryTime: 10_000 } });
    await admin.connect();
    try {
      return await fn(admin);
    } finally {
      await admin.disconnect();
    }
  }

  /**
   * Creates topics and waits (bounded) until the broker's metadata lists them with leaders. kafkajs's own
   * `waitForLeaders` gives up on the first "unknown topic" answer, which races the metadata cache.
   */
  async function createTopics(admin: Admin, topics: ITopicConfig[]): Promise<boolean> {
    const created = await admin.createTopics({ topics, waitForLeaders: false });
    const names = topics.map((t) => t.topic);
    for (let i = 0; i < 100; i++) {
      const listed = await admin.listTopics();
      if (names.every((n) => listed.includes(n))) {
        const meta = await admin.fetchTopicMetadata({ topics: names });
        if (meta.topics.every((t) => t.partitions.every((p) => p.leader >= 0))) return created;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`topics ${names.join(", ")} did not get leaders within 10 s`);
  }

  /** The Kafka error type the broker answers a topic creation with, or "created". */
  async function creationError(admin: Admin, topic: string): Promise<string> {
    try {
      await admin.createTopics({
        topics: [{ topic, numPartitions: 1, replicationFactor: 1 }],
        waitForLeaders: false,
      });
      return "created";
    } catch (err) {
      const errors = (err as { errors?: { type?: string }[] }).errors;
      return errors?.[0]?.type ?? `unexpected: ${(err as Error).message}`;
    }
  }

  it("knows every broker property the MSK configuration and the Strimzi Kafka set, with our values", async () => {
    const described = await withAdmin((admin) =>
      admin.describeConfigs({
        resources: [{ type: ConfigResourceTypes.BROKER, name: "1" }],
        includeSynonyms: false,
      }),
    );
    const entries = new Map(described.resources[0].configEntries.map((e) => [e.configName, e.configValue]));
    const unknown = [...Object.keys(msk), ...Object.keys(strimzi)].filter((k) => !entries.has(k));
    expect(unknown).toEqual([]);
    // The broker runs with the MSK properties, so it reports exactly our values for them.
    for (const [k, v] of Object.entries(msk)) expect([k, entries.get(k)]).toEqual([k, v]);
    expect(entries.get("auto.create.topics.enable")).toBe("false");
  });

  it("creates every configured topic with its partitions and Kafka configs exactly as declared", async () => {
    const config = KafkaConfigSchema.parse({
      topics: {
        "features.v1": {
          partitions: 2,
          cleanupPolicy: "compact",
          config: { "max.message.bytes": 2_097_152 },
        },
        audit: {
          retention: "infinite",
          retentionBytes: "1GiB",
          cleanupPolicy: "compact,delete",
          minInsyncReplicas: 1,
        },
      },
    });
    const topics = Object.entries(config.topics).map(([topic, t]) => ({
      topic,
      numPartitions: t.partitions,
      replicationFactor: 1,
      configEntries: Object.entries(topicConfigEntries(t)).map(([name, value]) => ({
        name,
        value: String(value),
      })),
    }));
    await withAdmin(async (admin) => {
      expect(await createTopics(admin, topics)).toBe(true);
      const meta = await admin.fetchTopicMetadata({ topics: topics.map((t) => t.topic) });
      for (const t of topics) {
        expect(meta.topics.find((m) => m.name === t.topic)?.partitions).toHaveLength(t.numPartitions);
      }
      const described = await admin.describeConfigs({
        resources: topics.map((t) => ({ type: ConfigResourceTypes.TOPIC, name: t.topic })),
        includeSynonyms: false,
      });
      for (const t of topics) {
        const got = new Map(
          described.resources
            .find((r) => r.resourceName === t.topic)
            ?.configEntries.map((e) => [e.configName, e.configValue]),
        );
        for (const { name, value } of t.configEntries)
          expect([t.topic, name, got.get(name)]).toEqual([t.topic, name, value]);
      }
    });
  });

  it("agrees with Kafka on topic names: what the schema accepts Kafka creates, what it rejects Kafka refuses", async () => {
    const accepted = ["a.b-C_9", "x".repeat(249)];
    const rejected = ["bad name", "x".repeat(250), "..", "ä"];
    for (const name of accepted) expect(topicNameProblem(name)).toBeUndefined();
    for (const name of rejected) expect(topicNameProblem(name)).toBeDefined();
    await withAdmin(async (admin) => {
      await createTopics(
        admin,
        accepted.map((topic) => ({ topic, numPartitions: 1, replicationFactor: 1 })),
      );
      const listed = await admin.listTopics();
      for (const name of accepted) expect(listed).toContain(name);
      for (const name of rejected)
        expect([name, await creationError(admin, name)]).toEqual([name, "INVALID_TOPIC_EXCEPTION"]);
    });
  });

  it("agrees with Kafka that names differing only by '.' and '_' collide", async () => {
    expect(topicCollisionKey("metrics.raw")).toBe(topicCollisionKey("metrics_raw"));
    expect(KafkaConfigSchema.safeParse({ topics: { "metrics.raw": {}, metrics_raw: {} } }).success).toBe(
      false,
    );
    await withAdmin(async (admin) => {
      await createTopics(admin, [{ topic: "metrics.raw", numPartitions: 1, replicationFactor: 1 }]);
      expect(await creationError(admin, "metrics_raw")).toBe("INVALID_TOPIC_EXCEPTION");
    });
  });

  it("does not create a topic a client merely asks for (auto-creation off)", async () => {
    await withAdmin(async (admin) => {
      await expect(admin.fetchTopicMetadata({ topics: ["never-declared"] })).rejects.toThrow(
        /does not host this topic-partition/,
      );
      expect(await admin.listTopics()).not.toContain("never-declared");
    }, 0);
  });
});
