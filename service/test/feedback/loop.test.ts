/** FeedbackLoop behaviour that needs no broker: options, the never-throwing record path, drop accounting. */
import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import type { PredictionEvent } from "../../src/contracts";
import { FeedbackLoop, FeedbackOptionsError } from "../../src/feedback";
import { kafkaLogCreator } from "../../src/feedback/logger";
import { captureLogger, metricValue, prediction, waitUntil } from "./helpers";

// Port 9 (discard) on loopback: nothing listens, so every connection attempt is refused at once.
const NOWHERE = ["127.0.0.1:9"];

describe("FeedbackLoop without a broker", () => {
  it("fails when brokers are missing or malformed, naming the field and value", () => {
    const registry = new Registry();
    expect(() => new FeedbackLoop({ brokers: [], registry })).toThrow(
      new FeedbackOptionsError("feedback.brokers: got [], expected at least one host:port"),
    );
    expect(() => new FeedbackLoop({ brokers: ["kafka"], registry })).toThrow(
      'feedback.brokers[0]: got "kafka", expected host:port',
    );
  });

  it("fails when a size or topic option is out of range", () => {
    const registry = new Registry();
    expect(() => new FeedbackLoop({ brokers: NOWHERE, registry, bufferSize: 0 })).toThrow(
      "feedback.bufferSize: got 0, expected an integer between 1 and 10000000",
    );
    expect(() => new FeedbackLoop({ brokers: NOWHERE, registry, bufferSize: 10, batchSize: 11 })).toThrow(
      "feedback.batchSize: got 11, expected an integer between 1 and 10",
    );
    expect(() => new FeedbackLoop({ brokers: NOWHERE, registry, topics: { outcomes: "bad topic" } })).toThrow(
      /feedback\.topics\.outcomes: got "bad topic", expected a Kafka topic name/,
    );
  });

  it("counts exactly the events beyond the buffer as dropped, and the unflushed rest at stop", async () => {
    const registry = new Registry();
    const loop = new FeedbackLoop({
      brokers: NOWHERE,
      registry,
      bufferSize: 10,
      batchSize: 5,
      flushTimeoutMs: 0,
    });
    for (let i = 0; i < 25; i++) loop.record(prediction(i));
    loop.publishDrift({ model: "churn", status: "drifting" });
    expect(loop.buffered).toBe(10);
    expect(await metricValue(registry, "feedback_buffer_depth")).toBe(10);
    expect(await metricValue(registry, "feedback_events_dropped_total", { reason: "buffer_full" })).toBe(16);
    expect(await loop.stop()).toEqual({ undelivered: 10 });
    expect(await metricValue(registry, "feedback_events_dropped_total", { reason: "shutdown_timeout" })).toBe(
      10,
    );
    loop.record(prediction(99));
    expect(await metricValue(registry, "feedback_events_dropped_total", { reason: "stopped" })).toBe(1);
  });

  it("never throws from record, even for a malformed event", () => {
    const registry = new Registry();
    const loop = new FeedbackLoop({ brokers: NOWHERE, registry });
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    const bad = { ...prediction(1), features: circular } as unknown as PredictionEvent;
    expect(() => loop.record(bad)).not.toThrow();
    expect(() => loop.record(null as unknown as PredictionEvent)).not.toThrow();
    expect(() => loop.publishDrift(null as never)).not.toThrow();
  });

  it("fails to start when Kafka cannot be reached, keeping valid events and counting each loss once", async () => {
    const registry = new Registry();
    const logger = captureLogger();
    const loop = new FeedbackLoop({
      brokers: NOWHERE,
      registry,
      logger,
      connectionTimeoutMs: 200,
      retryMinMs: 50,
      retryMaxMs: 100,
      flushTimeoutMs: 300,
    });
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    loop.record(prediction(1));
    loop.record({ ...prediction(2), features: circular } as unknown as PredictionEvent);
    await expect(loop.start()).rejects.toThrow();
    // The delivery loop runs anyway: it drops what cannot be serialized, fails to send, counts and keeps the rest.
    await waitUntil(
      "a counted publish error",
      async () => (await metricValue(registry, "feedback_publish_errors_total")) > 0,
    );
    expect(await metricValue(registry, "feedback_events_dropped_total", { reason: "unserializable" })).toBe(
      1,
    );
    expect(await loop.stop()).toEqual({ undelivered: 1 });
    expect(await metricValue(registry, "feedback_events_dropped_total", { reason: "shutdown_timeout" })).toBe(
      1,
    );
    // kafkajs's connection errors reach the service logger as warnings, never as errors.
    const kafkajs = logger.entries.filter((e) => e.obj.component === "kafkajs");
    expect(kafkajs.length).toBeGreaterThan(0);
    expect(kafkajs.every((e) => e.level === "warn" || e.level === "debug")).toBe(true);
  });
});

describe("kafkaLogCreator", () => {
  it("logs kafkajs errors as warnings and rate-limits repeats", () => {
    const logger = captureLogger();
    const log = kafkaLogCreator(logger, 60_000)(4);
    const entry = (message: string) => ({
      namespace: "Connection",
      level: 1,
      label: "ERROR",
      log: { timestamp: "t", logger: "kafkajs", message, broker: "127.0.0.1:9" },
    });
    for (let i = 0; i < 5; i++) log(entry("Connection error: connect ECONNREFUSED"));
    for (let i = 0; i < 3; i++) log(entry(`Restarting the consumer in ${300 * (i + 1)}.5ms`));
    log(entry("another message"));
    expect(logger.entries.map((e) => [e.level, e.msg])).toEqual([
      ["warn", "Connection error: connect ECONNREFUSED"],
      ["warn", "Restarting the consumer in 300.5ms"],
      ["warn", "another message"],
    ]);
    expect(logger.entries[0]?.obj).toMatchObject({
      component: "kafkajs",
      namespace: "Connection",
      broker: "127.0.0.1:9",
    });
  });
});
