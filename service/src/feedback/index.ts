/**
 * The Kafka feedback loop: every served prediction goes to the `predictions` topic, outcomes from the
 * `outcomes` topic are joined to recent predictions to export live accuracy, ROC AUC and log-loss, and drift
 * status changes go to the `drift` topic. Kafka being slow or down never reaches the request path: events wait
 * in a bounded buffer, and anything that cannot be kept is counted in `feedback_events_dropped_total`.
 *
 * Delivery is at-least-once: a batch is resent unchanged until acknowledged and the idempotent producer lets
 * the broker drop copies it already has, so duplicates appear only if the broker forgets the producer id and a
 * new producer has to resend the batch in flight.
 */
import { Kafka, logLevel } from "kafkajs";
import type { FeatureColumn, PredictionEvent, PredictionSink } from "../contracts";
import { JoinCache } from "./join-cache";
import { LiveMetrics, type WindowStats } from "./live-metrics";
import { type FeedbackLogger, kafkaLogCreator, silentLogger } from "./logger";
import { createFeedbackMetrics, type FeedbackMetrics } from "./metrics";
import { type FeedbackLoopOptions, type ResolvedOptions, resolveOptions } from "./options";
import { OutcomeConsumer } from "./outcomes";
import { Publisher } from "./publisher";
import { classifyKafkaError, kafkaClientSecurity } from "./security";

export { accuracy, logLoss, rocAuc, type WindowStats } from "./live-metrics";
export type { FeedbackLogger } from "./logger";
export { type FeedbackLoopOptions, FeedbackOptionsError, type FeedbackTopics } from "./options";
export { type Outcome, parseOutcome } from "./outcome";
export type { KafkaSasl, KafkaSecurity, KafkaTlsFiles } from "./security";

/** A drift monitor status change, published to the drift topic keyed by model. */
export interface DriftEvent {
  readonly model: string;
  readonly version?: string;
  /** Milliseconds since the epoch; omitted: now. */
  readonly timestamp?: number;
  readonly [field: string]: unknown;
}

/** Message schemas, sent as the `schema` header so consumers can tell versions apart. */
export const PREDICTION_SCHEMA = "mlops.prediction.v1";
export const DRIFT_SCHEMA = "mlops.drift.v1";

export class FeedbackLoop implements PredictionSink {
  readonly options: ResolvedOptions;
  private readonly logger: FeedbackLogger;
  private readonly kafka: Kafka;
  private readonly metrics: FeedbackMetrics;
  private readonly cache: JoinCache;
  private readonly live: LiveMetrics;
  private readonly publisher: Publisher;
  private readonly consumer: OutcomeConsumer;
  private stopped = false;
  private connectTimer: NodeJS.Timeout | undefined;

  constructor(options: FeedbackLoopOptions) {
    this.options = resolveOptions(options, silentLogger);
    const o = this.options;
    this.logger = o.logger;
    this.kafka = new Kafka({
      clientId: o.clientId,
      brokers: [...o.brokers],
      ...kafkaClientSecurity(o.security),
      connectionTimeout: o.connectionTimeoutMs,
      requestTimeout: o.requestTimeoutMs,
      logLevel: logLevel.WARN,
      logCreator: kafkaLogCreator(o.logger),
      // Short retries: the loop backs off and retries by itself, and an outage should show up in seconds.
      retry: { retries: 3, initialRetryTime: 200, maxRetryTime: 2_000 },
    });
    this.cache = new JoinCache(o.joinCacheSize, o.joinTtlMs);
    this.live = new LiveMetrics(o.windowSize);
    this.metrics = createFeedbackMetrics(
      o.registry,
      [o.topics.predictions, o.topics.drift],
      o.bufferSize,
      this.live,
      () => this.cache.size,
    );
    this.publisher = new Publisher(
      this.kafka,
      { ...o, classify: (error) => classifyKafkaError(error, o.security) },
      this.metrics,
      o.logger,
    );
    this.consumer = new OutcomeConsumer(
      this.kafka,
      {
        topic: o.topics.outcomes,
        groupId: o.consumerGroupId,
        fromBeginning: o.outcomesFromBeginning,
        joinGroupTimeoutMs: o.joinGroupTimeoutMs,
        sessionTimeoutMs: o.consumerSessionTimeoutMs,
        classify: (error) => classifyKafkaError(error, o.security),
        restartDelayMs: o.retryMaxMs,
      },
      this.cache,
      this.live,
      this.metrics,
      o.logger,
    );
  }

  /**
   * Creates missing topics (if configured), starts the outcomes consumer and the delivery loop. Rejects when
   * Kafka cannot be reached; the loop then keeps trying in the background (delivery and consumer alike), so
   * the caller may log the error and carry on serving.
   */
  async start(): Promise<void> {
    if (this.stopped) throw new Error("feedback loop was stopped; create a new one");
    try {
      await this.connect();
    } catch (error) {
      this.reportConnectFailure(error);
      this.scheduleConnect(this.options.retryMinMs);
      throw error;
    } finally {
      if (!this.stopped) this.publisher.start();
    }
  }

