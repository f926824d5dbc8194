import { MSK_SCRAPE_JOBS } from "../../kafka/msk-monitoring";
import type { RuleGroup } from "./model";
import { percent, promRegexAlternation, type ResolvedAlertRuleOptions } from "./options";

/** Strimzi names broker data PVCs `data-<cluster>-<pool>-<id>` (or `data-<n>-…` with JBOD). */
const BROKER_PVC = 'persistentvolumeclaim=~"data-.*"';

export function kafkaRuleGroups(o: ResolvedAlertRuleOptions): RuleGroup[] {
  const ns = `namespace="${o.kafka.namespace}"`;
  const prefixes = o.kafka.consumerGroupPrefixes;
  const lag =
    prefixes.length === 0
      ? "kafka_consumergroup_lag"
      : `kafka_consumergroup_lag{consumergroup=~"(${promRegexAlternation(prefixes)}).*"}`;
  return [
    {
      name: "kafka.brokers",
      exporters: ["kafka-jmx", "kubelet"],
      rules: [
        {
          alert: "KafkaOfflinePartitions",
          expr: `sum by (namespace) (kafka_controller_kafkacontroller_offlinepartitionscount{${ns}}) > 0`,
          for: "1m",
          labels: { severity: "critical" },
          annotations: {
            summary: "Kafka has partitions without a leader in {{ $labels.namespace }}",
            description: "Producers and consumers of those partitions are failing; the data is unavailable.",
            runbook:
              "Check which brokers are down (kubectl -n {{ $labels.namespace }} get pods -l strimzi.io/kind=Kafka) and why (events, logs, PVCs). Bring them back; never enable unclean leader election to clear this.",
          },
        },
        {
          alert: "KafkaUnderReplicatedPartitions",
          expr: `sum by (namespace, pod) (kafka_server_replicamanager_underreplicatedpartitions{${ns}}) > 0`,
          for: "10m",
          labels: { severity: "warning" },
          annotations: {
            summary: "Broker {{ $labels.pod }} leads under-replicated partitions",
            description: "A follower is not in sync for 10 minutes; one more broker failure can lose data.",
            runbook:
              "Look for a broker that restarted, is throttled or has a full disk (KafkaBrokerDiskFilling). kafka-topics --describe --under-replicated-partitions names the partitions.",
          },
        },
        {
          alert: "KafkaBrokerDiskFilling",
          expr: `kubelet_volume_stats_available_bytes{${ns}, ${BROKER_PVC}} / kubelet_volume_stats_capacity_bytes{${ns}, ${BROKER_PVC}} < ${o.kafka.brokerDiskFreeRatio}`,
          for: "5m",
          labels: { severity: "critical" },
          annotations: {
            summary: `Kafka volume {{ $labels.persistentvolumeclaim }} has less than ${percent(o.kafka.brokerDiskFreeRatio)} free`,
            description: "A broker whose log directory fills up stops and takes its partitions offline.",
            runbook:
              "Lower topic retention or delete unused topics, or grow the PVC (the gp3 StorageClass allows volume expansion) and add brokers.",
          },
        },
      ],
    },
    {
      // MSK mode: the broker rules above query the kit's own JMX exporter names (Strimzi), which MSK's open
      // monitoring does not use; what is alerted on for MSK is that its exporters are scraped at all.
      name: "kafka.msk",
      exporters: ["prometheus"],
      rules: [
        {
          alert: "KafkaMskExporterDown",
          expr: `up{job=~"${MSK_SCRAPE_JOBS.jmx}|${MSK_SCRAPE_JOBS.node}"} == 0`,
          for: "10m",
          labels: { severity: "warning" },
          annotations: {
            summary: "Prometheus cannot scrape {{ $labels.job }} on {{ $labels.instance }}",
            description: "MSK open monitoring of this broker has been unreachable for 10 minutes.",
            runbook:
              "Check the broker in the MSK console (state, maintenance), that open monitoring is enabled, that the brokers' security group admits 11001/11002 from the cluster security group, and the allow-egress-prometheus-msk NetworkPolicy in the monitoring namespace.",
          },
        },
      ],
    },
    {
      name: "kafka.consumers",
      exporters: ["kafka-exporter"],
      rules: [
        {
          alert: "KafkaConsumerGroupLag",
          expr: `sum by (consumergroup, topic) (${lag}) > ${o.kafka.consumerLagThreshold}`,
          for: "15m",
          labels: { severity: "warning" },
          annotations: {
            summary: "Consumer group {{ $labels.consumergroup }} lags on {{ $labels.topic }}",
            description: `More than ${o.kafka.consumerLagThreshold} messages behind for 15 minutes.`,
            runbook:
              "Check that the group's consumers run and are not crash-looping or stuck; scale them out if the input rate grew. kafka-consumer-groups --describe --group shows lag per partition.",
          },
        },
      ],
    },
  ];
}
