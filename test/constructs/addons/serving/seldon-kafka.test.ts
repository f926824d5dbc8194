import { expect, it } from "vitest";
import { kafkaAddOn } from "../../../../constructs/addons/kafka";
import { servingAddOn } from "../../../../constructs/addons/serving";
import {
  SELDON_KAFKA_COMPONENTS,
  SELDON_KAFKA_PATHS,
} from "../../../../constructs/addons/serving/seldon-kafka";
import type { AddOn } from "../../../../constructs/core/addon";
import { externalSecretsStub, monitoringStub, synthAddOns } from "../../../support/addons";
import { all, type Json, manifests } from "../../../support/manifests";
import { describeWithSchemas, expectValidStack } from "../../../support/schemas";
import { IMAGE, mlflowStub, POOLS, releaseValues, S3_VERSION } from "./support";

/**
 * Seldon's dataflow on the platform's Strimzi Kafka: its own KafkaUser with prefix ACLs matching the topic and
 * consumer group prefixes the setup chart gets, its credentials and the cluster CA delivered by ESO into the
 * serving namespace (where the runtime reads them by Secret name, keys = the basenames of the chart's paths).
 */

type Auth = "scram-sha-512" | "tls";

function synthSeldonOn(kafka: AddOn<unknown> | undefined, opts: { externalSecrets?: boolean } = {}) {
  const serving = servingAddOn(
    {
      enabled: true,
      engine: "seldon",
      image: IMAGE,
      seldon: { acknowledgeBusinessSourceLicense: true },
      deployments: { readmission: { model: { uri: S3_VERSION(2), servedName: "readmission" } } },
    },
    POOLS,
    { kafka: kafka !== undefined },
  );
  return synthAddOns([
    ...(kafka ? [kafka] : []),
    ...(opts.externalSecrets === false ? [] : [externalSecretsStub]),
    monitoringStub,
    mlflowStub,
    serving,
  ]).json;
}

const strimzi = (authentication: Auth) => kafkaAddOn({ strimzi: { authentication } });

/** Secret name → the keys an ExternalSecret writes into it (serving namespace). */
function delivered(json: ReturnType<typeof synthSeldonOn>): Record<string, string[]> {
  return Object.fromEntries(
    manifests(json, "ExternalSecret")
      .filter((e) => e.metadata.namespace === "serving")
      .map((e) => [e.spec.target.name, (e.spec.data as Json[]).map((d) => d.secretKey)]),
  );
}

const basename = (path: string) => path.split("/").pop() as string;

