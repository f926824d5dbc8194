/**
 * The Kafka JMX metric list against a real exposition: a KRaft broker (the Maven Central jars of the broker
 * test) runs with the Prometheus JMX exporter agent and the kit's own exporter rules (jmxExporterConfig, as
 * Strimzi mounts them); every name on the list must be among the series it serves. Skips loudly without Java
 * or the jars; fails instead under KAFKA_REQUIRED=1 (CI).
 */
import { readdirSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Kafka, logLevel } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jmxExporterConfig } from "../../../../../constructs/addons/kafka/strimzi-resources";
import { EXPORTER_METRICS } from "../../../../../constructs/addons/monitoring/rules";
import {
  freePort,
  KAFKA_INSTALL_HINT,
  KafkaTestBroker,
  kafkaClasspathDir,
  kafkaUnavailableReason,
} from "../../../../../scripts/kafka/broker";

const unavailable = kafkaUnavailableReason();
if (unavailable) {
  console.warn(
    `\n${"#".repeat(100)}\n# SKIPPING the Kafka JMX exposition check: ${unavailable}\n#   install with: ${KAFKA_INSTALL_HINT}\n${"#".repeat(100)}\n`,
  );
}

describe.runIf(unavailable !== undefined && process.env.KAFKA_REQUIRED === "1")(
  "Kafka JMX exposition",
  () => {
    it("fails when KAFKA_REQUIRED=1 and no broker can run here", () => {
      throw new Error(`KAFKA_REQUIRED=1 but ${unavailable}; install with: ${KAFKA_INSTALL_HINT}`);
    });
  },
);

/** Series names of a Prometheus text exposition (comment lines skipped). */
function seriesNames(text: string): Set<string> {
  return new Set(
    text
      .split("\n")
      .filter((l) => l && !l.startsWith("#"))
      .map((l) => /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(l)?.[0] ?? ""),
  );
}

describe.skipIf(unavailable !== undefined)("Kafka JMX exposition", () => {
  let broker: KafkaTestBroker;
  let names: Set<string>;
  let dir: string;

  beforeAll(async () => {
    const agent = readdirSync(kafkaClasspathDir()).find((f) => /^jmx_prometheus_javaagent-.*\.jar$/.test(f));
    if (agent === undefined)
      throw new Error(
        `no jmx_prometheus_javaagent jar in ${kafkaClasspathDir()}; re-run ${KAFKA_INSTALL_HINT}`,
      );
    const port = await freePort();
    dir = await mkdtemp(path.join(os.tmpdir(), "jmx-exporter-"));
    const config = path.join(dir, "kafka-metrics.yaml");
    await writeFile(config, jmxExporterConfig());
    broker = await KafkaTestBroker.create({
      jvmArgs: [`-javaagent:${path.join(kafkaClasspathDir(), agent)}=127.0.0.1:${port}:${config}`],
    });
    // One topic, so the per-partition Log metrics exist.
    const admin = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: "events", numPartitions: 1, replicationFactor: 1 }] });
    await admin.disconnect();
    const deadline = Date.now() + 60_000;
    for (;;) {
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      names = seriesNames(text);
      if (names.has("kafka_log_log_size") || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
  });
  afterAll(async () => {
    await broker?.destroy();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("serves every name on the kafka-jmx list", () => {
    expect(names.size).toBeGreaterThan(50);
    expect(EXPORTER_METRICS["kafka-jmx"].filter((n) => !names.has(n))).toEqual([]);
  });

  it("fails when a name is not served (the check reads the live exposition)", () => {
    expect(names.has("kafka_server_replicamanager_nosuchmetric")).toBe(false);
  });
});
