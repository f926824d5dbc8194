import { createHash } from "node:crypto";
import { stringify } from "yaml";
import { PLATFORM_NAMESPACE_LABEL } from "../../core/platform-namespace";
import type { KafkaConfig } from "./config";
import { exporterPodMonitor, kafkaExporterSpec } from "./exporter";
import { reads, resolveAccess, topicConfigEntries, writes } from "./topic-access";

/**
 * The Strimzi custom resources of the Kafka add-on, as plain objects (`kafka.strimzi.io/v1`, Strimzi 1.x:
 * KRaft with node pools is the only mode, so no `strimzi.io/kraft` / `node-pools` annotations are needed).
 */

export const STRIMZI_API = "kafka.strimzi.io/v1";
export const TLS_LISTENER_PORT = 9093;
/** Port Strimzi exposes Prometheus metrics on (container port `tcp-prometheus`). */
export const STRIMZI_METRICS_PORT = 9404;
export const METRICS_CONFIG_KEY = "kafka-metrics-config.yml";

type Manifest = Record<string, unknown>;

export interface StrimziNames {
  readonly namespace: string;
  readonly cluster: string;
}

export const metricsConfigMapName = (n: StrimziNames) => `${n.cluster}-kafka-metrics`;
export const bootstrapAddress = (n: StrimziNames) =>
  `${n.cluster}-kafka-bootstrap.${n.namespace}.svc:${TLS_LISTENER_PORT}`;
/** Labels Strimzi puts on broker pods (used by the listener NetworkPolicy). */
export const brokerPodLabels = (n: StrimziNames) => ({
  "strimzi.io/cluster": n.cluster,
  "strimzi.io/broker-role": "true",
});

/**
 * A Kubernetes name for a topic: the topic itself when it is a DNS subdomain, else a lower-cased form with a
 * hash suffix (so `Orders_v1` and `orders-v1` do not collide) and `spec.topicName` carrying the real name.
 */
export function topicResourceName(topic: string): string {
  if (/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(topic) && topic.length <= 253) return topic;
  const base = topic
    .toLowerCase()
    .replace(/[^a-z0-9.-]/g, "-")
    .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, "")
    .slice(0, 200);
  const hash = createHash("sha256").update(topic).digest("hex").slice(0, 8);
  return base ? `${base}-${hash}` : `topic-${hash}`;
}

/** JMX exporter rules for the broker (a trimmed form of Strimzi's example `kafka-metrics.yaml`). */
export function jmxExporterConfig(): string {
  return stringify({
    lowercaseOutputName: true,
    rules: [
      {
        pattern: "kafka.server<type=(.+), name=(.+), clientId=(.+), topic=(.+), partition=(.*)><>Value",
        name: "kafka_server_$1_$2",
        type: "GAUGE",
        labels: { clientId: "$3", topic: "$4", partition: "$5" },
      },
      {
        pattern: "kafka.(\\w+)<type=(.+), name=(.+)PerSec\\w*, (.+)=(.+), (.+)=(.+)><>Count",
        name: "kafka_$1_$2_$3_total",
        type: "COUNTER",
        labels: { $4: "$5", $6: "$7" },
      },
      {
        pattern: "kafka.(\\w+)<type=(.+), name=(.+)PerSec\\w*, (.+)=(.+)><>Count",
        name: "kafka_$1_$2_$3_total",
        type: "COUNTER",
        labels: { $4: "$5" },
      },
      {
        pattern: "kafka.(\\w+)<type=(.+), name=(.+)PerSec\\w*><>Count",
        name: "kafka_$1_$2_$3_total",
        type: "COUNTER",
      },
      {
        pattern: "kafka.(\\w+)<type=(.+), name=(.+), (.+)=(.+), (.+)=(.+)><>Value",
        name: "kafka_$1_$2_$3",
        type: "GAUGE",
        labels: { $4: "$5", $6: "$7" },
      },
      {
        pattern: "kafka.(\\w+)<type=(.+), name=(.+), (.+)=(.+)><>Value",
        name: "kafka_$1_$2_$3",
        type: "GAUGE",
        labels: { $4: "$5" },
      },
      { pattern: "kafka.(\\w+)<type=(.+), name=(.+)><>Value", name: "kafka_$1_$2_$3", type: "GAUGE" },
      {
        pattern: "kafka.(\\w+)<type=(.+), name=(.+)><>(\\d+)thPercentile",
        name: "kafka_$1_$2_$3",
        type: "GAUGE",
        labels: { quantile: "0.$4" },
      },
      {
        pattern: "kafka.server<type=raft-metrics><>(.+-total|.+-max):",
        name: "kafka_server_raftmetrics_$1",
        type: "COUNTER",
      },
      {
        pattern: "kafka.server<type=raft-metrics><>(.+):",
        name: "kafka_server_raftmetrics_$1",
        type: "GAUGE",
      },
    ],
  });
}

