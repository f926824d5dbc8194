/** Names and ports of the monitoring add-on, in one place for the add-on, its chart values and its tests. */

export const MONITORING_ADDON_ID = "monitoring";
export const MONITORING_NAMESPACE = "monitoring";
/**
 * node-exporter runs in a namespace of its own: it needs the host's network, PID namespace and root filesystem,
 * which PSS `restricted` forbids, and only it should get the `privileged` level, not Prometheus or Grafana.
 */
export const NODE_EXPORTER_NAMESPACE = "monitoring-node-exporter";
export const MONITORING_RELEASE = "kube-prometheus-stack";
/** The add-on this one depends on for its encrypted volumes (constructs/addons/gp3-storage-class). */
export const STORAGE_ADDON_ID = "storage";
export const STORAGE_CLASS = "gp3";

export const MONITORING_PORTS = {
  prometheus: 9090,
  alertmanager: 9093,
  grafana: 3000,
  nodeExporter: 9100,
  kubeStateMetrics: 8080,
  /** The operator's admission webhook (its `https` port), called by the Kubernetes API server. */
  operatorWebhook: 10250,
  kubelet: 10250,
} as const;

/** The label and value Grafana's dashboard sidecar watches ConfigMaps for, in any namespace. */
export const GRAFANA_DASHBOARD_LABEL = "grafana_dashboard";
export const GRAFANA_DASHBOARD_LABEL_VALUE = "1";
/** The ConfigMap annotation the sidecar reads a dashboard's Grafana folder from. */
export const GRAFANA_FOLDER_ANNOTATION = "grafana_folder";

/** Where the operator mounts `alertmanagerSpec.secrets`: `<dir>/<secret name>/<key>`. */
export const ALERTMANAGER_SECRETS_DIR = "/etc/alertmanager/secrets";

/** Kubernetes Secrets the release reads; their values come from External Secrets, never from Terraform. */
export const MONITORING_SECRETS = { grafanaAdmin: "grafana-admin" } as const;

/** The Secret External Secrets fills for one Alertmanager receiver. */
export function receiverSecretName(receiver: string): string {
  return `alertmanager-${receiver}`;
}

/** Pod labels the chart and its subcharts give each component (network policies select on them). */
export const MONITORING_POD_LABELS = {
  prometheus: { "app.kubernetes.io/name": "prometheus" },
  alertmanager: { "app.kubernetes.io/name": "alertmanager" },
  grafana: { "app.kubernetes.io/name": "grafana" },
  kubeStateMetrics: { "app.kubernetes.io/name": "kube-state-metrics" },
  nodeExporter: { "app.kubernetes.io/name": "prometheus-node-exporter" },
  operator: { app: "kube-prometheus-stack-operator" },
} as const;
