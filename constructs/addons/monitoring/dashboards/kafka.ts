/** Kafka (Strimzi): partition health from the brokers' JMX exporter, consumer lag from the Kafka Exporter. */
import { DashboardBuilder, RowBuilder } from "@grafana/grafana-foundation-sdk/dashboard";
import type { PlatformDashboard } from "./model";
import { labelVariable, platformDashboard, problemCount, RATE, saturation, stat, timeseries } from "./panels";

const NS = 'namespace=~"$namespace"';
/** Strimzi names broker data PVCs `data-<cluster>-<pool>-<id>` (as the broker disk alert does). */
const BROKER_PVC = 'persistentvolumeclaim=~"data-.*"';

const health = (title: string, metric: string) => problemCount(title, `sum(${metric}{${NS}})`);

export const KAFKA_DASHBOARD: PlatformDashboard = {
  uid: "mlops-kafka",
  title: "MLOps Platform / Kafka",
  addOns: ["kafka"],
  exporters: ["prometheus", "kafka-jmx", "kafka-exporter", "kubelet"],
  build: () =>
    platformDashboard(new DashboardBuilder("MLOps Platform / Kafka"), ["kafka"])
      .uid("mlops-kafka")
      .description("Strimzi Kafka: partitions, throughput, consumer lag and broker disks.")
      .withVariable(
        labelVariable("namespace", "namespace", "kafka_server_replicamanager_partitioncount", {
          title: "Namespace",
        }),
      )
      .withRow(new RowBuilder("Partitions"))
      .withPanel(health("Offline partitions", "kafka_controller_kafkacontroller_offlinepartitionscount"))
      .withPanel(
        health("Under-replicated partitions", "kafka_server_replicamanager_underreplicatedpartitions"),
      )
      .withPanel(health("Under min ISR", "kafka_server_replicamanager_underminisrpartitioncount"))
      .withPanel(
        stat("Active controllers", [`sum(kafka_controller_kafkacontroller_activecontrollercount{${NS}})`], {
          thresholdAt: 1,
          description: "Exactly one: 0 means no controller, more means a split brain.",
        }),
      )
      .withPanel(stat("Brokers", [`max(kafka_brokers{${NS}})`], { thresholdAt: 1 }))
      .withPanel(
        stat("Targets up", [`sum(up{${NS}}) / count(up{${NS}})`], { unit: "percentunit", thresholdAt: 1 }),
      )
      .withRow(new RowBuilder("Throughput"))
      .withPanel(
        timeseries(
          "Messages in, per broker",
          [
            [
              `sum by (pod) (rate(kafka_server_brokertopicmetrics_messagesin_total{${NS}}[${RATE}]))`,
              "{{pod}}",
            ],
          ],
          { unit: "short", span: 8 },
        ),
      )
      .withPanel(
        timeseries(
          "Partitions, per broker",
          [[`sum by (pod) (kafka_server_replicamanager_partitioncount{${NS}})`, "{{pod}}"]],
          { span: 8 },
        ),
      )
      .withPanel(
        timeseries("Log size, per topic", [[`sum by (topic) (kafka_log_log_size{${NS}})`, "{{topic}}"]], {
          unit: "bytes",
          span: 8,
        }),
      )
      .withRow(new RowBuilder("Consumers"))
      .withPanel(
        timeseries(
          "Consumer lag, per group and topic",
          [[`sum by (consumergroup, topic) (kafka_consumergroup_lag{${NS}})`, "{{consumergroup}} {{topic}}"]],
          { span: 12 },
        ),
      )
      .withPanel(
        timeseries(
          "Consumer group members",
          [[`sum by (consumergroup) (kafka_consumergroup_members{${NS}})`, "{{consumergroup}}"]],
          { span: 12 },
        ),
      )
      .withRow(new RowBuilder("Disks"))
      .withPanel(
        saturation(
          "Broker volumes used",
          [
            [
              `max by (persistentvolumeclaim) (kubelet_volume_stats_used_bytes{${NS}, ${BROKER_PVC}} / kubelet_volume_stats_capacity_bytes{${NS}, ${BROKER_PVC}})`,
              "{{persistentvolumeclaim}}",
            ],
          ],
          0.85,
          { span: 24 },
        ),
      )
      .build(),
};
