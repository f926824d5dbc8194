import type { AddOn, AddOnContext } from "../../core/addon";
import type { AddOnDefinition, AddOnSelection } from "../../core/addon-definition";
import { CHARTS } from "../../core/charts";
import { HelmRelease, type HelmReleaseProps } from "../../core/helm-release";
import { nodePoolProblems } from "../../core/node-placement";
import { PlatformNamespace } from "../../core/platform-namespace";
import { CERT_MANAGER_ADDON_ID, certManagerInstalled } from "../cert-manager/addon";
import type { KafkaOutputs } from "../kafka/addon";
import { MLFLOW_ARTIFACT_PREFIX } from "../mlflow/names";
import { servingPodMonitor } from "../monitoring/serving";
import { servingAccess } from "./access";
import {
  parseServingConfig,
  SERVING_CONFIG,
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
  KSERVE_NAMESPACE,
  METRICS_PATH,
  SELDON_NAMESPACE,
  SERVING_ADDON_ID,
  SERVING_GATEWAY_SERVICE,
  SERVING_NAMESPACE,
} from "./names";
import type { ServingNodePool, ServingPodExtras } from "./pod";
import {
  SELDON_PORTS,
  seldonAgentConfigMap,
  seldonExperiment,
  seldonModel,
  seldonServer,
  seldonServerConfig,
} from "./seldon";
import { seldonKafkaWiring } from "./seldon-kafka";
import {
  REFERENCE_IMAGE_REPOSITORY,
  type ResolvedImage,
  type ServingTrafficPlan,
  trafficPlan,
} from "./traffic";
import { envoyGatewayValues, kserveResourcesValues, seldonRuntimeValues, seldonSetupValues } from "./values";

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

/** One of the engines' releases (a chart of `CHARTS` into a namespace the add-on created). */
function release(context: AddOnContext, id: string, props: Omit<HelmReleaseProps, "provider">): HelmRelease {
  return new HelmRelease(context.scope, id, { provider: context.cluster.helmProvider, ...props });
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
      ? this.seldonReleases(context, namespace, controllerPool, seldonReason)
      : this.kserveReleases(context, controllerPool);

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

  /** KServe's CRDs and controller (RawDeployment), and Envoy Gateway with the Gateway API CRDs. */
  private kserveReleases(context: AddOnContext, controllerPool: string): HelmRelease[] {
    const provider = context.cluster.kubernetesProvider;
    const kserveNs = new PlatformNamespace(context.scope, "KserveNamespace", {
      name: KSERVE_NAMESPACE,
      provider,
    });
    // The controller talks to the API server; the API server calls its admission webhooks (VPC-sourced).
    kserveNs.allowHttpsEgress("ControllerApiServer");
    kserveNs.allowIngress("Webhooks", {
      from: [{ ipBlock: { cidr: context.platform.vpcCidr } }],
      ports: [{ port: "9443", protocol: "TCP" }],
    });
    const crds = release(context, "KserveCrdRelease", {
      chart: CHARTS.kserveCrd,
      namespace: KSERVE_NAMESPACE,
      releaseName: "kserve-crd",
      values: {},
      dependsOn: [kserveNs.resource],
    });
    const kserve = release(context, "KserveRelease", {
      chart: CHARTS.kserveResources,
      namespace: KSERVE_NAMESPACE,
      releaseName: "kserve",
      values: kserveResourcesValues({ controllerPool }),
      dependsOn: [kserveNs.resource, crds],
    });
    const egNs = new PlatformNamespace(context.scope, "EnvoyGatewayNamespace", {
      name: ENVOY_GATEWAY_NAMESPACE,
      provider,
    });
    egNs.allowHttpsEgress("ControllerApiServer");
    // The Envoy proxies take requests from inside the VPC (clients, the ALB) and forward them to the model servers.
    egNs.allowIngress("Clients", { from: [{ ipBlock: { cidr: context.platform.vpcCidr } }] });
    egNs.allowEgress("ModelServers", {
      to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": SERVING_NAMESPACE } } }],
      ports: [{ port: String(INFERENCE_HTTP_PORT), protocol: "TCP" }],
    });
    const envoyGateway = release(context, "EnvoyGatewayRelease", {
      chart: CHARTS.envoyGateway,
      namespace: ENVOY_GATEWAY_NAMESPACE,
      releaseName: "envoy-gateway",
      values: envoyGatewayValues({ controllerPool }),
      dependsOn: [egNs.resource],
    });
    return [crds, kserve, envoyGateway];
  }

  /** Seldon Core 2: CRDs, the operator (setup), and the runtime of the serving namespace. */
  private seldonReleases(
    context: AddOnContext,
    namespace: PlatformNamespace,
    controllerPool: string,
    reason: string,
  ): HelmRelease[] {
    const seldonNs = new PlatformNamespace(context.scope, "SeldonNamespace", {
      name: SELDON_NAMESPACE,
      provider: context.cluster.kubernetesProvider,
      podSecurity: "baseline",
      podSecurityReason: reason,
    });
    seldonNs.allowHttpsEgress("OperatorApiServer");
    // Seldon's dataflow on the platform Kafka (Strimzi; none on MSK IAM, see seldon-kafka.ts).
    const kafka =
      this.props.kafka && context.has("kafka")
        ? seldonKafkaWiring(context, context.outputsOf<KafkaOutputs>("kafka"), namespace)
        : undefined;
    const crds = release(context, "SeldonCrdRelease", {
      chart: CHARTS.seldonCoreV2Crds,
      namespace: SELDON_NAMESPACE,
      releaseName: "seldon-core-v2-crds",
      values: {},
      dependsOn: [seldonNs.resource],
    });
    const setup = release(context, "SeldonSetupRelease", {
      chart: CHARTS.seldonCoreV2Setup,
      namespace: SELDON_NAMESPACE,
      releaseName: "seldon-core-v2-setup",
      values: { ...seldonSetupValues({ controllerPool }), ...kafka?.setupValues },
      dependsOn: [seldonNs.resource, crds],
    });
    const runtime = release(context, "SeldonRuntimeRelease", {
      chart: CHARTS.seldonCoreV2Runtime,
      namespace: SERVING_NAMESPACE,
      releaseName: "seldon-core-v2-runtime",
      values: seldonRuntimeValues({ kafka: kafka !== undefined }),
      dependsOn: [namespace.resource, setup],
    });
    return [crds, setup, runtime];
  }
}