/**
 * Each of the topic and user operators (one Java container each in the entity operator pod): they reconcile a
 * handful of KafkaTopics and KafkaUsers, so little CPU; memory for the JVM, limited to twice the request.
 */
const ENTITY_OPERATOR = { requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "512Mi" } };

/**
 * The `Kafka` resource: a TLS listener for platform namespaces, simple authorization, JMX metrics, and the Kafka
 * Exporter when something scrapes it (`monitoring`).
 */
export function kafkaResource(config: KafkaConfig, n: StrimziNames, monitoring = false): Manifest {
  const s = config.strimzi;
  const kafka: Manifest = {
    listeners: [
      {
        name: "tls",
        port: TLS_LISTENER_PORT,
        type: "internal",
        tls: true,
        authentication: { type: s.authentication },
        // Strimzi's own NetworkPolicy for the listener admits only these peers (ours adds the same rule).
        networkPolicyPeers: [{ namespaceSelector: { matchLabels: { [PLATFORM_NAMESPACE_LABEL]: "true" } } }],
      },
    ],
    authorization: { type: "simple" },
    config: {
      "auto.create.topics.enable": false,
      "default.replication.factor": s.defaultReplicationFactor,
      "min.insync.replicas": s.minInsyncReplicas,
      "offsets.topic.replication.factor": s.defaultReplicationFactor,
      "transaction.state.log.replication.factor": s.defaultReplicationFactor,
      "transaction.state.log.min.isr": s.minInsyncReplicas,
      "unclean.leader.election.enable": false,
    },
    metricsConfig: {
      type: "jmxPrometheusExporter",
      valueFrom: { configMapKeyRef: { name: metricsConfigMapName(n), key: METRICS_CONFIG_KEY } },
    },
  };
  if (s.kafkaVersion) kafka.version = s.kafkaVersion;
  return {
    apiVersion: STRIMZI_API,
    kind: "Kafka",
    metadata: { name: n.cluster, namespace: n.namespace },
    spec: {
      kafka,
      entityOperator: {
        topicOperator: { resources: ENTITY_OPERATOR },
        userOperator: { resources: ENTITY_OPERATOR },
      },
      ...(monitoring ? { kafkaExporter: kafkaExporterSpec(config) } : {}),
    },
  };
}

function nodePool(
  n: StrimziNames,
  name: string,
  roles: ("controller" | "broker")[],
  pool: KafkaConfig["strimzi"]["brokers"],
): Manifest {
  return {
    apiVersion: STRIMZI_API,
    kind: "KafkaNodePool",
    metadata: { name, namespace: n.namespace, labels: { "strimzi.io/cluster": n.cluster } },
    spec: {
      replicas: pool.replicas,
      roles,
      storage: {
        type: "persistent-claim",
        size: pool.storageSize,
        class: pool.storageClass,
        deleteClaim: false,
      },
      resources: {
        requests: { cpu: pool.cpu, memory: pool.memory },
        limits: { memory: pool.memory },
      },
    },
  };
}

/** Node pools: separate controllers and brokers, or one dual-role pool for small setups. */
export function nodePoolResources(config: KafkaConfig, n: StrimziNames): Manifest[] {
  const s = config.strimzi;
  if (s.dualRole) return [nodePool(n, "dual-role", ["controller", "broker"], s.brokers)];
  return [
    nodePool(n, "controllers", ["controller"], s.controllers),
    nodePool(n, "brokers", ["broker"], s.brokers),
  ];
}

