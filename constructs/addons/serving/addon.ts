import type { AddOn, AddOnContext } from "../../core/addon";
import type { HelmRelease } from "../../core/helm-release";
import { PlatformNamespace } from "../../core/platform-namespace";
import { CERT_MANAGER_ADDON_ID } from "../cert-manager/addon";
import type { KafkaOutputs } from "../kafka/addon";
import { MLFLOW_ARTIFACT_PREFIX } from "../mlflow/names";
import { servingPodMonitor } from "../monitoring/serving";
import { servingAccess } from "./access";
import {
  parseServingConfig,
  type ServingConfig,
  type ServingConfigInput,
  type ServingDeploymentConfig,
} from "./config";
import {
  envoyProxy,
  gateway,
  gatewayClass,
  httpRoute,
  inferenceService,
  podDisruptionBudget,
} from "./kserve";
import {
  DEPLOYMENT_LABEL,
  ENVOY_GATEWAY_NAMESPACE,
  INFERENCE_HTTP_PORT,
  METRICS_PATH,
  SERVING_ADDON_ID,
  SERVING_GATEWAY_SERVICE,
  SERVING_NAMESPACE,
} from "./names";
import type { ServingNodePool, ServingPodExtras } from "./pod";
import { kserveReleases, seldonReleases } from "./releases";
import {
  SELDON_PORTS,
  seldonAgentConfigMap,
  seldonExperiment,
  seldonModel,
  seldonServer,
  seldonServerConfig,
} from "./seldon";
import {
  REFERENCE_IMAGE_REPOSITORY,
  type ResolvedImage,
  type ServingTrafficPlan,
  trafficPlan,
} from "./traffic";

export * from "./names";

export interface ServingAddOnProps {
  readonly config: ServingConfig;
  /** Node pools the deployments may name, as the platform creates them. */
  readonly pools: Readonly<Record<string, ServingNodePool>>;
  /** Pool of the engines' controllers and the gateway. @default "system" */
  readonly controllerPool?: string;
  /**
   * What the platform adds to each deployment's pods (service account with its role, Kafka credentials,
   * volumes), by deployment name; called once per deployment. Given, it replaces the add-on's own access wiring
   * (`servingAccess` with the models prefixes the deployments serve from). @default - the add-on's own wiring
   */
  readonly podExtras?: (deployment: string, context: AddOnContext) => ServingPodExtras;
  /** Whether Seldon's dataflow uses the platform Kafka (the Kafka add-on is on). @default false */
  readonly kafka?: boolean;
  /**
   * Whether the cert-manager add-on runs in this platform: KServe's release then depends on it (its chart's
   * webhook Certificate needs cert-manager's CRDs and controller). Without it, cert-manager must already run
   * in the cluster. @default false
   */
  readonly certManager?: boolean;
}

/** What the serving add-on hands on: where clients reach each deployment, and the metrics targets. */
export interface ServingOutputs {
  readonly engine: ServingConfig["engine"];
  readonly namespace: PlatformNamespace;
  readonly plans: readonly ServingTrafficPlan[];
  /** In-cluster base URL of the inference endpoint (`<url>/v2/models/<name>/infer`). */
  readonly endpoint: string;
  /** Pods to scrape: every pod with `labelKey` (any value), on `port` at `path` (for a ServiceMonitor/PodMonitor). */
  readonly metrics: { readonly labelKey: string; readonly port: number; readonly path: string };
  /** The releases of the engine (and of Envoy Gateway with KServe), for ordering. */
  readonly releases: readonly HelmRelease[];
}

/** In-cluster URLs of the two engines' data planes. */
export const SERVING_ENDPOINTS = {
  kserve: `http://${SERVING_GATEWAY_SERVICE}.${ENVOY_GATEWAY_NAMESPACE}.svc.cluster.local`,
  // Seldon's envoy Service of the runtime in the serving namespace.
  seldon: `http://seldon-mesh.${SERVING_NAMESPACE}.svc.cluster.local`,
} as const;

/**
 * Model serving: the engine (KServe in RawDeployment mode with Envoy Gateway, or Seldon Core 2) and the
 * configured deployments of the reference service, each a stable version and at most one candidate, with the
 * traffic between them as the configuration says (canary, shadow, promote, rollback). The engines' custom
 * resources go to the manifests stack (their CRDs come with the releases here).
 */
