import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import type { KafkaConfigInput, StrimziKafkaOutputs } from "../../../../constructs/addons/kafka";
import { CHARTS, PLATFORM_NAMESPACE_LABEL } from "../../../../constructs/core";
import { onlyResource, resourcesOf } from "../../../support/synth";
import { type Json, manifestNamed, manifests, monitoringStub, synthKafka } from "./support";

const STRIMZI: KafkaConfigInput = {
  enabled: true,
  mode: "strimzi",
  topics: {
    predictions: { partitions: 24, replicationFactor: 3, minInsyncReplicas: 2 },
    outcomes: { partitions: 12, replicationFactor: 2, retentionBytes: "10GiB" },
    features: { partitions: 1, cleanupPolicy: "compact", config: { "max.message.bytes": 2_097_152 } },
  },
  access: {
    "inference-service": { topics: { predictions: "write", outcomes: "read", drift: "write" } },
    trainer: { topics: { features: "readwrite" }, groupPrefixes: ["training-"] },
  },
};

describe("Kafka add-on, Strimzi mode", () => {
  const { json, outputs: raw } = synthKafka(STRIMZI, [monitoringStub]);
  const outputs = raw as StrimziKafkaOutputs;
  const release = onlyResource(json, "helm_release") as Json;
  const values = parse(release.values[0]) as Json;

  it("installs the pinned operator chart into a restricted kafka namespace", () => {
    expect(release).toMatchObject({
      chart: "strimzi-kafka-operator",
      repository: "oci://quay.io/strimzi-helm",
      version: "1.2.0",
      namespace: "kafka",
      atomic: true,
    });
    expect(CHARTS.strimziKafkaOperator.version).toBe("1.2.0");
    const ns = onlyResource(json, "kubernetes_namespace_v1") as Json;
    expect(ns.metadata.name).toBe("kafka");
    expect(ns.metadata.labels["pod-security.kubernetes.io/enforce"]).toBe("restricted");
  });

  it("has the operator watch only its namespace and give operands the restricted security provider", () => {
    expect(values.watchNamespaces).toEqual([]);
    expect(values.watchAnyNamespace).toBe(false);
    expect(values.extraEnvs).toEqual([{ name: "STRIMZI_POD_SECURITY_PROVIDER_CLASS", value: "restricted" }]);
    expect(values.podSecurityContext).toEqual({
      runAsNonRoot: true,
      seccompProfile: { type: "RuntimeDefault" },
    });
  });

  it("declares a KRaft Kafka (v1, no ZooKeeper, storage in node pools) with a TLS listener and simple authorization", () => {
    const kafka = manifestNamed(json, "Kafka", "platform");
    expect(kafka.apiVersion).toBe("kafka.strimzi.io/v1");
    expect(kafka.metadata.namespace).toBe("kafka");
    expect(kafka.spec.zookeeper).toBeUndefined();
    expect(kafka.spec.kafka.storage).toBeUndefined();
    expect(kafka.spec.kafka.listeners).toEqual([
      {
        name: "tls",
        port: 9093,
        type: "internal",
        tls: true,
        authentication: { type: "tls" },
        networkPolicyPeers: [{ namespaceSelector: { matchLabels: { [PLATFORM_NAMESPACE_LABEL]: "true" } } }],
      },
    ]);
    expect(kafka.spec.kafka.authorization).toEqual({ type: "simple" });
    expect(kafka.spec.kafka.config).toMatchObject({
      "auto.create.topics.enable": false,
      "default.replication.factor": 3,
      "min.insync.replicas": 2,
    });
    // Both operators run, each with CPU and memory requests (test/constructs/addons/container-requests.test.ts).
    const operator = {
      resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "512Mi" } },
    };
    expect(kafka.spec.entityOperator).toEqual({ topicOperator: operator, userOperator: operator });
  });

  it("exports broker metrics through a JMX exporter config map that exists with the referenced key", () => {
    const kafka = manifestNamed(json, "Kafka", "platform");
    expect(kafka.spec.kafka.metricsConfig.type).toBe("jmxPrometheusExporter");
    const ref = kafka.spec.kafka.metricsConfig.valueFrom.configMapKeyRef;
    const cm = onlyResource(json, "kubernetes_config_map_v1") as Json;
    expect(cm.metadata).toEqual({ name: ref.name, namespace: "kafka" });
    const exporter = parse(cm.data[ref.key]) as Json;
    expect(exporter.lowercaseOutputName).toBe(true);
    expect(exporter.rules.length).toBeGreaterThan(5);
    for (const rule of exporter.rules) expect(() => new RegExp(rule.pattern)).not.toThrow();
  });

  it("runs separate controller and broker pools on gp3 claims that outlive their nodes", () => {
    const pools = manifests(json, "KafkaNodePool").sort((a, b) =>
      a.metadata.name.localeCompare(b.metadata.name),
    );
    expect(pools.map((p) => [p.metadata.name, p.spec.roles, p.spec.replicas])).toEqual([
      ["brokers", ["broker"], 3],
      ["controllers", ["controller"], 3],
    ]);
    for (const p of pools) {
      expect(p.metadata.labels).toEqual({ "strimzi.io/cluster": "platform" });
      expect(p.spec.storage).toMatchObject({ type: "persistent-claim", class: "gp3", deleteClaim: false });
    }
    expect(pools[0].spec.storage.size).toBe("100Gi");
    expect(pools[1].spec.storage.size).toBe("20Gi");
  });

  it("runs one dual-role pool for small setups", () => {
    const { json: j } = synthKafka({
      mode: "strimzi",
      strimzi: {
        dualRole: true,
        brokers: { replicas: 1 },
        defaultReplicationFactor: 1,
        minInsyncReplicas: 1,
      },
    });
    const pools = manifests(j, "KafkaNodePool");
    expect(pools).toHaveLength(1);
    expect(pools[0].spec).toMatchObject({ replicas: 1, roles: ["controller", "broker"] });
    expect(manifestNamed(j, "KafkaTopic", "predictions").spec.replicas).toBe(1);
  });

  it("declares a KafkaTopic per topic, platform topics included, with the configured partitions and replicas", () => {
    const topics: Record<string, Json> = Object.fromEntries(
      manifests(json, "KafkaTopic").map((t) => [t.metadata.name, t]),
    );
    expect(Object.keys(topics).sort()).toEqual(["drift", "features", "outcomes", "predictions"]);
    expect(topics.predictions.spec).toEqual({
      partitions: 24,
      replicas: 3,
      config: { "cleanup.policy": "delete", "retention.ms": 604_800_000, "min.insync.replicas": 2 },
    });
    expect(topics.outcomes.spec).toMatchObject({ partitions: 12, replicas: 2 });
    expect(topics.outcomes.spec.config["retention.bytes"]).toBe(10 * 1024 ** 3);
    expect(topics.drift.spec).toMatchObject({ partitions: 3, replicas: 3 });
    expect(topics.drift.spec.config["retention.ms"]).toBe(30 * 24 * 3_600_000);
    expect(topics.features.spec.config).toMatchObject({
      "cleanup.policy": "compact",
      "max.message.bytes": 2_097_152,
    });
    for (const t of Object.values(topics))
      expect(t.metadata.labels).toEqual({ "strimzi.io/cluster": "platform" });
  });

  it("names a KafkaTopic by a DNS-safe form of a topic name Kubernetes would reject, keeping the real name", () => {
    const { json: j } = synthKafka({ topics: { Orders_V1: {}, "orders-v1": {} } });
    const topics = manifests(j, "KafkaTopic");
    const upper = topics.find((t) => t.spec.topicName === "Orders_V1") as Json;
    expect(upper.metadata.name).toMatch(/^orders-v1-[0-9a-f]{8}$/);
    const lower = manifestNamed(j, "KafkaTopic", "orders-v1");
    expect(lower.spec.topicName).toBeUndefined();
  });

  it("gives each principal a KafkaUser with ACLs for exactly its topics and group prefixes", () => {
    const user = manifestNamed(json, "KafkaUser", "inference-service");
    expect(user.metadata.labels).toEqual({ "strimzi.io/cluster": "platform" });
    expect(user.spec.authentication).toEqual({ type: "tls" });
    expect(user.spec.authorization.type).toBe("simple");
    const acl = (t: string, name: string) =>
      user.spec.authorization.acls.find((a: Json) => a.resource.type === t && a.resource.name === name);
    expect(acl("topic", "predictions")).toEqual({
      type: "allow",
      resource: { type: "topic", name: "predictions", patternType: "literal" },
      operations: ["Describe", "Write"],
    });
    expect(acl("topic", "outcomes").operations).toEqual(["Describe", "Read"]);
    expect(acl("topic", "drift").operations).toEqual(["Describe", "Write"]);
    expect(acl("group", "inference-service")).toEqual({
      type: "allow",
      resource: { type: "group", name: "inference-service", patternType: "prefix" },
      operations: ["Read", "Describe"],
    });
    expect(user.spec.authorization.acls).toHaveLength(4);
    const trainer = manifestNamed(json, "KafkaUser", "trainer");
    expect(trainer.spec.authorization.acls).toEqual([
      {
        type: "allow",
        resource: { type: "topic", name: "features", patternType: "literal" },
        operations: ["Describe", "Read", "Write"],
      },
      {
        type: "allow",
        resource: { type: "group", name: "training-", patternType: "prefix" },
        operations: ["Read", "Describe"],
      },
    ]);
  });

  it("admits platform namespaces to the brokers' TLS port and lets the operators reach the API, on top of default-deny", () => {
    const policies = Object.values(resourcesOf(json, "kubernetes_network_policy_v1")) as Json[];
    const byName = Object.fromEntries(policies.map((p) => [p.metadata.name, p]));
    expect(byName["default-deny"].spec.policy_types).toEqual(["Ingress", "Egress"]);
    const clients = byName["allow-ingress-kafka-clients"].spec;
    expect(clients.pod_selector).toEqual({
      match_labels: { "strimzi.io/cluster": "platform", "strimzi.io/broker-role": "true" },
    });
    expect(clients.ingress).toEqual([
      {
        from: [{ namespace_selector: { match_labels: { [PLATFORM_NAMESPACE_LABEL]: "true" } } }],
        ports: [{ port: "9093", protocol: "TCP" }],
      },
    ]);
    const operatorApi = byName["allow-egress-operator-kubernetes-api"].spec;
    expect(operatorApi.pod_selector).toEqual({ match_labels: { "strimzi.io/kind": "cluster-operator" } });
    expect(operatorApi.egress).toEqual([{ ports: [{ port: "443", protocol: "TCP" }] }]);
    expect(byName["allow-egress-entity-operator-kubernetes-api"].spec.pod_selector).toEqual({
      match_labels: { "strimzi.io/name": "platform-entity-operator" },
    });
    // Nothing admits traffic from everywhere: every ingress rule names a peer.
    for (const p of policies)
      for (const rule of p.spec.ingress ?? []) expect(rule.from?.length).toBeGreaterThan(0);
  });

  it("adds PodMonitors and the metrics ingress only when monitoring is part of the platform", () => {
    const monitors = manifests(json, "PodMonitor");
    expect(monitors.map((m) => m.metadata.name).sort()).toEqual([
      "platform-kafka",
      "platform-kafka-exporter",
      "strimzi-cluster-operator",
    ]);
    const kafkaMonitor = monitors.find((m) => m.metadata.name === "platform-kafka") as Json;
    expect(kafkaMonitor.spec.podMetricsEndpoints).toEqual([{ path: "/metrics", port: "tcp-prometheus" }]);
    expect(kafkaMonitor.spec.selector.matchLabels["strimzi.io/cluster"]).toBe("platform");
    const names = Object.values(resourcesOf(json, "kubernetes_network_policy_v1")).map(
      (p) => (p as Json).metadata.name,
    );
    expect(names).toContain("allow-ingress-kafka-metrics");

    const { json: bare } = synthKafka(STRIMZI);
    expect(manifests(bare, "PodMonitor")).toEqual([]);
    const bareNames = Object.values(resourcesOf(bare, "kubernetes_network_policy_v1")).map(
      (p) => (p as Json).metadata.name,
    );
    expect(bareNames).not.toContain("allow-ingress-kafka-metrics");
  });

  it("exposes the TLS bootstrap address, client settings, topics and secrets to other add-ons", () => {
    expect(outputs.bootstrapServers).toBe("platform-kafka-bootstrap.kafka.svc:9093");
    expect((json.output as Json).bootstrap.value).toBe("platform-kafka-bootstrap.kafka.svc:9093");
    expect(outputs).toMatchObject({
      mode: "strimzi",
      securityProtocol: "SSL",
      clusterCaSecretName: "platform-cluster-ca-cert",
    });
    expect(outputs.saslMechanism).toBeUndefined();
    expect(outputs.topics.predictions).toMatchObject({ partitions: 24, replicationFactor: 3 });
    expect(outputs.userSecretName("trainer")).toBe("trainer");
    expect(() => outputs.userSecretName("nobody")).toThrow(
      /principal "nobody" is not in addons.kafka.access/,
    );
    expect(Object.keys(outputs.resources.KafkaTopic).sort()).toEqual([
      "drift",
      "features",
      "outcomes",
      "predictions",
    ]);
  });

  it("switches listener and users to SCRAM-SHA-512 when configured", () => {
    const { json: j, outputs: o } = synthKafka({
      mode: "strimzi",
      strimzi: { authentication: "scram-sha-512" },
    });
    expect(manifestNamed(j, "Kafka", "platform").spec.kafka.listeners[0].authentication).toEqual({
      type: "scram-sha-512",
    });
    expect(manifestNamed(j, "KafkaUser", "inference-service").spec.authentication).toEqual({
      type: "scram-sha-512",
    });
    expect(o).toMatchObject({ securityProtocol: "SASL_SSL", saslMechanism: "SCRAM-SHA-512" });
  });

  it("passes the helm block's release options to the operator's release", () => {
    const { json: j } = synthKafka({ helm: { chartVersion: "1.2.3", timeoutInSeconds: 600 } });
    expect(onlyResource(j, "helm_release")).toMatchObject({ version: "1.2.3", timeout: 600, atomic: true });
  });

  it("lets user values override the kit's operator values, keeping the rest", () => {
    const { json: j } = synthKafka({ helm: { values: { replicas: 2, watchNamespaces: ["ml"] } } });
    const v = parse((onlyResource(j, "helm_release") as Json).values[0]) as Json;
    expect(v.replicas).toBe(2);
    expect(v.watchNamespaces).toEqual(["ml"]);
    expect(v.watchAnyNamespace).toBe(false);
  });
});
