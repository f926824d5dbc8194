/**
 * SIGTERM under load on the real service process: readiness turns false, requests in flight at the signal
 * finish with 200, later ones get a clean refusal (503 or connection refused), the process exits 0, and with
 * Kafka configured every served prediction is in the predictions topic after exit (buffer flushed).
 */
import { randomBytes } from "node:crypto";
import { Kafka, logLevel } from "kafkajs";
import { afterAll, describe, expect, it } from "vitest";
import { KafkaTestBroker, kafkaUnavailableReason } from "../../../scripts/kafka/broker";
import { exampleRows, inferBody } from "../http/real-service";
import { spawnService } from "./service-process";

interface Outcome {
  id: string;
  startedAt: number;
  endedAt: number;
  status: number | string;
}

/** Clients send until they see readiness fail (as a load balancer would), keeping requests in flight. */
async function loadUntilDrained(url: string, clients: number, onLoaded: () => void): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  const body = (id: string) =>
    JSON.stringify(inferBody([...exampleRows(), ...exampleRows(), ...exampleRows()], { id }));
  let draining = false;
  let seq = 0;
  const watcher = (async () => {
    while (!draining) {
      try {
        const r = await fetch(`${url}/v2/health/ready`);
        if (r.status !== 200) draining = true;
      } catch {
        draining = true;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  const client = async () => {
    while (!draining) {
      const id = `load-${seq++}`;
      const startedAt = performance.now();
      let status: number | string;
      try {
        const res = await fetch(`${url}/v2/models/readmission/infer`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: body(id),
        });
        await res.arrayBuffer();
        status = res.status;
      } catch (err) {
        const cause = (err as { cause?: { code?: string } }).cause;
        status = cause?.code ?? String(err);
      }
      outcomes.push({ id, startedAt, endedAt: performance.now(), status });
      if (outcomes.length === 50) onLoaded();
    }
  };
  await Promise.all([watcher, ...Array.from({ length: clients }, client)]);
  return outcomes;
}

describe("SIGTERM under load", () => {
  it("finishes in-flight requests, refuses cleanly, and exits 0", async () => {
    const svc = await spawnService({
      SHUTDOWN_DELAY_MS: "500",
      SHUTDOWN_GRACE_MS: "15000",
      MAX_BATCH_DELAY_US: "3000",
    });
    let signalledAt = 0;
    const outcomes = await loadUntilDrained(svc.url, 8, () => {
      signalledAt = performance.now();
      svc.child.kill("SIGTERM");
    });
    const code = await svc.exited;
    expect(code).toBe(0);
    const failed = outcomes.filter(
      (o) => o.status !== 200 && o.status !== 503 && o.status !== "ECONNREFUSED",
    );
    expect(failed).toEqual([]);
    const inFlightAtSignal = outcomes.filter((o) => o.startedAt < signalledAt && o.endedAt > signalledAt);
    expect(inFlightAtSignal.length).toBeGreaterThan(0);
    expect(inFlightAtSignal.every((o) => o.status === 200)).toBe(true);
    expect(outcomes.filter((o) => o.status === 200).length).toBeGreaterThanOrEqual(50);
    const messages = svc.lines.map((l) => JSON.parse(l).message);
    expect(messages).toContain("shutdown complete");
    // A request after exit is refused at the socket.
    await expect(fetch(`${svc.url}/v2/health/live`)).rejects.toThrow();
  });
});

const kafkaMissing = kafkaUnavailableReason();
if (kafkaMissing) {
  console.warn(
    `\n${"!".repeat(78)}\n! SKIPPING SIGTERM Kafka flush test: ${kafkaMissing}\n! install: bash .ci/steps/kafka.sh\n${"!".repeat(78)}\n`,
  );
}

describe.skipIf(kafkaMissing !== undefined)("SIGTERM with the Kafka feedback loop", () => {
  let broker: KafkaTestBroker | undefined;
  afterAll(async () => broker?.stop());

  it("delivers every served prediction to Kafka before exiting 0", async () => {
    broker = await KafkaTestBroker.create();
    const topic = `predictions-${randomBytes(4).toString("hex")}`;
    const svc = await spawnService({
      KAFKA_BROKERS: `127.0.0.1:${broker.port}`,
      KAFKA_PREDICTIONS_TOPIC: topic,
      KAFKA_FLUSH_TIMEOUT_MS: "15000",
      SHUTDOWN_GRACE_MS: "30000",
      DRIFT_ENABLED: "false",
    });
    const outcomes = await loadUntilDrained(svc.url, 4, () => svc.child.kill("SIGTERM"));
    expect(await svc.exited).toBe(0);
    const served = new Set(outcomes.filter((o) => o.status === 200).map((o) => o.id));
    expect(served.size).toBeGreaterThanOrEqual(50);

    const kafka = new Kafka({
      clientId: "sigterm-test",
      brokers: [`127.0.0.1:${broker.port}`],
      logLevel: logLevel.NOTHING,
    });
    const consumer = kafka.consumer({ groupId: `sigterm-${randomBytes(4).toString("hex")}` });
    const keys = new Set<string>();
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void keys.add(String(message.key)) });
    const deadline = Date.now() + 30_000;
    while (keys.size < served.size && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    await consumer.disconnect();
    expect([...served].filter((id) => !keys.has(id))).toEqual([]);
  });
});