export class ServingAddOn implements AddOn<ServingOutputs> {
  readonly id = SERVING_ADDON_ID;
  readonly dependsOn: readonly string[];

  constructor(private readonly props: ServingAddOnProps) {
    const registry = Object.values(props.config.deployments).some((d) => d.model?.registeredModel);
    // Kafka: the model servers' feedback loop (and Seldon's dataflow); External Secrets delivers its credentials.
    // cert-manager: KServe's webhook certificate, issued before the controller can start.
    const certManager = props.certManager && props.config.engine === "kserve";
    this.dependsOn = [
      ...(registry ? ["mlflow"] : []),
      ...(props.kafka ? ["kafka"] : []),
      ...(certManager ? [CERT_MANAGER_ADDON_ID] : []),
    ];
  }

  deploy(context: AddOnContext): ServingOutputs {
    const { config } = this.props;
    const seldon = config.engine === "seldon";
    const provider = context.cluster.kubernetesProvider;
    const seldonReason =
      "Seldon Core 2's charts set runAsNonRoot but leave capabilities and seccomp of their containers unset, with no values key for them";
    const namespace = new PlatformNamespace(context.scope, "Namespace", {
      name: SERVING_NAMESPACE,
      provider,
      // With Seldon the runtime (scheduler, envoy, gateways) runs beside the model servers.
      ...(seldon ? { podSecurity: "baseline" as const, podSecurityReason: seldonReason } : {}),
    });
    const controllerPool = this.props.controllerPool ?? "system";
    const releases = seldon
      ? seldonReleases(context, namespace, controllerPool, seldonReason, this.props.kafka === true)
      : kserveReleases(context, controllerPool);

    // Only registry models need MLflow (and only then is it a dependency whose outputs may be read).
    // Only registry models need MLflow (and only then is it a dependency whose outputs may be read).
    const mlflowTrackingUri = this.dependsOn.includes("mlflow")
      ? context.outputsOf<{ trackingUri: string }>("mlflow").trackingUri
      : undefined;
    // The built-in access wiring, unless the caller wires the pods itself (podExtras).
    const access = this.props.podExtras ? {} : this.access(context, namespace, seldon);
    const plans: ServingTrafficPlan[] = [];
    if (seldon) context.manifest("ConfigMap-seldon-agent", seldonAgentConfigMap(context.platform.region));
    if (!seldon) {
      context.manifest("EnvoyProxy", envoyProxy({ replicas: 2, nodePool: controllerPool }));
      context.manifest("GatewayClass", gatewayClass());
      context.manifest("Gateway", gateway());
    }
    for (const [name, d] of Object.entries(config.deployments)) {
      const plan = trafficPlan(name, d);
      plans.push(plan);
      const image = this.image(name, d, context);
      const pool = this.props.pools[d.nodePool];
      if (!pool) {
        throw new Error(
          `addons.serving.deployments.${name}.nodePool: got ${JSON.stringify(d.nodePool)}; expected one of the platform's pools (${Object.keys(this.props.pools).join(", ") || "none"})`,
        );
      }
      const extras = this.props.podExtras?.(name, context) ?? access;
      const workloads = plan.candidate ? [plan.stable, plan.candidate] : [plan.stable];
      for (const workload of workloads) {
        const region = context.platform.region;
        const o = { plan, workload, deployment: d, image, pool, region, mlflowTrackingUri, extras };
        const id = `${name}-${workload.track}`;
        if (seldon) {
          context.manifest(`ServerConfig-${id}`, seldonServerConfig(o));
          context.manifest(`Server-${id}`, seldonServer(plan, workload));
          context.manifest(`Model-${id}`, seldonModel(plan, workload));
        } else {
          context.manifest(`InferenceService-${id}`, inferenceService(o));
        }
        context.manifest(`PodDisruptionBudget-${id}`, podDisruptionBudget(plan, workload));
      }
      if (seldon) {
        const experiment = seldonExperiment(plan);
        if (experiment) context.manifest(`Experiment-${name}`, experiment);
      } else {
        context.manifest(`HTTPRoute-${name}`, httpRoute(plan));
      }
      if (context.has("monitoring")) {
        context.manifest(
          `PodMonitor-${name}`,
          servingPodMonitor({
            deployment: name,
            namespace: SERVING_NAMESPACE,
            port: seldon ? SELDON_PORTS.serverHttp : INFERENCE_HTTP_PORT,
            // The candidate's pods are labelled `candidate`; their series say what it is now.
            ...(plan.candidateRole ? { candidate: plan.candidateRole } : {}),
          }),
        );
      }
    }
    return {
      engine: config.engine,
      namespace,
      plans,
      endpoint: SERVING_ENDPOINTS[config.engine],
      metrics: {
        labelKey: DEPLOYMENT_LABEL,
        port: INFERENCE_HTTP_PORT,
        path: METRICS_PATH,
      },
      releases,
    };
  }

