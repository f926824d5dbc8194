import type { KafkaConfig, KafkaTopicConfig, TopicAccess } from "./config";
import { retentionBytes, retentionMs } from "./config";

/** Who may do what: a principal named in `access`, or an explicit topic → access map. */
export type TopicSelector = string | Readonly<Record<string, TopicAccess>>;

export interface ResolvedAccess {
  readonly topics: Readonly<Record<string, TopicAccess>>;
  readonly groupPrefixes: readonly string[];
}

/** Resolves a selector against the configuration; unknown principals or topics fail naming what exists. */
export function resolveAccess(
  config: KafkaConfig,
  selector: TopicSelector,
  who = "selector",
): ResolvedAccess {
  if (typeof selector === "string") {
    const entry = config.access[selector];
    if (!entry) {
      throw new Error(
        `Kafka principal ${JSON.stringify(selector)} is not in addons.kafka.access (principals: ${Object.keys(config.access).join(", ") || "none"})`,
      );
    }
    checkTopics(config, entry.topics, `principal ${JSON.stringify(selector)}`);
    return { topics: entry.topics, groupPrefixes: entry.groupPrefixes ?? [selector] };
  }
  checkTopics(config, selector, who);
  if (Object.keys(selector).length === 0) throw new Error(`Kafka topic access ${who}: no topics given`);
  return { topics: selector, groupPrefixes: [] };
}

function checkTopics(config: KafkaConfig, topics: Readonly<Record<string, TopicAccess>>, who: string): void {
  for (const [topic, access] of Object.entries(topics)) {
    if (!(topic in config.topics)) {
      throw new Error(
        `Kafka topic access for ${who}: topic ${JSON.stringify(topic)} is not configured (topics: ${Object.keys(config.topics).join(", ")})`,
      );
    }
    if (!["read", "write", "readwrite"].includes(access)) {
      throw new Error(
        `Kafka topic access for ${who}: got ${JSON.stringify(access)} for topic ${JSON.stringify(topic)}; expected "read", "write" or "readwrite"`,
      );
    }
  }
}

export const reads = (a: TopicAccess) => a === "read" || a === "readwrite";
export const writes = (a: TopicAccess) => a === "write" || a === "readwrite";

/** The Kafka topic configs a topic's typed fields stand for, plus its free-form `config`. */
export function topicConfigEntries(t: KafkaTopicConfig): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {
    "cleanup.policy": t.cleanupPolicy,
    "retention.ms": retentionMs(t.retention),
  };
  if (t.retentionBytes !== undefined) out["retention.bytes"] = retentionBytes(t.retentionBytes);
  if (t.minInsyncReplicas !== undefined) out["min.insync.replicas"] = t.minInsyncReplicas;
  return { ...out, ...t.config };
}

/** What other add-ons learn about a topic. */
export interface KafkaTopicInfo {
  readonly name: string;
  readonly partitions: number;
  readonly replicationFactor: number;
  readonly config: Readonly<Record<string, string | number | boolean>>;
}

/** Topics with their effective replication factor (`defaultReplicationFactor` when a topic sets none). */
export function topicInfos(
  config: KafkaConfig,
  defaultReplicationFactor: number,
): Record<string, KafkaTopicInfo> {
  return Object.fromEntries(
    Object.entries(config.topics).map(([name, t]) => [
      name,
      {
        name,
        partitions: t.partitions,
        replicationFactor: t.replicationFactor ?? defaultReplicationFactor,
        config: topicConfigEntries(t),
      },
    ]),
  );
}
