/** Options of the feedback loop, their defaults and validation with errors naming field, value, expectation. */
import type { Registry } from "prom-client";
import type { FeedbackLogger } from "./logger";
import type { KafkaSecurity } from "./security";

export interface FeedbackTopics {
  readonly predictions: string;
  readonly outcomes: string;
  readonly drift: string;
}

export interface FeedbackLoopOptions {
  /** `host:port` bootstrap brokers. */
  readonly brokers: readonly string[];
  /** Registry the loop's metrics are registered on (the service's shared one). */
  readonly registry: Registry;
  readonly logger?: FeedbackLogger;
  readonly clientId?: string;
  /** TLS and SASL settings (default PLAINTEXT, for a local broker only). */
  readonly security?: KafkaSecurity;
  readonly topics?: Partial<FeedbackTopics>;
  /**
   * Create missing topics on start with the admin client (default false: the platform declares the topics and
   * grants the service no Create ACL).
   */
  readonly createTopics?: boolean;
  readonly topicPartitions?: number;
  /** Omitted: the broker's default replication factor. */
  readonly topicReplicationFactor?: number;
  /** Consumer group of the outcomes consumer (default `<clientId>-outcomes`). */
  readonly consumerGroupId?: string;
  /** A new consumer group starts at the oldest outcome instead of the newest (default false). */
  readonly outcomesFromBeginning?: boolean;
  /** Events the in-memory buffer holds while Kafka is slow or down; more are dropped and counted. */
  readonly bufferSize?: number;
  /** Events per produce request at most. */
  readonly batchSize?: number;
  /** How long a partial batch waits for more events. */
  readonly lingerMs?: number;
  /** How long `stop()` tries to deliver what is buffered. */
  readonly flushTimeoutMs?: number;
  /** Predictions kept for joining with outcomes, at most, and for how long. */
  readonly joinCacheSize?: number;
  readonly joinTtlMs?: number;
  /** Labelled rows per model version over which accuracy, AUC and log-loss are computed. */
  readonly windowSize?: number;
  /** Backoff between delivery attempts while Kafka fails: doubles from min to max. */
  readonly retryMinMs?: number;
  readonly retryMaxMs?: number;
  readonly connectionTimeoutMs?: number;
  readonly requestTimeoutMs?: number;
  /** Session timeout of the outcomes consumer (the broker accepts 6000..300000 by default). */
  readonly consumerSessionTimeoutMs?: number;
  /** How long `start()` waits for the outcomes consumer to join its group. */
  readonly joinGroupTimeoutMs?: number;
}

export type ResolvedOptions = Required<
  Omit<FeedbackLoopOptions, "topicReplicationFactor" | "topics" | "logger" | "security">
> & {
  readonly security: KafkaSecurity;
  readonly topics: FeedbackTopics;
  readonly logger: FeedbackLogger;
  readonly topicReplicationFactor: number | undefined;
};

export class FeedbackOptionsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "FeedbackOptionsError";
  }
}

const TOPIC = /^[A-Za-z0-9._-]{1,249}$/;
const BROKER = /^[A-Za-z0-9.-]+:\d{1,5}$|^\[[0-9a-fA-F:]+\]:\d{1,5}$/;

function int(field: string, value: number | undefined, fallback: number, min: number, max: number): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < min || v > max) {
    throw new FeedbackOptionsError(
      `feedback.${field}: got ${String(v)}, expected an integer between ${min} and ${max}`,
    );
  }
  return v;
}

export function resolveOptions(
  options: FeedbackLoopOptions,
  fallbackLogger: FeedbackLogger,
): ResolvedOptions {
  if (!Array.isArray(options.brokers) || options.brokers.length === 0) {
    throw new FeedbackOptionsError(
      `feedback.brokers: got ${JSON.stringify(options.brokers)}, expected at least one host:port`,
    );
  }
  options.brokers.forEach((b, i) => {
    if (typeof b !== "string" || !BROKER.test(b)) {
      throw new FeedbackOptionsError(`feedback.brokers[${i}]: got ${JSON.stringify(b)}, expected host:port`);
    }
  });
  const clientId = options.clientId ?? "inference-service";
  if (!/^[A-Za-z0-9._-]{1,255}$/.test(clientId)) {
    throw new FeedbackOptionsError(
      `feedback.clientId: got ${JSON.stringify(clientId)}, expected [A-Za-z0-9._-]{1,255}`,
    );
  }
  const topics: FeedbackTopics = {
    predictions: options.topics?.predictions ?? "predictions",
    outcomes: options.topics?.outcomes ?? "outcomes",
    drift: options.topics?.drift ?? "drift",
  };
  for (const [name, topic] of Object.entries(topics)) {
    if (typeof topic !== "string" || !TOPIC.test(topic)) {
      throw new FeedbackOptionsError(
        `feedback.topics.${name}: got ${JSON.stringify(topic)}, expected a Kafka topic name ([A-Za-z0-9._-], 1-249 chars)`,
      );
    }
  }
  const retryMinMs = int("retryMinMs", options.retryMinMs, 250, 1, 600_000);
  const bufferSize = int("bufferSize", options.bufferSize, 10_000, 1, 10_000_000);
  return {
    brokers: options.brokers,
    registry: options.registry,
    logger: options.logger ?? fallbackLogger,
    clientId,
    topics,
    security: options.security ?? { protocol: "PLAINTEXT" },
    createTopics: options.createTopics ?? false,
    topicPartitions: int("topicPartitions", options.topicPartitions, 1, 1, 10_000),
    topicReplicationFactor:
      options.topicReplicationFactor === undefined
        ? undefined
        : int("topicReplicationFactor", options.topicReplicationFactor, 1, 1, 100),
    consumerGroupId: options.consumerGroupId ?? `${clientId}-outcomes`,
    outcomesFromBeginning: options.outcomesFromBeginning ?? false,
    bufferSize,
    batchSize: int("batchSize", options.batchSize, 500, 1, bufferSize),
    lingerMs: int("lingerMs", options.lingerMs, 20, 0, 60_000),
    flushTimeoutMs: int("flushTimeoutMs", options.flushTimeoutMs, 5_000, 0, 600_000),
    joinCacheSize: int("joinCacheSize", options.joinCacheSize, 100_000, 1, 100_000_000),
    joinTtlMs: int("joinTtlMs", options.joinTtlMs, 3_600_000, 1, 7 * 86_400_000),
    windowSize: int("windowSize", options.windowSize, 1_000, 1, 10_000_000),
    retryMinMs,
    retryMaxMs: int("retryMaxMs", options.retryMaxMs, 10_000, retryMinMs, 600_000),
    connectionTimeoutMs: int("connectionTimeoutMs", options.connectionTimeoutMs, 3_000, 100, 600_000),
    requestTimeoutMs: int("requestTimeoutMs", options.requestTimeoutMs, 10_000, 100, 600_000),
    consumerSessionTimeoutMs: int(
      "consumerSessionTimeoutMs",
      options.consumerSessionTimeoutMs,
      10_000,
      1_000,
      3_600_000,
    ),
    joinGroupTimeoutMs: int("joinGroupTimeoutMs", options.joinGroupTimeoutMs, 15_000, 0, 600_000),
  };
}