  /**
   * Stops taking events, delivers what is buffered within `flushTimeoutMs` (the rest is counted as dropped)
   * and disconnects. Resolves with the number of events left undelivered.
   */
  async stop(): Promise<{ undelivered: number }> {
    this.stopped = true;
    clearTimeout(this.connectTimer);
    const [undelivered] = await Promise.all([
      this.publisher.stop(this.options.flushTimeoutMs),
      withTimeout(this.consumer.stop(), this.options.flushTimeoutMs).catch((error: unknown) => {
        this.logger.warn({ err: (error as Error).message }, "outcomes consumer did not stop cleanly");
      }),
    ]);
    this.logger.info({ undelivered }, "feedback loop stopped");
    return { undelivered };
  }

  /** Queues the prediction for the predictions topic and keeps it for joining outcomes. Never throws. */
  record(event: PredictionEvent): void {
    try {
      this.cache.put(event);
      this.publisher.enqueue({
        topic: this.options.topics.predictions,
        key: event.requestId,
        timestamp: Number.isFinite(event.timestamp) ? event.timestamp : Date.now(),
        schema: PREDICTION_SCHEMA,
        payload: {
          requestId: event.requestId,
          model: event.model,
          version: event.version,
          timestamp: event.timestamp,
          features: plainColumns(event.features),
          outputs: { scores: event.scores, labels: event.labels },
        },
      });
    } catch (error) {
      // Only a malformed event can get here; count it rather than fail the request that produced it.
      this.metrics.dropped.inc({ reason: "unserializable" });
      this.logger.warn({ err: (error as Error).message }, "prediction event could not be recorded");
    }
  }

  /** Queues a drift status change for the drift topic (keyed by model). Never throws. */
  publishDrift(event: DriftEvent): void {
    try {
      const timestamp =
        typeof event.timestamp === "number" && Number.isFinite(event.timestamp)
          ? event.timestamp
          : Date.now();
      this.publisher.enqueue({
        topic: this.options.topics.drift,
        key: event.model,
        timestamp,
        schema: DRIFT_SCHEMA,
        payload: { ...event, timestamp },
      });
    } catch (error) {
      this.metrics.dropped.inc({ reason: "unserializable" });
      this.logger.warn({ err: (error as Error).message }, "drift event could not be recorded");
    }
  }

  /** Live quality per model version, as exported by the gauges. */
  stats(): WindowStats[] {
    return this.live.stats();
  }

  /** Events waiting for delivery, including the batch in flight. */
  get buffered(): number {
    return this.publisher.depth;
  }

  private async connect(): Promise<void> {
    if (this.options.createTopics) await this.ensureTopics();
    await this.consumer.start();
    // stop() may have run while the consumer was starting.
    if (this.stopped) await this.consumer.stop();
    else
      this.logger.info(
        { brokers: this.options.brokers, topics: this.options.topics },
        "feedback loop started",
      );
  }

  /** Retries topic creation and the consumer start with a doubling delay until it works or the loop stops. */
  private scheduleConnect(delayMs: number): void {
    if (this.stopped) return;
    this.connectTimer = setTimeout(() => {
      this.connect().catch((error: unknown) => {
        this.reportConnectFailure(error);
        this.logger.debug({ err: (error as Error).message, retryInMs: delayMs }, "Kafka still unreachable");
        this.scheduleConnect(Math.min(delayMs * 2, this.options.retryMaxMs));
      });
    }, delayMs);
    // A pending retry alone must not keep the process alive.
    this.connectTimer.unref();
  }

  private lastRefusalLog = 0;

  /**
   * A refused login, an unverifiable broker certificate or a missing ACL will not pass by waiting, unlike an
   * unreachable broker: say so as an error naming what to check (first time, then once per 30 s).
   */
  private reportConnectFailure(error: unknown): void {
    const problem = classifyKafkaError(error, this.options.security);
    if (problem.kind === "other" || Date.now() - this.lastRefusalLog < 30_000) return;
    this.lastRefusalLog = Date.now();
    this.logger.error(
      { err: (error as Error).message, kind: problem.kind, hint: problem.hint },
      `Kafka refused the feedback loop (${problem.kind}); retrying in the background, predictions stay buffered`,
    );
  }

  private async ensureTopics(): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const existing = new Set(await admin.listTopics());
      const wanted = [...new Set(Object.values(this.options.topics))].filter((t) => !existing.has(t));
      if (wanted.length === 0) return;
      await admin.createTopics({
        waitForLeaders: true,
        topics: wanted.map((topic) => ({
          topic,
          numPartitions: this.options.topicPartitions,
          ...(this.options.topicReplicationFactor === undefined
            ? {}
            : { replicationFactor: this.options.topicReplicationFactor }),
        })),
      });
      this.logger.info({ topics: wanted }, "created Kafka topics");
    } finally {
      await admin.disconnect();
    }
  }
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Typed-array feature columns as plain arrays, so the JSON payload holds arrays, not index-keyed objects. */
function plainColumns(features: PredictionEvent["features"]): Record<string, FeatureColumn> {
  const out: Record<string, FeatureColumn> = {};
  for (const name in features) {
    const column = features[name] as FeatureColumn;
    out[name] = ArrayBuffer.isView(column) ? Array.from(column) : column;
  }
  return out;
}
