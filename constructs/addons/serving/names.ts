import { SERVING_POD_LABELS } from "../monitoring/serving";

/** Names, ports and labels of the serving add-on, in one place for the add-on, its engines and its tests. */

// The id and the pod labels are the monitoring add-on's contract (it never imports this folder).
export { SERVING_ADDON_ID } from "../monitoring/serving";
/** Where the model servers, their routes and (Seldon) the Seldon runtime run. */
export const SERVING_NAMESPACE = "serving";
/** KServe's controller. Its chart hard-codes the webhook's DNS name `kserve-webhook-server-service.kserve.svc`. */
export const KSERVE_NAMESPACE = "kserve";
/** Envoy Gateway's controller and the Envoy proxies it runs for the serving Gateway (its default layout). */
export const ENVOY_GATEWAY_NAMESPACE = "envoy-gateway-system";
/** Seldon Core 2's operator. */
export const SELDON_NAMESPACE = "seldon-system";

/** The reference service's HTTP port (`PORT`), where it answers the Open Inference Protocol and `/metrics`. */
export const INFERENCE_HTTP_PORT = 8080;
/** The container port's name; probes, Services and monitors refer to it by name. */
export const INFERENCE_PORT_NAME = "http";
/** The service's health endpoints (service/src/http/model-routes.ts). */
export const READINESS_PATH = "/v2/health/ready";
export const LIVENESS_PATH = "/v2/health/live";
/** Prometheus text format (service/src/http/server.ts). */
export const METRICS_PATH = "/metrics";
/** The container's name in every engine's pod (KServe requires `kserve-container` for custom predictors). */
export const KSERVE_CONTAINER_NAME = "kserve-container";
export const SELDON_SERVER_CONTAINER_NAME = "inference-service";

/** The Gateway (Gateway API) the KServe engine routes traffic through, and its GatewayClass. */
export const SERVING_GATEWAY_NAME = "serving";
export const SERVING_GATEWAY_CLASS = "envoy-gateway";
/** The gateway listener's port (plain HTTP inside the VPC; TLS ends at the ingress in front of it). */
export const SERVING_GATEWAY_PORT = 80;
/** The Kubernetes Service Envoy Gateway creates for the serving Gateway, named (EnvoyProxy) so clients can find it. */
export const SERVING_GATEWAY_SERVICE = "serving-gateway";

/** Suffix of the workload that runs a deployment's candidate version (canary or shadow). */
export const CANDIDATE_SUFFIX = "candidate";

/** Labels on every pod of a deployment: which deployment, and which track (stable or candidate). */
export const DEPLOYMENT_LABEL = SERVING_POD_LABELS.deployment;
export const TRACK_LABEL = SERVING_POD_LABELS.track;
