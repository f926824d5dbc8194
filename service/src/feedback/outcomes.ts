/**
 * Consumes the `outcomes` topic and joins each outcome to its recent prediction; joined rows feed the live
 * accuracy/AUC/log-loss window. A bad message is counted and logged, never thrown (which would make kafkajs
 * redeliver it forever).
 */
import type { Consumer, EachMessagePayload, Kafka } from "kafkajs";
import type { JoinCache } from "./join-cache";
import type { LiveMetrics } from "./live-metrics";
import type { FeedbackLogger } from "./logger";
import type { FeedbackMetrics } from "./metrics";
import { parseOutcome } from "./outcome";
import type { KafkaProblem } from "./security";

export interface OutcomeConsumerSettings {
  readonly topic: string;
  readonly groupId: string;
  readonly fromBeginning: boolean;
  readonly joinGroupTimeoutMs: number;
  readonly sessionTimeoutMs: number;
  /** Says what a Kafka error means (an ACL refusing the group or topic, a refused login). */
  readonly classify: (error: unknown) => KafkaProblem;
  /** Wait before starting a consumer again that kafkajs gave up on (an error it does not retry). */
  readonly restartDelayMs: number;
}

export class OutcomeConsumer {
  private consumer: Consumer | undefined;
  private stopping = false;
  private lastInvalidLog = 0;
  private invalidSinceLog = 0;
  private lastCrashLog = 0;
  private restartTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly kafka: Kafka,
    private readonly settings: OutcomeConsumerSettings,
    private readonly cache: JoinCache,
    private readonly live: LiveMetrics,
    private readonly metrics: FeedbackMetrics,
    private readonly logger: FeedbackLogger,
  ) {}

  /** Connects, subscribes and waits (up to the configured timeout) until the consumer has joined its group. */
  async start(): Promise<void> {
    if (this.consumer) return;
    this.stopping = false;
    const consumer = this.kafka.consumer({
      groupId: this.settings.groupId,
      // After a broker restart the group waits for members of the old session before it rebalances; a short
      // session keeps that wait (and a stop() during it) short.
      sessionTimeout: this.settings.sessionTimeoutMs,
      heartbeatInterval: Math.max(1_000, Math.floor(this.settings.sessionTimeoutMs / 3)),
      // A consumer that failed (for example while Kafka was down) starts again, unless we are stopping it.
      retry: { restartOnFailure: async () => !this.stopping },
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      // kafkajs does not restart after an error it deems final, such as an ACL refusing the group: start
      // afresh later, so a grant made afterwards takes effect without restarting the service.
      if (!payload.restart) this.restartLater(consumer);
      // kafkajs logs each crash itself; one line of ours per 30 s is enough.
      if (Date.now() - this.lastCrashLog < 30_000) return;
      this.lastCrashLog = Date.now();
      const problem = this.settings.classify(payload.error);
      if (problem.kind === "other") {
        this.logger.warn(
          { err: payload.error.message, restart: payload.restart },
          "outcomes consumer failed; restarting",
        );
        return;
      }
      // A refusal does not pass by itself: say which group and topic, so the ACL can be checked.
      this.logger.error(
        {
          err: payload.error.message,
          kind: problem.kind,
          groupId: this.settings.groupId,
          topic: this.settings.topic,
          hint: problem.hint,
          restart: payload.restart,
        },
        `outcomes consumer refused by Kafka (${problem.kind}); restarting`,
      );
    });
    let timer: NodeJS.Timeout | undefined;
    const joined = new Promise<boolean>((resolve) => {
      consumer.on(consumer.events.GROUP_JOIN, () => resolve(true));
      timer = setTimeout(() => resolve(false), this.settings.joinGroupTimeoutMs);
    });
    // Set before connecting: kafkajs may report a crash before run() resolves.
    this.consumer = consumer;
    try {
      await consumer.connect();
      await consumer.subscribe({ topic: this.settings.topic, fromBeginning: this.settings.fromBeginning });
      await consumer.run({ eachMessage: async (payload) => this.handle(payload) });
    } catch (error) {
      // Leave nothing half-started behind, so a later start() begins afresh.
      clearTimeout(timer);
      if (this.consumer === consumer) this.consumer = undefined;
      this.stopping = true;
      await consumer.disconnect().catch(() => undefined);
      throw error;
    }
    const inGroup = await joined;
    clearTimeout(timer);
    if (!inGroup) {
      this.logger.warn(
        { groupId: this.settings.groupId, timeoutMs: this.settings.joinGroupTimeoutMs },
        "outcomes consumer has not joined its group yet; it keeps trying",
      );
    }
  }

  private restartLater(dead: Consumer): void {
    if (this.stopping || this.consumer !== dead) return;
    clearTimeout(this.restartTimer);
    this.restartTimer = setTimeout(() => {
      if (this.stopping || this.consumer !== dead) return;
      this.consumer = undefined;
      void dead
        .disconnect()
        .catch(() => undefined)
        .then(() => (this.stopping ? undefined : this.start()))
        .catch((error: unknown) => {
          this.logger.debug({ err: (error as Error).message }, "outcomes consumer did not start again");
          // start() failed before kafkajs took over: try again after the same wait.
          if (!this.stopping && this.consumer === undefined) this.retryStart();
        });
    }, this.settings.restartDelayMs);
    this.restartTimer.unref();
  }

  private retryStart(): void {
    clearTimeout(this.restartTimer);
    this.restartTimer = setTimeout(() => {
      if (this.stopping || this.consumer !== undefined) return;
      this.start().catch(() => this.retryStart());
    }, this.settings.restartDelayMs);
    this.restartTimer.unref();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    const consumer = this.consumer;
    this.consumer = undefined;
    await consumer?.disconnect();
  }

  private handle({ topic, partition, message }: EachMessagePayload): void {
    const parsed = parseOutcome(message.value);
    if (!parsed.ok) {
      this.invalid(parsed.error, topic, partition, message.offset);
      return;
    }
    const { requestId, row, label } = parsed.outcome;
    const result = this.cache.take(requestId, row);
    if (result.kind === "invalid") {
      this.invalid(result.error, topic, partition, message.offset);
      return;
    }
    if (result.kind !== "joined") {
      this.metrics.outcomes.inc({ result: result.kind });
      return;
    }
    const { prediction } = result;
    const score = prediction.scores[row];
    if (typeof score !== "number" || !Number.isFinite(score)) {
      this.invalid(
        `prediction '${requestId}' row ${row}: score ${String(score)} is not a finite number`,
        topic,
        partition,
        message.offset,
      );
      return;
    }
    this.live.add(prediction.model, prediction.version, score, prediction.labels[row] ?? Number.NaN, label);
    this.metrics.outcomes.inc({ result: "joined" });
  }

  private invalid(error: string, topic: string, partition: number, offset: string): void {
    this.metrics.outcomes.inc({ result: "invalid" });
    this.invalidSinceLog++;
    const now = Date.now();
    if (now - this.lastInvalidLog >= 10_000) {
      this.logger.warn(
        { error, topic, partition, offset, invalidSinceLastLog: this.invalidSinceLog },
        "invalid outcome message skipped",
      );
      this.lastInvalidLog = now;
      this.invalidSinceLog = 0;
    }
  }
}