/** The pools a configuration creates, as deployments see them. */
export function servingPools(platform: AddOnSelection): Record<string, ServingNodePool> {
  return Object.fromEntries(
    Object.entries(platform.nodePools)
      .filter(([, p]) => p.create)
      .map(([name, p]) => [name, { name, gpu: p.gpu, taints: p.taints ?? [] }]),
  );
}

/** The serving add-on (id `serving`) from its section and the pools it may use. */
export function servingAddOn(
  config: ServingConfigInput | ServingConfig,
  pools: Readonly<Record<string, ServingNodePool>>,
  options: Omit<ServingAddOnProps, "config" | "pools"> = {},
): AddOn<ServingOutputs> {
  return new ServingAddOn({ ...options, config: parseServingConfig(config), pools });
}

/** Problems of the deployments against the platform: unknown pools, GPU pools for CPU-only images, MLflow off. */
export function servingPlatformProblems(
  config: ServingConfig,
  platform: AddOnSelection,
): { readonly path: readonly (string | number)[]; readonly message: string }[] {
  const key = SERVING_CONFIG.key;
  const out: { path: (string | number)[]; message: string }[] = [];
  for (const [name, d] of Object.entries(config.deployments)) {
    const at = [key, "deployments", name];
    const unknown = nodePoolProblems(`${key}.deployments.${name}`, d.nodePool, platform);
    if (unknown.length > 0) {
      out.push(...unknown.map((p) => ({ path: [...at, "nodePool"], message: p.message })));
      continue;
    }
    const pool = platform.nodePools[d.nodePool];
    const image = d.image ?? config.image;
    if (image && !image.repository && !platform.registry?.repositories[REFERENCE_IMAGE_REPOSITORY]) {
      out.push({
        path: d.image ? [...at, "image", "repository"] : [key, "image", "repository"],
        message: `missing; without it the image comes from the foundation's ECR repository ${JSON.stringify(REFERENCE_IMAGE_REPOSITORY)}, which registry.repositories does not create: add it there, or set the repository`,
      });
    }
    if (pool?.gpu && image && !image.gpu) {
      out.push({
        path: [...at, "nodePool"],
        message: `got ${JSON.stringify(d.nodePool)}, a GPU pool; the image ${image.repository} is CPU only (the reference service runs onnxruntime-node on CPU): choose a CPU pool, or set image.gpu: true for a CUDA build`,
      });
    }
  }
  // The section's image is reported once, however many deployments use it.
  return out.filter((p, i) => out.findIndex((q) => q.path.join(".") === p.path.join(".")) === i);
}

/**
 * KServe without cert-manager: the add-on switched off explicitly and not declared as running outside the kit
 * (`external`). KServe's chart would then fail to install (no Certificate kind) or its webhook would never get
 * a certificate.
 */
export function certManagerProblems(
  config: ServingConfig,
  platform: AddOnSelection,
): { readonly path: readonly (string | number)[]; readonly message: string }[] {
  if (config.engine !== "kserve") return [];
  const section = platform.addons.certManager as { enabled?: boolean; external?: boolean } | undefined;
  if (section?.enabled !== false || section.external === true) return [];
  return [
    {
      path: ["certManager", "enabled"],
      message:
        "got false; addons.serving runs KServe, whose chart issues its webhook certificate through cert-manager: leave enabled unset (or true) to install it, or set addons.certManager.external: true if the cluster already runs cert-manager",
    },
  ];
}

/** The registry entry: `addons.serving` switches it on. */
export const servingDefinition = {
  id: SERVING_ADDON_ID,
  config: SERVING_CONFIG,
  create: (config: ServingConfig, platform?: AddOnSelection) =>
    new ServingAddOn({
      config,
      pools: platform ? servingPools(platform) : {},
      kafka: (platform?.addons.kafka as { enabled?: boolean } | undefined)?.enabled === true,
      certManager: platform ? certManagerInstalled(platform) : false,
    }),
  platformProblems: (config: ServingConfig, platform: AddOnSelection) => [
    ...servingPlatformProblems(config, platform),
    ...certManagerProblems(config, platform),
  ],
  // MLflow is a dependency only of registry models: say which one needs it.
  dependencyProblem: (dependency: string, config: ServingConfig) => {
    const entry = Object.entries(config.deployments).find(([, d]) => d.model?.registeredModel);
    if (dependency !== "mlflow" || !entry) return undefined;
    return {
      path: [SERVING_CONFIG.key, "deployments", entry[0], "model", "registeredModel"],
      message: `got ${JSON.stringify(entry[1].model?.registeredModel)}; registry models are resolved through MLflow: set addons.mlflow.enabled: true, or serve an S3 uri`,
    };
  },
} satisfies AddOnDefinition<typeof SERVING_CONFIG>;
