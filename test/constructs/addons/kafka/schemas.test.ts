import { afterAll, describe, expect, it } from "vitest";
import type { KafkaConfigInput } from "../../../../constructs/addons/kafka";
import {
  schemaStore,
  schemasAvailable,
  schemasLocation,
  validateSynthesizedStack,
} from "../../../../scripts/validation";
import { failWhenMissingInCi } from "../../../support/ci";
import type { SynthJson } from "../../../support/synth";
import { type Json, manifestNamed, manifests, monitoringStub, prunedFields, synthKafka } from "./support";

const available = schemasAvailable();
if (!available) {
  console.warn(
    `\n${"!".repeat(100)}\n!! SKIPPING Kafka schema validation: reference schemas not found (${schemasLocation().reason})\n${"!".repeat(100)}\n`,
  );
}

const VARIANTS: Record<string, { config: KafkaConfigInput; monitoring?: boolean }> = {
  "strimzi (tls, separate pools, monitoring)": {
    config: {
      mode: "strimzi",
      topics: { Orders_V1: { retentionBytes: "1GiB" }, features: { cleanupPolicy: "compact,delete" } },
      access: { trainer: { topics: { features: "readwrite", Orders_V1: "read" } } },
    },
    monitoring: true,
  },
  "strimzi (scram, dual-role, version pinned)": {
    config: {
      mode: "strimzi",
      strimzi: {
        authentication: "scram-sha-512",
        dualRole: true,
        kafkaVersion: "4.1.1",
        brokers: { replicas: 1 },
        defaultReplicationFactor: 1,
        minInsyncReplicas: 1,
      },
    },
  },
  msk: { config: { mode: "msk" } },
};

/** Fields of each custom resource the API server would prune (see `prunedFields`). */
function pruned(json: SynthJson): string[] {
  const store = schemaStore();
  return manifests(json).flatMap((m) => {
    const [group, version] = (m.apiVersion as string).split("/");
    const entry = store.crd(group, version, m.kind);
    if (!entry) return [`${m.kind} ${m.metadata.name}: no CRD schema for ${m.apiVersion}`];
    return prunedFields(store.readJson(entry.file) as Json, m).map(
      (f) => `${m.kind} ${m.metadata.name}: ${f}`,
    );
  });
}

failWhenMissingInCi(
  "Kafka add-on against the reference schemas",
  !available && "the reference schemas (../shared/schemas) are missing",
);

describe.skipIf(!available)("Kafka add-on against the reference schemas", () => {
  const totals: Record<string, number> = {};
  afterAll(() => {
    const sum = Object.values(totals).reduce((a, b) => a + b, 0);
    console.log(
      `Kafka schema validation: ${sum} objects checked (${Object.entries(totals)
        .map(([k, n]) => `${k} ${n}`)
        .join(", ")})`,
    );
  });

  for (const [name, variant] of Object.entries(VARIANTS)) {
    it(`validates every custom resource, Kubernetes object and Helm values object: ${name}`, () => {
      const { json } = synthKafka(variant.config, variant.monitoring ? [monitoringStub] : []);
      const report = validateSynthesizedStack(json);
      expect(report.failures.map((f) => f.error)).toEqual([]);
      expect(report.unchecked.map((u) => `${u.kind} ${u.name}: ${u.reason}`)).toEqual([]);
      expect(pruned(json)).toEqual([]);
      const crs = manifests(json).length;
      const checkedCrs = Object.entries(report.checked)
        .filter(([k]) => ["Kafka", "KafkaNodePool", "KafkaTopic", "KafkaUser", "PodMonitor"].includes(k))
        .reduce((a, [, n]) => a + n, 0);
      expect(checkedCrs).toBe(crs);
      if (variant.config.mode === "strimzi") expect(report.checked.HelmRelease).toBe(1);
      // The Kafka Exporter (monitoring only) is part of what was checked.
      if (variant.monitoring)
        expect(manifestNamed(json, "Kafka", "platform").spec.kafkaExporter).toBeDefined();
      for (const [k, n] of Object.entries(report.checked)) totals[k] = (totals[k] ?? 0) + n;
    });
  }

  it("fails when a values override misspells a key, naming the key and the chart", () => {
    const { json } = synthKafka({
      helm: { values: { watchNamespace: ["ml"], leaderElection: { enabled: true } } },
    });
    const report = validateSynthesizedStack(json);
    const messages = report.failures.flatMap((f) => f.issues.map((i) => i.message)).sort();
    expect(messages).toHaveLength(2);
    expect(messages[0]).toMatch(
      /chart strimzi-kafka-operator has no value "leaderElection.enabled".*did you mean "leaderElection.enable"/,
    );
    expect(messages[1]).toMatch(
      /chart strimzi-kafka-operator has no value "watchNamespace".*did you mean "watchNamespaces"/,
    );
  });

  it("fails when a custom resource carries a field its CRD does not define (which the API server would prune)", () => {
    const { json } = synthKafka({}, [monitoringStub]);
    const kafka = manifestNamed(json, "Kafka", "platform");
    kafka.spec.kafka.listenrs = [];
    kafka.spec.kafkaExporter.template.container.securityContxt = {};
    kafka.spec.zookeeper = { replicas: 3 };
    const pool = manifestNamed(json, "KafkaNodePool", "brokers");
    pool.spec.storage.deleteClaims = true;
    expect(pruned(json).sort()).toEqual([
      "Kafka platform: spec.kafka.listenrs",
      "Kafka platform: spec.kafkaExporter.template.container.securityContxt",
      "Kafka platform: spec.zookeeper",
      "KafkaNodePool brokers: spec.storage.deleteClaims",
    ]);
  });
});
