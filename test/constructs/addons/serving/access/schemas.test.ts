import { expect, it } from "vitest";
import type { KafkaConfigInput } from "../../../../../constructs/addons/kafka";
import { schemaStore } from "../../../../../scripts/validation";
import { describeWithSchemas, expectValidStack } from "../../../../support/schemas";
import { prunedFields } from "../../kafka/support";
import { type Json, manifestNamed, manifests, synthAccess } from "./support";

const VARIANTS: Record<string, KafkaConfigInput> = {
  "Strimzi, SCRAM-SHA-512": { strimzi: { authentication: "scram-sha-512" } },
  "Strimzi, mutual TLS": { strimzi: { authentication: "tls" } },
  "MSK, IAM": { mode: "msk" },
};

/** Fields of the ESO and Strimzi objects the API server would prune (the reference CRDs are not closed). */
function pruned(objects: Json[]): string[] {
  const store = schemaStore();
  return objects.flatMap((m) => {
    const [group, version] = (m.apiVersion as string).split("/");
    const entry = store.crd(group, version, m.kind);
    if (!entry) return [`${m.kind} ${m.metadata.name}: no CRD schema for ${m.apiVersion}`];
    return prunedFields(store.readJson(entry.file) as Json, m).map(
      (f) => `${m.kind} ${m.metadata.name}: ${f}`,
    );
  });
}

describeWithSchemas("servingAccess against the reference schemas", () => {
  for (const [name, kafka] of Object.entries(VARIANTS)) {
    it(`every object is valid: ${name}`, () => {
      const { json } = synthAccess({ kafka, options: (o) => ({ ...o, roleMode: "irsa" }) });
      const report = expectValidStack(json);
      expect(report.unchecked.map((u) => `${u.kind} ${u.name}: ${u.reason}`)).toEqual([]);
      const ours = [
        ...manifests(json, "SecretStore"),
        ...manifests(json, "ExternalSecret"),
        ...manifests(json, "KafkaUser"),
      ];
      expect(pruned(ours)).toEqual([]);
      const strimzi = kafka.mode !== "msk";
      expect(report.checked.SecretStore ?? 0).toBe(strimzi ? 1 : 0);
      expect(report.checked.ExternalSecret ?? 0).toBe(strimzi ? 2 : 0);
      expect(report.checked.KafkaUser ?? 0).toBe(strimzi ? 1 : 0);
      expect(report.checked.NetworkPolicy).toBeGreaterThanOrEqual(7);
      expect(report.checked.Role ?? 0).toBe(strimzi ? 1 : 0);
    });
  }

  it("fails when the SecretStore or an ExternalSecret carries a misspelt field or a wrong type", () => {
    const { json } = synthAccess({ kafka: {} });
    manifestNamed(json, "SecretStore", "kafka-inference-service").spec.provider.kubernetes.remoteNamespce =
      "kafka";
    manifestNamed(json, "ExternalSecret", "kafka-cluster-ca").spec.data[0].remoteRef.key = 7;
    const ours = [...manifests(json, "SecretStore"), ...manifests(json, "ExternalSecret")];
    expect(pruned(ours)).toEqual([
      "SecretStore kafka-inference-service: spec.provider.kubernetes.remoteNamespce",
    ]);
    expect(() => expectValidStack(json)).toThrow(
      /ExternalSecret.*kafka-cluster-ca[\s\S]*remoteRef\/key|remoteRef.key/,
    );
  });
});
