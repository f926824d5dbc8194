/**
 * Kafka broker metrics as the kit's JMX exporter rules name them (constructs/addons/kafka/strimzi-resources.ts
 * `jmxExporterConfig`, lowercaseOutputName). Each entry pairs the broker MBean (Apache Kafka 4.x operations
 * docs, "Monitoring") with the name the rules give it. Checked twice under test/constructs/addons/monitoring/rules:
 * metric-names.test.ts applies the kit's rules to each MBean; kafka-exposition.test.ts runs a real Kafka 4.1.1
 * KRaft broker with the Prometheus JMX exporter agent 1.0.1 and those rules, and every name must be served.
 */
export const KAFKA_JMX_MBEANS: readonly (readonly [mbean: string, name: string])[] = [
  [
    "kafka.controller<type=KafkaController, name=OfflinePartitionsCount><>Value",
    "kafka_controller_kafkacontroller_offlinepartitionscount",
  ],
  [
    "kafka.controller<type=KafkaController, name=ActiveControllerCount><>Value",
    "kafka_controller_kafkacontroller_activecontrollercount",
  ],
  [
    "kafka.server<type=ReplicaManager, name=UnderReplicatedPartitions><>Value",
    "kafka_server_replicamanager_underreplicatedpartitions",
  ],
  [
    "kafka.server<type=ReplicaManager, name=UnderMinIsrPartitionCount><>Value",
    "kafka_server_replicamanager_underminisrpartitioncount",
  ],
  [
    "kafka.server<type=ReplicaManager, name=PartitionCount><>Value",
    "kafka_server_replicamanager_partitioncount",
  ],
  [
    "kafka.server<type=BrokerTopicMetrics, name=MessagesInPerSec><>Count",
    "kafka_server_brokertopicmetrics_messagesin_total",
  ],
  ["kafka.log<type=Log, name=Size, topic=events, partition=0><>Value", "kafka_log_log_size"],
];
