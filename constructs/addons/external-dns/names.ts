/** Names and ports of the ExternalDNS add-on, in one place for the add-on, its values and its tests. */

export const EXTERNAL_DNS_ADDON_ID = "external-dns";
export const EXTERNAL_DNS_NAMESPACE = "external-dns";
export const EXTERNAL_DNS_RELEASE = "external-dns";
/** The service account the IAM role trusts (set in the values, not left to the chart's fullname). */
export const EXTERNAL_DNS_SERVICE_ACCOUNT = "external-dns";
/** The container's HTTP port (named `http`): health checks and `/metrics`. */
export const EXTERNAL_DNS_METRICS_PORT = 7979;
/** Selector labels the chart gives the pod (release and chart both named `external-dns`). */
export const EXTERNAL_DNS_POD_LABELS = {
  "app.kubernetes.io/name": "external-dns",
  "app.kubernetes.io/instance": EXTERNAL_DNS_RELEASE,
} as const;
