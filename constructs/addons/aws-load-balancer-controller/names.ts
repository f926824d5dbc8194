import { LOAD_BALANCER_CONTROLLER_ADDON_ID } from "../../core/ingress";

/** Names and ports of the AWS Load Balancer Controller add-on, in one place for the add-on, its values and tests. */

export const AWS_LOAD_BALANCER_CONTROLLER_ADDON_ID = LOAD_BALANCER_CONTROLLER_ADDON_ID;
export const AWS_LOAD_BALANCER_CONTROLLER_NAMESPACE = "aws-load-balancer-controller";
export const AWS_LOAD_BALANCER_CONTROLLER_RELEASE = "aws-load-balancer-controller";
/** The service account the chart creates; its IRSA role trusts exactly this one. */
export const AWS_LOAD_BALANCER_CONTROLLER_SERVICE_ACCOUNT = "aws-load-balancer-controller";

export const AWS_LOAD_BALANCER_CONTROLLER_PORTS = {
  /** The webhooks (Ingress and TargetGroupBinding validation, Service and pod mutation); the API server calls it. */
  webhook: 9443,
  /** Prometheus metrics (`metricsBindAddr`). */
  metrics: 8080,
} as const;

/** Set through the chart's `podLabels`, so NetworkPolicies and the PodMonitor do not depend on its label scheme. */
export const AWS_LOAD_BALANCER_CONTROLLER_POD_LABELS = {
  "mlops.io/component": "aws-load-balancer-controller",
} as const;
