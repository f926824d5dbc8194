/** Names and ports of the cert-manager add-on, in one place for the add-on, its values and its tests. */

export const CERT_MANAGER_ADDON_ID = "cert-manager";
export const CERT_MANAGER_NAMESPACE = "cert-manager";
export const CERT_MANAGER_RELEASE = "cert-manager";
/**
 * The webhook's HTTPS port (chart `webhook.securePort`, the chart's default written out): the API server calls
 * it on every change to a cert-manager resource, so the NetworkPolicy admits the VPC CIDR on this port.
 */
export const CERT_MANAGER_WEBHOOK_PORT = 10250;
/** `/metrics` of the controller, the webhook and the CA injector (container port `http-metrics`). */
export const CERT_MANAGER_METRICS_PORT = 9402;
/** The label every pod of the release carries (controller, webhook, CA injector, startup API check). */
export const CERT_MANAGER_INSTANCE_LABELS = { "app.kubernetes.io/instance": CERT_MANAGER_RELEASE } as const;
/** The chart's component label of each long-running Deployment, for per-component NetworkPolicies. */
export const CERT_MANAGER_COMPONENTS = ["controller", "webhook", "cainjector"] as const;
export type CertManagerComponent = (typeof CERT_MANAGER_COMPONENTS)[number];

/** Selector labels of one component's pods. */
export function certManagerPodLabels(
  component: CertManagerComponent | "startupapicheck",
): Record<string, string> {
  return { ...CERT_MANAGER_INSTANCE_LABELS, "app.kubernetes.io/component": component };
}
