/**
 * Delivers feedback events to Kafka from a bounded in-memory buffer, off the request path. One batch is in
 * flight at a time, sent one topic after another; what failed is resent unchanged after a backoff, so the
 * idempotent producer's sequence numbers let the broker discard a copy it already wrote. Events leave the
 * buffer only once acknowledged. A topic the ACLs refuse is not retried batch after batch: its events are
 * counted as dropped (not_authorized) until the backoff has passed, so they cannot fill the buffer and hold
 * up the topics that are allowed.
 */
import {
  CompressionTypes,
  type Kafka,
  type Message,
  Partitioners,
  type Producer,
  type TopicMessages,
} from "kafkajs";
import { BoundedQueue } from "./bounded-queue";
import type { FeedbackLogger } from "./logger";
import type { DropReason, FeedbackMetrics } from "./metrics";
import type { KafkaProblem } from "./security";

export interface PendingEvent {
  readonly topic: string;
  readonly key: string;
  /** Milliseconds since the epoch, stored as the Kafka message timestamp. */
  readonly timestamp: number;
  /** Serialized to JSON when its batch is formed, not on the request path. */
  readonly payload: unknown;
  readonly schema: string;
}

interface Batch {
  /** Buffer entries this batch covers (unserializable and refused ones included, already counted as dropped). */
  readonly count: number;
  /** Entries of this batch already counted as dropped (unserializable, refused by the ACLs). */
  counted: number;
  /** Topics still to be sent, in order; one leaves the list once Kafka has acknowledged it. */
  readonly pending: TopicMessages[];
}

export interface PublisherSettings {
  readonly bufferSize: number;
  readonly batchSize: number;
  readonly lingerMs: number;
  readonly retryMinMs: number;
  readonly retryMaxMs: number;
  /** Says what a Kafka error means, so a log line can name what to check. */
  readonly classify: (error: unknown) => KafkaProblem;
}

/** Producer errors after which the producer id is no longer usable and a new producer is needed. */
const FENCED = new Set([
  "OUT_OF_ORDER_SEQUENCE_NUMBER",
  "UNKNOWN_PRODUCER_ID",
  "INVALID_PRODUCER_EPOCH",
  "INVALID_PRODUCER_ID_MAPPING",
]);

function errorTypes(error: unknown): string[] {
  const types: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current && typeof current === "object" && depth < 5; depth++) {
    const e = current as { type?: unknown; originalError?: unknown; cause?: unknown };
    if (typeof e.type === "string") types.push(e.type);
    current = e.originalError ?? e.cause;
  }
  return types;
}

/** A one-shot wake-up: `wait` resolves on the next `notify` or after the timeout. */
class Signal {
  private waiters: (() => void)[] = [];

  notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  wait(timeoutMs?: number): Promise<void> {
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const done = () => {
        if (timer) clearTimeout(timer);
        resolve();
      };
      this.waiters.push(done);
      if (timeoutMs !== undefined) {
        timer = setTimeout(() => {
          // Leave the list, so waits that time out do not pile up during a long outage.
          this.waiters = this.waiters.filter((w) => w !== done);
          resolve();
        }, timeoutMs);
      }
    });
  }
}

export class Publisher {
  private readonly queue: BoundedQueue<PendingEvent>;
  /** Wakes the loop for new events (and on stop). */
  private readonly signal = new Signal();
  /** Cuts a retry backoff short on stop only, so a burst of events does not hammer a failing broker. */
  private readonly stopSignal = new Signal();
  private producer: Producer;
  private connected = false;
  private inflight: Batch | undefined;
  private loop: Promise<void> | undefined;
  private stopping = false;
  private aborted = false;
  private failures = 0;
  private lastFailureLog = 0;
  /** Topic being sent, so that an authorization error can be pinned on it. */
  private sending: string | undefined;
  /** Topics the ACLs refused, with the time until which their events are dropped without trying. */
  private readonly refused = new Map<string, number>();
  private readonly refusedLogged = new Map<string, number>();

  constructor(
    private readonly kafka: Kafka,
    private readonly settings: PublisherSettings,
    private readonly metrics: FeedbackMetrics,
    private readonly logger: FeedbackLogger,
  ) {
    this.queue = new BoundedQueue(settings.bufferSize);
    this.producer = this.createProducer();
  }

  get depth(): number {
    return this.queue.size;
  }