export function topicResources(config: KafkaConfig, n: StrimziNames): Manifest[] {
  return Object.entries(config.topics).map(([topic, t]) => {
    const name = topicResourceName(topic);
    return {
      apiVersion: STRIMZI_API,
      kind: "KafkaTopic",
      metadata: { name, namespace: n.namespace, labels: { "strimzi.io/cluster": n.cluster } },
      spec: {
        ...(name !== topic ? { topicName: topic } : {}),
        partitions: t.partitions,
        replicas: t.replicationFactor ?? config.strimzi.defaultReplicationFactor,
        config: topicConfigEntries(t),
      },
    };
  });
}

/** Client authentication of a `KafkaUser`, as the cluster's TLS listener has it (`strimzi.authentication`). */
export type StrimziAuthentication = KafkaConfig["strimzi"]["authentication"];

/** Resource types a Strimzi simple-authorization ACL names. */
export type KafkaAclResourceType = "topic" | "group" | "transactionalId";

/** One allow ACL of a `KafkaUser` (`spec.authorization.acls[]`). */
export function kafkaAcl(
  type: KafkaAclResourceType,
  name: string,
  operations: readonly string[],
  patternType: "literal" | "prefix" = "literal",
): Manifest {
  return { type: "allow", resource: { type, name, patternType }, operations: [...operations] };
}

/**
 * A `KafkaUser` in the Kafka namespace (the User Operator watches only it) with exactly these ACLs; Strimzi
 * writes its credentials to a Secret of the same name there.
 */
export function kafkaUserResource(
  n: StrimziNames,
  name: string,
  authentication: StrimziAuthentication,
  acls: readonly Manifest[],
): Manifest {
  return {
    apiVersion: STRIMZI_API,
    kind: "KafkaUser",
    metadata: { name, namespace: n.namespace, labels: { "strimzi.io/cluster": n.cluster } },
    spec: {
      authentication: { type: authentication },
      authorization: { type: "simple", acls: [...acls] },
    },
  };
}

/** One `KafkaUser` per principal, with ACLs for exactly its topics and consumer group prefixes. */
export function userResources(config: KafkaConfig, n: StrimziNames): Manifest[] {
  return Object.keys(config.access).map((principal) => {
    const access = resolveAccess(config, principal);
    const acls: Manifest[] = [];
    let anyRead = false;
    for (const [topic, a] of Object.entries(access.topics)) {
      const operations = ["Describe"];
      if (reads(a)) {
        operations.push("Read");
        anyRead = true;
      }
      if (writes(a)) operations.push("Write");
      acls.push(kafkaAcl("topic", topic, operations));
    }
    if (anyRead) {
      for (const prefix of access.groupPrefixes) {
        acls.push(kafkaAcl("group", prefix, ["Read", "Describe"], "prefix"));
      }
    }
    return kafkaUserResource(n, principal, config.strimzi.authentication, acls);
  });
}

/** PodMonitors for the brokers/controllers, the Kafka Exporter and the cluster operator (Prometheus Operator). */
export function podMonitorResources(n: StrimziNames): Manifest[] {
  return [
    {
      apiVersion: "monitoring.coreos.com/v1",
      kind: "PodMonitor",
      metadata: { name: `${n.cluster}-kafka`, namespace: n.namespace },
      spec: {
        // Node pool pods only: the Kafka Exporter's pod also has `strimzi.io/kind: Kafka` and a `tcp-prometheus`
        // port, and scraping it twice would double every summed lag.
        selector: {
          matchLabels: { "strimzi.io/cluster": n.cluster, "strimzi.io/kind": "Kafka" },
          matchExpressions: [{ key: "strimzi.io/pool-name", operator: "Exists" }],
        },
        namespaceSelector: { matchNames: [n.namespace] },
        podMetricsEndpoints: [{ path: "/metrics", port: "tcp-prometheus" }],
      },
    },
    exporterPodMonitor(n),
    {
      apiVersion: "monitoring.coreos.com/v1",
      kind: "PodMonitor",
      metadata: { name: "strimzi-cluster-operator", namespace: n.namespace },
      spec: {
        selector: { matchLabels: { "strimzi.io/kind": "cluster-operator" } },
        namespaceSelector: { matchNames: [n.namespace] },
        podMetricsEndpoints: [{ path: "/metrics", port: "http" }],
      },
    },
  ];
}
