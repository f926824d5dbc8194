/** Names and ports of the metrics-server add-on, in one place for the add-on, its values and its tests. */

export const METRICS_SERVER_ADDON_ID = "metrics-server";
export const METRICS_SERVER_NAMESPACE = "metrics-server";
export const METRICS_SERVER_RELEASE = "metrics-server";
/**
 * The container's secure port (chart `containerPort`, `--secure-port`): the API server calls the aggregated
 * `metrics.k8s.io` API here, and the kubelets it scrapes listen on the same number.
 */
export const METRICS_SERVER_PORT = 10250;
/** The kubelets' port, which metrics-server scrapes for node and pod usage. */
export const KUBELET_PORT = 10250;
/** Selector labels the chart gives the pods (release and chart both named `metrics-server`). */
export const METRICS_SERVER_POD_LABELS = {
  "app.kubernetes.io/name": "metrics-server",
  "app.kubernetes.io/instance": METRICS_SERVER_RELEASE,
} as const;
