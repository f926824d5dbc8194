/**
 * Kafka broker metrics as the kit's JMX exporter rules name them (constructs/addons/kafka/strimzi-resources.ts
 * `jmxExporterConfig`, lowercaseOutputName). Each entry pairs the broker MBean (Apache Kafka 3.x/4.x operations
 * docs, "Monitoring") with the name the rules give it; test/constructs/addons/monitoring/rules/metric-lists.test.ts
 * applies the kit's real rules to each MBean and fails when the produced name differs, so a change to the JMX
 * rules shows up here. Not captured from a live exporter: the broker test runs Kafka without the JMX agent.
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
