/** Names and ports of the Karpenter add-on, in one place for the add-on, its values, its objects and its tests. */

export const KARPENTER_ADDON_ID = "karpenter";
/**
 * Its own namespace rather than kube-system (where Karpenter's guide installs it): the kit's namespaces enforce
 * Pod Security `restricted` and a default-deny NetworkPolicy, which kube-system (aws-node, kube-proxy) cannot.
 */
export const KARPENTER_NAMESPACE = "karpenter";
export const KARPENTER_RELEASE = "karpenter";
export const KARPENTER_SERVICE_ACCOUNT = "karpenter";
/** Selector labels the chart gives the controller pods (release and chart both named `karpenter`). */
export const KARPENTER_POD_LABELS = {
  "app.kubernetes.io/name": "karpenter",
  "app.kubernetes.io/instance": KARPENTER_RELEASE,
} as const;
/** Controller metrics (Prometheus) and health probe ports, as the kit sets them in the values. */
export const KARPENTER_METRICS_PORT = 8080;
export const KARPENTER_HEALTH_PORT = 8081;
/** The API groups and versions of the objects the add-on writes. */
export const NODE_POOL_API = "karpenter.sh/v1";
export const NODE_CLASS_API = "karpenter.k8s.aws/v1";
/** The label Karpenter puts on the nodes it launches (the controller keeps off them). */
export const KARPENTER_NODEPOOL_LABEL = "karpenter.sh/nodepool";
