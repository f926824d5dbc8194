/** Names, paths and ports of the log collector, in one place for the construct, its values and its tests. */

/**
 * The collector's own namespace. It is `privileged` (hostPath volumes), so nothing else of the logging add-on
 * runs in it: Elasticsearch, Kibana and the operator keep a `restricted` namespace.
 */
export const COLLECTOR_NAMESPACE = "logging-collector";
export const COLLECTOR_RELEASE = "fluent-bit";
/** Service account of the DaemonSet; the IRSA role trusts exactly `<namespace>:<this>`. */
export const COLLECTOR_SERVICE_ACCOUNT = "fluent-bit";
/** Labels the chart puts on the collector's pods (network policies select on them). */
export const COLLECTOR_POD_LABELS = { "app.kubernetes.io/name": "fluent-bit" } as const;
/** Fluent Bit's HTTP server: `/api/v2/metrics/prometheus` and the health checks. */
export const COLLECTOR_METRICS_PORT = 2020;

/** Where the collector reads and writes on the node. */
export const COLLECTOR_PATHS = {
  /** The kubelet's container logs (`containers/*.log` link into `pods/`): mounted read-only. */
  hostLogs: "/var/log",
  containerLogs: "/var/log/containers/*.log",
  /** The only writable host directory: the tail offsets database and the filesystem buffer of the output. */
  hostState: "/var/fluent-bit/state",
  /** Mount of the backend's CA certificate (Elasticsearch mode). */
  tls: "/fluent-bit/tls",
  /** Where the chart mounts `luaScripts`. */
  scripts: "/fluent-bit/scripts",
} as const;

/** Environment variables the Elasticsearch credentials reach Fluent Bit through (from a secretKeyRef). */
export const COLLECTOR_ENV = { username: "FLUENT_ES_USERNAME", password: "FLUENT_ES_PASSWORD" } as const;