describeWithSchemas("Seldon dataflow on Strimzi Kafka", () => {
  for (const auth of ["scram-sha-512", "tls"] as const) {
    it(`${auth}: setup values, KafkaUser, delivered Secrets and every object valid against the chart values and CRDs`, () => {
      const json = synthSeldonOn(strimzi(auth));
      const report = expectValidStack(json);
      expect(report.checked.KafkaUser ?? 0).toBeGreaterThanOrEqual(1);
      const setup = releaseValues(json, "seldon-core-v2-setup");
      expect(setup.kafka.bootstrap).toMatch(/-kafka-bootstrap\.kafka\.svc(\.cluster\.local)?:9093$/);
      const secrets = delivered(json);
      const k = setup.security.kafka;
      // The broker CA: a Secret with ca.crt, the basename of brokerCaPath.
      expect(secrets[k.ssl.client.brokerValidationSecret]).toEqual([basename(k.ssl.client.brokerCaPath)]);
      expect(k.ssl.client.endpointIdentificationAlgorithm).toBe("https");
      if (auth === "scram-sha-512") {
        expect(k.protocol).toBe("SASL_SSL");
        expect(k.sasl.mechanism).toBe("SCRAM-SHA-512");
        expect(k.sasl.client.username).toBe("seldon");
        expect(secrets[k.sasl.client.secret]).toEqual([basename(k.sasl.client.passwordPath)]);
        expect(k.ssl.client.secret).toBeUndefined();
      } else {
        expect(k.protocol).toBe("SSL");
        expect(k.sasl).toBeUndefined();
        const keys = secrets[k.ssl.client.secret] as string[];
        for (const path of [k.ssl.client.keyPath, k.ssl.client.crtPath, k.ssl.client.caPath]) {
          expect(keys, path).toContain(basename(path));
        }
        // The stand-in client CA is written to its own path, not over the certificate.
        expect(k.ssl.client.caPath).not.toBe(k.ssl.client.crtPath);
      }
      // The KafkaUser's ACLs cover exactly the prefixes Seldon uses.
      const user = manifests(json, "KafkaUser").find((u) => u.metadata.name === "seldon") as Json;
      expect(user.spec.authentication.type).toBe(auth);
      const acls = user.spec.authorization.acls as Json[];
      const byType = Object.fromEntries(acls.map((a) => [a.resource.type, a]));
      expect(byType.topic.resource).toEqual({
        type: "topic",
        name: setup.kafka.topicPrefix,
        patternType: "prefix",
      });
      expect(byType.topic.operations).toEqual(
        expect.arrayContaining(["Read", "Write", "Create", "Describe"]),
      );
      expect(byType.group.resource).toEqual({
        type: "group",
        name: setup.kafka.consumerGroupIdPrefix,
        patternType: "prefix",
      });
      for (const a of acls) expect(a.resource.patternType, JSON.stringify(a)).toBe("prefix");
      const runtime = releaseValues(json, "seldon-core-v2-runtime");
      expect(runtime.dataflow).toEqual({ disable: false });
      expect(runtime.modelgateway).toEqual({ disable: false });
      // No secret value in Terraform: nothing in the synthesized stack carries a password or key material.
      expect(JSON.stringify(json)).not.toMatch(/BEGIN (RSA |EC )?PRIVATE KEY|sasl\.jaas\.config/);
    });
  }

  it("lets exactly the runtime's Kafka components reach the brokers' TLS listener out of the serving namespace", () => {
    const json = synthSeldonOn(strimzi("tls"));
    const kafkaEgress = all(json, "kubernetes_network_policy_v1").filter((p) =>
      /^allow-egress-kafka-seldon-/.test(p.metadata.name),
    );
    const setup = releaseValues(json, "seldon-core-v2-setup");
    const [, port] = /:(\d+)$/.exec(setup.kafka.bootstrap) ?? [];
    expect(
      Object.fromEntries(
        kafkaEgress.map((p) => [p.spec.pod_selector.match_labels["app.kubernetes.io/name"], p.spec.egress]),
      ),
    ).toEqual(
      Object.fromEntries(
        SELDON_KAFKA_COMPONENTS.map((c) => [
          c,
          [
            {
              to: [
                {
                  namespace_selector: { match_labels: { "kubernetes.io/metadata.name": "kafka" } },
                  pod_selector: {
                    match_labels: {
                      "strimzi.io/cluster": expect.any(String),
                      "strimzi.io/broker-role": "true",
                    },
                  },
                },
              ],
              // The port the setup chart's bootstrap address names.
              ports: [{ port, protocol: "TCP" }],
            },
          ],
        ]),
      ),
    );
    // The broker side admits platform namespaces, the serving namespace among them.
    const kafkaClients = all(json, "kubernetes_network_policy_v1").find(
      (p) => p.metadata.name === "allow-ingress-kafka-clients",
    ) as Json;
    expect(kafkaClients.spec.ingress[0].ports).toEqual([{ port, protocol: "TCP" }]);
    const cluster = kafkaClients.spec.pod_selector.match_labels["strimzi.io/cluster"];
    for (const p of kafkaEgress)
      expect(p.spec.egress[0].to[0].pod_selector.match_labels["strimzi.io/cluster"]).toBe(cluster);
  });

  it("the model servers' own Kafka credentials and Seldon's do not collide in the serving namespace", () => {
    const json = synthSeldonOn(strimzi("scram-sha-512"));
    const names = manifests(json, "ExternalSecret")
      .filter((e) => e.metadata.namespace === "serving")
      .map((e) => e.metadata.name as string);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual(expect.arrayContaining(["seldon-kafka-cluster-ca", "kafka-user-seldon"]));
  });
});

it("MSK (IAM, which Seldon 2.10's Kafka clients cannot speak): Seldon runs without its dataflow, no KafkaUser", () => {
  const json = synthSeldonOn(kafkaAddOn({ mode: "msk" }));
  const setup = releaseValues(json, "seldon-core-v2-setup");
  expect(setup.kafka).toBeUndefined();
  expect(setup.security).toBeUndefined();
  const runtime = releaseValues(json, "seldon-core-v2-runtime");
  expect([runtime.dataflow, runtime.modelgateway, runtime.pipelinegateway]).toEqual([
    { disable: true },
    { disable: true },
    { disable: true },
  ]);
  expect(manifests(json, "KafkaUser")).toEqual([]);
  const kafkaEgress = all(json, "kubernetes_network_policy_v1").filter((p) =>
    /^allow-egress-kafka-seldon-/.test(p.metadata.name),
  );
  expect(kafkaEgress).toEqual([]);
});

it("fails when External Secrets is off with Seldon on Strimzi Kafka, naming the key", () => {
  expect(() => synthSeldonOn(strimzi("tls"), { externalSecrets: false })).toThrow(
    /addons\.externalSecrets\.enabled: got false; with addons\.serving\.engine seldon on Strimzi Kafka/,
  );
});

it("fails when addons.kafka.access already has a principal named seldon", () => {
  const kafka = kafkaAddOn({
    strimzi: { authentication: "tls" },
    access: { seldon: { topics: { predictions: "read" } } },
  });
  expect(() => synthSeldonOn(kafka)).toThrow(/addons\.kafka\.access\.seldon: got a principal named "seldon"/);
});

it("the paths' basenames are the Strimzi Secret keys", () => {
  expect(Object.values(SELDON_KAFKA_PATHS).map(basename).sort()).toEqual(
    ["ca.crt", "password", "user.crt", "user.crt", "user.key"].sort(),
  );
});