  /**
   * The model servers' access to the platform (constructs/addons/serving/access): one role for their service
   * account reading only the models zone prefixes they serve from, the Kafka wiring (on Strimzi the
   * KafkaUser's credentials delivered by External Secrets), and their NetworkPolicies.
   */
  private access(context: AddOnContext, namespace: PlatformNamespace, seldon: boolean): ServingPodExtras {
    if (!context.dataLake?.buckets.models) return {};
    const deployments = Object.values(this.props.config.deployments);
    const prefixes = new Set<string>();
    for (const d of deployments) {
      const m = d.model;
      if (m?.registeredModel) prefixes.add(`${MLFLOW_ARTIFACT_PREFIX.replace(/\/$/, "")}/`);
      for (const uri of [m?.uri, d.traffic.canary?.uri, d.traffic.shadow?.uri]) {
        const key = uri ? /^s3:\/\/[^/]+\/?(.*)$/.exec(uri)?.[1] : undefined;
        if (key) prefixes.add(`${key.replace(/\/$/, "")}/`);
      }
    }
    if (prefixes.size === 0) return {};
    const kafka = this.dependsOn.includes("kafka") ? context.outputsOf<KafkaOutputs>("kafka") : undefined;
    const wiring = servingAccess(context, {
      namespace,
      // Every deployment's pods carry the deployment label, and no other pod does.
      pods: { labelKeys: [DEPLOYMENT_LABEL] },
      modelPrefixes: [...prefixes],
      inferencePorts: seldon
        ? [SELDON_PORTS.serverHttp, SELDON_PORTS.agentHttp, SELDON_PORTS.agentGrpc]
        : [INFERENCE_HTTP_PORT],
      // Seldon: the service on the server port and the agent's own metrics.
      metricsPorts: seldon ? [SELDON_PORTS.serverHttp, SELDON_PORTS.agentMetrics] : [INFERENCE_HTTP_PORT],
      // KServe: the Envoy proxies of the serving Gateway; Seldon: its envoy runs in the serving namespace.
      ingressFrom: seldon ? [] : [{ namespace: ENVOY_GATEWAY_NAMESPACE }],
      kafka,
      mlflow: this.dependsOn.includes("mlflow"),
      path: "addons.serving",
    });
    return {
      serviceAccountName: wiring.serviceAccountName,
      env: wiring.env,
      volumes: wiring.volumes,
      volumeMounts: wiring.volumeMounts,
      fsGroup: wiring.fsGroup,
    };
  }

  /** A deployment's image: its own, else the section's; the repository defaults to the foundation's ECR one. */
  private image(name: string, d: ServingDeploymentConfig, context: AddOnContext): ResolvedImage {
    const image = d.image ?? this.props.config.image;
    const repository =
      image?.repository ?? context.platform.containerRepositories?.[REFERENCE_IMAGE_REPOSITORY];
    if (!image || !repository) {
      throw new Error(
        `addons.serving.deployments.${name}.image: got ${JSON.stringify(image ?? null)}; expected { repository, digest } (without repository, the foundation's ECR repository ${JSON.stringify(REFERENCE_IMAGE_REPOSITORY)}, registry.repositories)`,
      );
    }
    return { ...image, repository };
  }
}

/** The serving add-on (id `serving`) from its section and the pools it may use. */
export function servingAddOn(
  config: ServingConfigInput | ServingConfig,
  pools: Readonly<Record<string, ServingNodePool>>,
  options: Omit<ServingAddOnProps, "config" | "pools"> = {},
): AddOn<ServingOutputs> {
  return new ServingAddOn({ ...options, config: parseServingConfig(config), pools });
}
