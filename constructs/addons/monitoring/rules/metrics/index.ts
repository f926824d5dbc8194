/**
 * Per exporter, the metric (series) names that alert rules and dashboards may query. Each list says where it
 * came from; the ones taken from a real exposition or from the kit's own exporter config are verified by tests
 * (test/constructs/addons/monitoring/rules/), the others are copied from the upstream docs named.
 */
import { dcgmMetricNames } from "../../../dcgm-exporter/counters";
import { CADVISOR } from "./cadvisor";
import { type MetricFamily, sampleNames } from "./family";
import { INFERENCE_FEEDBACK_FAMILIES } from "./inference-feedback";
import { INFERENCE_SERVICE_FAMILIES } from "./inference-service";
import { KAFKA_JMX_MBEANS } from "./kafka-jmx";

export { CADVISOR } from "./cadvisor";
export type { MetricFamily, MetricType } from "./family";
export { familiesOf, sampleNames } from "./family";
export { INFERENCE_FEEDBACK_FAMILIES } from "./inference-feedback";
export { INFERENCE_SERVICE_FAMILIES, PREDICTION_DRIFT_FEATURE } from "./inference-service";
export { KAFKA_JMX_MBEANS } from "./kafka-jmx";

/**
 * Series every Prometheus adds to each scrape (Prometheus 2.x docs, "Jobs and instances": automatically
 * generated labels and time series).
 */
const PROMETHEUS_SYNTHETIC = [
  "up",
  "scrape_duration_seconds",
  "scrape_samples_scraped",
  "scrape_samples_post_metric_relabeling",
  "scrape_series_added",
];

/**
 * kube-state-metrics v2.x docs (docs/metrics/workload/pod-metrics.md, storage/persistentvolumeclaim-metrics.md,
 * policy/resourcequota-metrics.md: `kube_resourcequota` with labels resourcequota, resource, type hard|used).
 */
const KUBE_STATE_METRICS = [
  "kube_pod_status_phase",
  "kube_pod_container_status_waiting_reason",
  "kube_pod_container_status_restarts_total",
  "kube_pod_container_resource_requests",
  "kube_pod_info",
  "kube_persistentvolumeclaim_info",
  "kube_persistentvolumeclaim_status_phase",
  "kube_resourcequota",
];

/** Kubelet volume stats (Kubernetes metrics reference, kubelet `/metrics`; labels namespace, persistentvolumeclaim). */
const KUBELET = [
  "kubelet_volume_stats_available_bytes",
  "kubelet_volume_stats_capacity_bytes",
  "kubelet_volume_stats_used_bytes",
  "kubelet_volume_stats_inodes",
  "kubelet_volume_stats_inodes_used",
];

/**
 * DCGM exporter: exactly the fields the kit's exporter is configured to collect (constructs/addons/dcgm-exporter
 * `DCGM_COUNTERS`, rendered into its counters file), each checked against the pinned chart's documented fields.
 * Labels: gpu, UUID, Hostname, and the pod/namespace/container the GPU is allocated to.
 */
const DCGM = dcgmMetricNames();

/**
 * Kafka Exporter (danielqsj/kafka_exporter README, "Metrics"; Strimzi's `kafkaExporter` runs it). Labels:
 * consumergroup, topic, partition.
 */
const KAFKA_EXPORTER = [
  "kafka_brokers",
  "kafka_topic_partitions",
  "kafka_topic_partition_under_replicated_partition",
  "kafka_consumergroup_current_offset",
  "kafka_consumergroup_lag",
  "kafka_consumergroup_lag_sum",
  "kafka_consumergroup_members",
];

/**
 * MLflow's `--expose-prometheus` (mlflow/server/prometheus_exporter.py: prometheus_flask_exporter with
 * defaults_prefix "mlflow"; the exporter's README names the default metrics). Labels: method, status.
 */
const MLFLOW: readonly MetricFamily[] = [
  ["mlflow_http_request_total", "counter"],
  ["mlflow_http_request_duration_seconds", "histogram"],
  ["mlflow_http_request_exceptions_total", "counter"],
  ["mlflow_exporter_info", "gauge"],
];

/**
 * Airflow's StatsD metrics (Airflow docs, "Metrics": `scheduler_heartbeat`, `dag_processing.import_errors`,
 * …) as the chart's statsd-exporter names them: prefix `airflow`, dots to underscores.
 */
const AIRFLOW_STATSD = [
  "airflow_scheduler_heartbeat",
  "airflow_dag_processing_import_errors",
  "airflow_executor_open_slots",
  "airflow_executor_queued_tasks",
  "airflow_executor_running_tasks",
];

export const EXPORTER_METRICS = {
  prometheus: PROMETHEUS_SYNTHETIC,
  "kube-state-metrics": KUBE_STATE_METRICS,
  kubelet: KUBELET,
  cadvisor: CADVISOR,
  dcgm: DCGM,
  "kafka-jmx": KAFKA_JMX_MBEANS.map(([, name]) => name),
  "kafka-exporter": KAFKA_EXPORTER,
  mlflow: MLFLOW.flatMap(sampleNames),
  "airflow-statsd": AIRFLOW_STATSD,
  "inference-service": INFERENCE_SERVICE_FAMILIES.flatMap(sampleNames),
  "inference-feedback": INFERENCE_FEEDBACK_FAMILIES.flatMap(sampleNames),
} as const satisfies Record<string, readonly string[]>;

export type ExporterId = keyof typeof EXPORTER_METRICS;