  /** Buffers an event; never throws. Full buffer or stopped publisher: the event is counted as dropped. */
  enqueue(event: PendingEvent): void {
    if (this.stopping) {
      this.drop("stopped", 1);
      return;
    }
    if (!this.queue.push(event)) {
      this.drop("buffer_full", 1);
      return;
    }
    this.metrics.bufferDepth.set(this.queue.size);
    const size = this.queue.size;
    if (size === 1 || size === this.settings.batchSize) this.signal.notify();
  }

  start(): void {
    this.loop ??= this.run().catch((error: unknown) => {
      this.logger.error({ err: error }, "feedback publisher stopped unexpectedly");
    });
  }

  /**
   * Stops taking events and tries to deliver the buffer within `timeoutMs`; what is still undelivered then is
   * counted as dropped with reason shutdown_timeout. Returns the number of events so dropped.
   */
  async stop(timeoutMs: number): Promise<number> {
    this.stopping = true;
    this.signal.notify();
    this.stopSignal.notify();
    let timer: NodeJS.Timeout | undefined;
    const drained = await Promise.race([
      (this.loop ?? Promise.resolve()).then(() => true),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), timeoutMs);
      }),
    ]);
    clearTimeout(timer);
    let lost = 0;
    if (!drained || this.queue.size > 0) {
      this.aborted = true;
      this.signal.notify();
      this.stopSignal.notify();
      // Unserializable and refused entries of the batch in flight were counted when the batch was formed.
      lost = this.queue.size - (this.inflight?.counted ?? 0);
      if (lost > 0) {
        this.drop("shutdown_timeout", lost);
        this.logger.error(
          { undelivered: lost, timeoutMs },
          "feedback events still undelivered when the flush timeout ended; counted as dropped",
        );
      }
      this.queue.clear();
      this.metrics.bufferDepth.set(0);
    }
    await this.producer.disconnect().catch(() => undefined);
    return lost;
  }

  private drop(reason: DropReason, n: number): void {
    this.metrics.dropped.inc({ reason }, n);
  }

  private createProducer(): Producer {
    const producer = this.kafka.producer({
      idempotent: true,
      // kafkajs allows only one in-flight request per broker for an idempotent producer.
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      // Explicit, which also silences kafkajs's warning about its v2 default (murmur2, as the Java client).
      createPartitioner: Partitioners.DefaultPartitioner,
      // Bounded so a send fails while Kafka is down and the loop can count it and back off.
      retry: { retries: 3, initialRetryTime: 100, maxRetryTime: 1_000 },
    });
    producer.on(producer.events.DISCONNECT, () => {
      this.connected = false;
    });
    return producer;
  }

  private async run(): Promise<void> {
    let backoff = this.settings.retryMinMs;
    while (!this.aborted) {
      if (!this.inflight) {
        if (this.queue.size === 0) {
          if (this.stopping) return;
          await this.signal.wait();
          continue;
        }
        if (this.queue.size < this.settings.batchSize && this.settings.lingerMs > 0 && !this.stopping) {
          await this.signal.wait(this.settings.lingerMs);
        }
        this.inflight = this.formBatch();
      }
      const batch = this.inflight;
      try {
        if (!this.connected) {
          await this.producer.connect();
          this.connected = true;
        }
        await this.send(batch);
        this.delivered(batch);
        backoff = this.settings.retryMinMs;
      } catch (error) {
        if (this.aborted) return;
        // A refused topic's events are dropped: the rest of the batch goes on at once.
        if (await this.refusedTopic(error, batch)) continue;
        await this.failed(error);
        if (!this.stopping) await this.stopSignal.wait(backoff);
        else await new Promise((resolve) => setTimeout(resolve, Math.min(backoff, 250)));
        backoff = Math.min(backoff * 2, this.settings.retryMaxMs);
      }
    }
  }

  /** Sends the batch's topics one after another; each leaves `pending` once acknowledged. */
  private async send(batch: Batch): Promise<void> {
    for (let next = batch.pending[0]; next !== undefined; next = batch.pending[0]) {
      this.sending = next.topic;
      await this.producer.send({ ...next, acks: -1, compression: CompressionTypes.GZIP });
      this.sending = undefined;
      batch.pending.shift();
      this.metrics.published.inc({ topic: next.topic }, next.messages.length);
    }
  }

  private formBatch(): Batch {
    const events = this.queue.peek(this.settings.batchSize);
    const byTopic = new Map<string, Message[]>();
    let unserializable = 0;
    let refused = 0;
    const now = Date.now();
    for (const event of events) {
      const until = this.refused.get(event.topic);
      if (until !== undefined && now < until) {
        refused++;
        continue;
      }
      if (until !== undefined) this.refused.delete(event.topic);
      let value: string;
      try {
        value = JSON.stringify(event.payload);
      } catch (error) {
        unserializable++;
        this.logger.warn(
          { topic: event.topic, key: event.key, err: (error as Error).message },
          "feedback event is not serializable to JSON; dropped",
        );
        continue;
      }
      const messages = byTopic.get(event.topic) ?? [];
      messages.push({
        key: event.key,
        value,
        timestamp: String(event.timestamp),
        headers: { "content-type": "application/json", schema: event.schema },
      });
      byTopic.set(event.topic, messages);
    }
    if (unserializable > 0) this.drop("unserializable", unserializable);
    if (refused > 0) this.drop("not_authorized", refused);
    return {
      count: events.length,
      counted: unserializable + refused,
      pending: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
    };
  }

  private delivered(batch: Batch): void {
    this.queue.drop(batch.count);
    this.inflight = undefined;
    this.metrics.bufferDepth.set(this.queue.size);
    if (this.failures > 0) {
      this.logger.info(
        { failedAttempts: this.failures, buffered: this.queue.size },
        "Kafka delivery of feedback events resumed",
      );
      this.failures = 0;
    }
  }

  /**
   * When the ACLs refused the topic being sent: drops its events (counted as not_authorized), skips the topic
   * for one maximum backoff, and replaces the producer, whose metadata requests would otherwise keep naming
   * the refused topic and fail for every topic. Returns false for any other error.
   */
  private async refusedTopic(error: unknown, batch: Batch): Promise<boolean> {
    const topic = this.sending;
    this.sending = undefined;
    if (!errorTypes(error).includes("TOPIC_AUTHORIZATION_FAILED") || topic === undefined) return false;
    const group = batch.pending[0];
    if (group?.topic !== topic) return false;
    batch.pending.shift();
    batch.counted += group.messages.length;
    this.drop("not_authorized", group.messages.length);
    this.metrics.publishErrors.inc();
    const now = Date.now();
    this.refused.set(topic, now + this.settings.retryMaxMs);
    if (now - (this.refusedLogged.get(topic) ?? 0) >= 30_000) {
      this.refusedLogged.set(topic, now);
      this.logger.error(
        {
          topic,
          dropped: group.messages.length,
          retryInMs: this.settings.retryMaxMs,
          hint: this.settings.classify(error).hint,
        },
        'Kafka refused writes to the topic (TOPIC_AUTHORIZATION_FAILED); its events are dropped (feedback_events_dropped_total{reason="not_authorized"}) until a retry succeeds',
      );
    }
    await this.producer.disconnect().catch(() => undefined);
    this.producer = this.createProducer();
    this.connected = false;
    return true;
  }

  private async failed(error: unknown): Promise<void> {
    this.failures++;
    this.metrics.publishErrors.inc();
    const now = Date.now();
    // First failure and then one line per 30 s: the buffer depth and error counter tell the rest.
    if (this.failures === 1 || now - this.lastFailureLog >= 30_000) {
      this.lastFailureLog = now;
      const problem = this.settings.classify(error);
      const fields = {
        err: (error as Error).message,
        failedAttempts: this.failures,
        buffered: this.queue.size,
      };
      if (problem.kind === "other") {
        this.logger.warn(
          { ...fields, ...(problem.hint ? { hint: problem.hint } : {}) },
          "Kafka delivery of feedback events failed; buffering and retrying",
        );
      } else {
        // Retrying cannot fix these by itself, but a rotated Secret or a granted ACL will: keep trying.
        this.logger.error(
          { ...fields, kind: problem.kind, hint: problem.hint },
          `Kafka refused the feedback loop (${problem.kind}); buffering and retrying`,
        );
      }
    }
    if (errorTypes(error).some((t) => FENCED.has(t))) {
      // The broker no longer knows this producer id: continue with a new one. The batch in flight may then be
      // written twice, which is why delivery is documented as at-least-once.
      this.logger.warn({ types: errorTypes(error) }, "Kafka producer id rejected; creating a new producer");
      await this.producer.disconnect().catch(() => undefined);
      this.producer = this.createProducer();
      this.connected = false;
    }
  }
}
