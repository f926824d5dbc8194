import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from "../../core/pod-security";
import type { KafkaConfig } from "./config";
import type { StrimziNames } from "./strimzi-resources";
import { reads, resolveAccess } from "./topic-access";

/**
 * Strimzi's Kafka Exporter (`spec.kafkaExporter` of the `Kafka` resource): the source of the
 * `kafka_consumergroup_*` series the `KafkaConsumerGroupLag` alert queries. Strimzi names its container port
 * `tcp-prometheus` (9404), like the brokers' metrics port.
 */

/** Matches no name: the exporter's default `.*` would report every group and topic, not only the kit's. */
const NOTHING = "^$";

/** Value of Strimzi's `strimzi.io/name` label on the exporter's pod. */
export const exporterName = (n: StrimziNames) => `${n.cluster}-kafka-exporter`;

/** Consumer group prefixes of the principals that read a topic (only those get group ACLs, so only they consume). */
export function consumerGroupPrefixes(config: KafkaConfig): string[] {
  const prefixes = Object.keys(config.access).flatMap((principal) => {
    const access = resolveAccess(config, principal);
    return Object.values(access.topics).some(reads) ? access.groupPrefixes : [];
  });
  return [...new Set(prefixes)].sort();
}

/** An anchored alternation for Go's regexp (the exporter's flags), each value taken literally. */
function alternation(values: readonly string[], suffix: string): string {
  if (values.length === 0) return NOTHING;
  return `^(${values.map((v) => v.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|")})${suffix}$`;
}

/** `groupRegex`: names starting with a consumer group prefix of a principal. */
export const exporterGroupRegex = (config: KafkaConfig) => alternation(consumerGroupPrefixes(config), ".*");
/** `topicRegex`: exactly the configured topics. */
export const exporterTopicRegex = (config: KafkaConfig) => alternation(Object.keys(config.topics).sort(), "");

export function kafkaExporterSpec(config: KafkaConfig): Record<string, unknown> {
  const r = config.strimzi.kafkaExporter;
  return {
    groupRegex: exporterGroupRegex(config),
    topicRegex: exporterTopicRegex(config),
    resources: { requests: { cpu: r.cpu, memory: r.memory }, limits: { memory: r.memory } },
    // Strimzi's restricted provider sets most of this already; stating it keeps the pod restricted if the
    // operator's provider setting changes. The exporter writes only to its /tmp volume, so the root is read-only.
    template: {
      pod: { securityContext: restrictedPodSecurityContext() },
      container: { securityContext: restrictedContainerSecurityContext() },
    },
  };
}

/** The PodMonitor for the exporter (its pod also carries `strimzi.io/kind: Kafka`, see the broker monitor). */
export function exporterPodMonitor(n: StrimziNames): Record<string, unknown> {
  return {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "PodMonitor",
    metadata: { name: exporterName(n), namespace: n.namespace },
    spec: {
      selector: { matchLabels: { "strimzi.io/cluster": n.cluster, "strimzi.io/name": exporterName(n) } },
      namespaceSelector: { matchNames: [n.namespace] },
      podMetricsEndpoints: [{ path: "/metrics", port: "tcp-prometheus" }],
    },
  };
}
