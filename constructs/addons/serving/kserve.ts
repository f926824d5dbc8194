import {
  DEPLOYMENT_LABEL,
  ENVOY_GATEWAY_NAMESPACE,
  KSERVE_CONTAINER_NAME,
  SERVING_GATEWAY_CLASS,
  SERVING_GATEWAY_NAME,
  SERVING_GATEWAY_PORT,
  SERVING_GATEWAY_SERVICE,
  SERVING_NAMESPACE,
} from "./names";
import {
  type InferenceContainerOptions,
  inferenceContainer,
  inferencePodFields,
  type ServingWorkloadOptions,
  workloadLabels,
} from "./pod";
import type { ServingTrafficPlan, ServingWorkload } from "./traffic";

/**
 * The KServe engine's objects. KServe in RawDeployment mode runs each InferenceService as a plain Deployment,
 * Service (`<name>-predictor`, port 80) and HorizontalPodAutoscaler, without Knative or Istio; it has no traffic
 * split in that mode (canaryTrafficPercent needs Knative revisions). So every version is its own
 * InferenceService and one Gateway API HTTPRoute per deployment splits (backendRefs weights) and mirrors
 * (RequestMirror filter) between their Services, on the Envoy Gateway the add-on installs.
 */

/** The Service KServe creates for an InferenceService's predictor in RawDeployment mode. */
export function predictorService(workload: ServingWorkload): string {
  return `${workload.name}-predictor`;
}
/** Its port: KServe's predictor Service listens on 80 and targets the container's port. */
export const PREDICTOR_SERVICE_PORT = 80;

/** One version of a deployment as an InferenceService with the reference service as custom predictor. */
export function inferenceService(o: ServingWorkloadOptions): Record<string, unknown> {
  const container: InferenceContainerOptions = { ...o };
  const labels = workloadLabels(o.plan, o.workload);
  return {
    apiVersion: "serving.kserve.io/v1beta1",
    kind: "InferenceService",
    metadata: {
      name: o.workload.name,
      namespace: SERVING_NAMESPACE,
      labels,
      annotations: {
        "serving.kserve.io/deploymentMode": "RawDeployment",
        // KServe's own HPA on CPU (metrics-server); the Deployment and HPA are KServe's, bounded by min/max below.
        "serving.kserve.io/autoscalerClass": "hpa",
      },
    },
    spec: {
      predictor: {
        minReplicas: o.workload.minReplicas,
        maxReplicas: o.workload.maxReplicas,
        scaleMetric: "cpu",
        scaleTarget: o.deployment.replicas.targetCpuUtilization,
        labels,
        ...inferencePodFields(o.plan, o.workload, o.pool, o.extras),
        containers: [inferenceContainer(KSERVE_CONTAINER_NAME, container)],
      },
    },
  };
}

const backend = (workload: ServingWorkload, weight?: number) => ({
  group: "",
  kind: "Service",
  name: predictorService(workload),
  port: PREDICTOR_SERVICE_PORT,
  ...(weight === undefined ? {} : { weight }),
});

/**
 * The deployment's route: every request for its model (`/v2/models/<name>…`) goes to the stable and candidate
 * Services by weight; in shadow a RequestMirror filter copies each request to the candidate, whose answers the
 * gateway discards. A workload with weight 0 stays listed (and deployed) so that promote and rollback are
 * weight changes, applied by the gateway without restarting a pod.
 */
export function httpRoute(plan: ServingTrafficPlan): Record<string, unknown> {
  const backends = [backend(plan.stable, plan.weights.stable)];
  if (plan.candidate) backends.push(backend(plan.candidate, plan.weights.candidate));
  const mirror =
    plan.mirror && plan.candidate
      ? [{ type: "RequestMirror", requestMirror: { backendRef: backend(plan.candidate) } }]
      : [];
  return {
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "HTTPRoute",
    metadata: {
      name: plan.deployment,
      namespace: SERVING_NAMESPACE,
      labels: { [DEPLOYMENT_LABEL]: plan.deployment, "mlops.io/serving-phase": plan.phase },
    },
    spec: {
      parentRefs: [{ name: SERVING_GATEWAY_NAME, sectionName: "http" }],
      rules: [
        {
          matches: [{ path: { type: "PathPrefix", value: `/v2/models/${plan.servedName}` } }],
          ...(mirror.length > 0 ? { filters: mirror } : {}),
          backendRefs: backends,
        },
      ],
    },
  };
}

/** A PodDisruptionBudget per workload: a drain takes one replica at a time (also when only one runs). */
export function podDisruptionBudget(
  plan: ServingTrafficPlan,
  workload: ServingWorkload,
): Record<string, unknown> {
  return {
    apiVersion: "policy/v1",
    kind: "PodDisruptionBudget",
    metadata: { name: workload.name, namespace: SERVING_NAMESPACE },
    spec: { maxUnavailable: 1, selector: { matchLabels: workloadLabels(plan, workload) } },
  };
}

/** Envoy Gateway's proxy settings for the serving Gateway: internal Service with a fixed name, restricted pods. */
export function envoyProxy(options: {
  readonly replicas: number;
  readonly nodePool: string;
}): Record<string, unknown> {
  return {
    apiVersion: "gateway.envoyproxy.io/v1alpha1",
    kind: "EnvoyProxy",
    metadata: { name: SERVING_GATEWAY_NAME, namespace: ENVOY_GATEWAY_NAMESPACE },
    spec: {
      provider: {
        type: "Kubernetes",
        kubernetes: {
          // Reached inside the cluster (and through the ingress, when configured); never a public load balancer.
          envoyService: { name: SERVING_GATEWAY_SERVICE, type: "ClusterIP" },
          envoyDeployment: {
            replicas: options.replicas,
            pod: {
              nodeSelector: { "mlops.io/node-pool": options.nodePool },
              securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
            },
            container: {
              resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "512Mi" } },
              securityContext: {
                allowPrivilegeEscalation: false,
                capabilities: { drop: ["ALL"] },
                readOnlyRootFilesystem: true,
                runAsNonRoot: true,
                seccompProfile: { type: "RuntimeDefault" },
              },
            },
          },
          envoyPDB: { minAvailable: 1 },
        },
      },
    },
  };
}

/** The GatewayClass of Envoy Gateway, parameterised by the EnvoyProxy above. */
export function gatewayClass(): Record<string, unknown> {
  return {
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "GatewayClass",
    metadata: { name: SERVING_GATEWAY_CLASS },
    spec: {
      controllerName: "gateway.envoyproxy.io/gatewayclass-controller",
      parametersRef: {
        group: "gateway.envoyproxy.io",
        kind: "EnvoyProxy",
        name: SERVING_GATEWAY_NAME,
        namespace: ENVOY_GATEWAY_NAMESPACE,
      },
    },
  };
}

/** The serving Gateway: one HTTP listener admitting routes of the serving namespace only. */
export function gateway(): Record<string, unknown> {
  return {
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "Gateway",
    metadata: { name: SERVING_GATEWAY_NAME, namespace: SERVING_NAMESPACE },
    spec: {
      gatewayClassName: SERVING_GATEWAY_CLASS,
      listeners: [
        {
          name: "http",
          protocol: "HTTP",
          port: SERVING_GATEWAY_PORT,
          allowedRoutes: { namespaces: { from: "Same" } },
        },
      ],
    },
  };
}
