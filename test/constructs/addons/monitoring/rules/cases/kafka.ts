import { type RuleCases, s, volume } from "./types";

const broker = { namespace: "kafka", pod: "platform-broker-0" };
const pvc = { namespace: "kafka", persistentvolumeclaim: "data-platform-broker-0" };
const msk = { job: "msk-jmx-exporter", instance: "b-1.mlops.abc123.c2.kafka.eu-west-1.amazonaws.com:11001" };
const lag = { consumergroup: "features", topic: "events", partition: "0" };

export const KAFKA_CASES: RuleCases = {
  KafkaOfflinePartitions: {
    fires: {
      series: [s("kafka_controller_kafkacontroller_offlinepartitionscount", broker, "0 1x10")],
      at: "5m",
      labels: { namespace: "kafka" },
    },
    quiet: {
      series: [s("kafka_controller_kafkacontroller_offlinepartitionscount", broker, "0x10")],
      at: "5m",
    },
  },
  KafkaUnderReplicatedPartitions: {
    fires: {
      series: [s("kafka_server_replicamanager_underreplicatedpartitions", broker, "2x20")],
      at: "15m",
      labels: broker,
    },
    // A short blip (a rolling restart) stays under the 10 minutes.
    quiet: {
      series: [s("kafka_server_replicamanager_underreplicatedpartitions", broker, "2x5 0x15")],
      at: "15m",
    },
  },
  KafkaBrokerDiskFilling: {
    fires: {
      series: volume(pvc, "10x10", "100x10"),
      at: "10m",
      labels: pvc,
    },
    quiet: {
      series: volume(pvc, "50x10", "100x10"),
      at: "10m",
    },
  },
  KafkaMskExporterDown: {
    fires: {
      series: [s("up", msk, "1x5 0x15")],
      at: "20m",
      labels: msk,
    },
    // A restart of a broker (a few failed scrapes) stays under the 10 minutes.
    quiet: { series: [s("up", msk, "1x5 0x3 1x12")], at: "20m" },
  },
  KafkaConsumerGroupLag: {
    fires: {
      series: [s("kafka_consumergroup_lag", lag, "20000x30")],
      at: "20m",
      labels: { consumergroup: "features", topic: "events" },
    },
    quiet: { series: [s("kafka_consumergroup_lag", lag, "500x30")], at: "20m" },
  },
};
