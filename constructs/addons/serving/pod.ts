import { KUBERNETES_TAINT_EFFECTS, type NodeTaint, poolNodeTaints } from "../../cluster/node-pool-options";
import { nodePoolSelector } from "../../core/node-placement";
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from "../../core/pod-security";
import type { ServingDeploymentConfig } from "./config";
import {
  DEPLOYMENT_LABEL,
  INFERENCE_HTTP_PORT,
  INFERENCE_PORT_NAME,
  LIVENESS_PATH,
  READINESS_PATH,
  TRACK_LABEL,
} from "./names";
import { imageReference, type ResolvedImage, type ServingTrafficPlan, type ServingWorkload } from "./traffic";

/**
 * The reference service's container and pod, the same in every engine: how it is configured (env), where it
 * listens, how Kubernetes probes it, how it is secured and placed. The engines wrap these in their own objects
 * (KServe's predictor, Seldon's ServerConfig); the access add-on's role, Kafka credentials and volumes arrive
 * through `ServingPodExtras`, so wiring them in touches no engine.
 */

export type EnvVar = {
  readonly name: string;
  readonly value?: string;
  readonly valueFrom?: Record<string, unknown>;
};

/** What other parts of the platform add to every model server pod (service account, credentials, volumes). */
export interface ServingPodExtras {
  /** Service account with the IRSA / Pod Identity role. @default - the namespace's default account */
  readonly serviceAccountName?: string;
  /** Extra environment, after the kit's own (a later entry with the same name wins in Kubernetes). @default [] */
  readonly env?: readonly EnvVar[];
  /** Pod securityContext.fsGroup (owner group of mounted credential files). @default 1000 */
  readonly fsGroup?: number;
  /** Extra pod volumes (e.g. the Kafka client certificates Secret). @default [] */
  readonly volumes?: readonly object[];
  /** Their mounts in the server container. @default [] */
  readonly volumeMounts?: readonly object[];
}

/** The pool a deployment runs on, as the platform creates it. */
export interface ServingNodePool {
  readonly name: string;
  readonly gpu: boolean;
  readonly taints?: readonly NodeTaint[];
}

/** One workload of a deployment with everything its pod is built from, as both engines take it. */
export interface ServingWorkloadOptions {
  readonly plan: ServingTrafficPlan;
  readonly workload: ServingWorkload;
  readonly deployment: ServingDeploymentConfig;
  readonly image: ResolvedImage;
  readonly pool: ServingNodePool;
  readonly region: string;
  /** MLflow's in-cluster URL, for registry models. @default - none */
  readonly mlflowTrackingUri?: string;
  readonly extras?: ServingPodExtras;
}

export interface InferenceContainerOptions extends ServingWorkloadOptions {
  /** Port the service listens on. @default INFERENCE_HTTP_PORT */
  readonly port?: number;
  /** The port's name (unique in the pod; Seldon's agent has its own `http`). @default INFERENCE_PORT_NAME */
  readonly portName?: string;
  /**
   * Seldon: the agent decides what the service loads (MODEL_CONTROL=explicit from the agent's directory), so
   * the pod names no model source of its own. @default false
   */
  readonly agentLoadsModels?: boolean;
  /** Extra env of the engine (e.g. Seldon's model repository) before the extras. @default [] */
  readonly engineEnv?: readonly EnvVar[];
}

// The service keeps answering (with Connection: close) this long after SIGTERM, so the gateway and endpoints
// stop sending before the listener closes; longer than the readiness period below.
const SHUTDOWN_DELAY_MS = 5000;
const SHUTDOWN_GRACE_MS = 20_000;
/** Pod grace: the delay and the grace above, plus margin. */
export const TERMINATION_GRACE_SECONDS = 30;

/** Where the service writes (downloaded models, Node's temp files): the root filesystem is read-only. */
export const TMP_VOLUME = { name: "tmp", emptyDir: { sizeLimit: "2Gi" } } as const;

/** The service's environment for one workload (names from service/src/config.ts and service/README.md). */
export function inferenceEnv(o: InferenceContainerOptions): EnvVar[] {
  const env: EnvVar[] = [
    { name: "HOST", value: "0.0.0.0" },
    { name: "PORT", value: String(o.port ?? INFERENCE_HTTP_PORT) },
    ...(o.agentLoadsModels
      ? [{ name: "MODEL_CONTROL", value: "explicit" }]
      : [{ name: "MODEL_SOURCES", value: `${o.plan.servedName}=${o.workload.modelSource}` }]),
    { name: "SHUTDOWN_DELAY_MS", value: String(SHUTDOWN_DELAY_MS) },
    { name: "SHUTDOWN_GRACE_MS", value: String(SHUTDOWN_GRACE_MS) },
    // The S3 client of s3:// and MLflow-on-S3 sources; credentials come from the pod's role (IRSA / Pod Identity).
    { name: "AWS_REGION", value: o.region },
  ];
  if (!o.agentLoadsModels && o.workload.modelSource.startsWith("models:/")) {
    env.push({ name: "MLFLOW_TRACKING_URI", value: o.mlflowTrackingUri ?? "" });
  }
  return [...env, ...(o.engineEnv ?? []), ...(o.extras?.env ?? [])];
}

/** The server container: image by digest, env, port, the three probes, resources, restricted security context. */
export function inferenceContainer(name: string, o: InferenceContainerOptions): Record<string, unknown> {
  const r = o.deployment.resources;
  const gpu = o.pool.gpu ? { "nvidia.com/gpu": "1" } : {};
  const portName = o.portName ?? INFERENCE_PORT_NAME;
  const httpProbe = (path: string, extra: Record<string, number>) => ({
    httpGet: { path, port: portName },
    ...extra,
  });
  return {
    name,
    image: imageReference(o.image),
    imagePullPolicy: "IfNotPresent",
    env: inferenceEnv(o),
    ports: [{ name: portName, containerPort: o.port ?? INFERENCE_HTTP_PORT, protocol: "TCP" }],
    // Ready when every model loaded (503 while loading or draining); live as long as the event loop answers.
    readinessProbe: httpProbe(READINESS_PATH, { periodSeconds: 5, timeoutSeconds: 2, failureThreshold: 2 }),
    livenessProbe: httpProbe(LIVENESS_PATH, { periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 3 }),
    // A model download from MLflow or S3 may take minutes: liveness waits until the first readiness (5 min).
    startupProbe: httpProbe(READINESS_PATH, { periodSeconds: 10, timeoutSeconds: 2, failureThreshold: 30 }),
    resources: {
      requests: { cpu: r.cpuRequest, memory: r.memoryRequest, ...gpu },
      limits: { memory: r.memoryLimit, ...gpu },
    },
    securityContext: restrictedContainerSecurityContext({ runAsUser: 1000, runAsGroup: 1000 }),
    volumeMounts: [{ name: TMP_VOLUME.name, mountPath: "/tmp" }, ...(o.extras?.volumeMounts ?? [])],
  };
}

/** Labels of one workload's pods (the selector of its PDB and spread; the monitor reads name and track). */
export function workloadLabels(plan: ServingTrafficPlan, workload: ServingWorkload): Record<string, string> {
  return { [DEPLOYMENT_LABEL]: plan.deployment, [TRACK_LABEL]: workload.track };
}

/** Tolerations of the pool's taints (a GPU pool's nvidia.com/gpu taint included). */
export function poolTolerations(pool: ServingNodePool): Record<string, string>[] {
  return poolNodeTaints(pool.gpu, pool.taints ?? []).map((t) => ({
    key: t.key,
    operator: t.value === undefined ? "Exists" : "Equal",
    ...(t.value === undefined ? {} : { value: t.value }),
    effect: KUBERNETES_TAINT_EFFECTS[t.effect],
  }));
}

/**
 * Pod-level fields every engine's pod gets: restricted pod security context, the pool's selector and
 * tolerations, replicas spread over zones and nodes, the /tmp volume and the extras' volumes.
 */
export function inferencePodFields(
  plan: ServingTrafficPlan,
  workload: ServingWorkload,
  pool: ServingNodePool,
  extras: ServingPodExtras = {},
): Record<string, unknown> {
  const labels = workloadLabels(plan, workload);
  const tolerations = poolTolerations(pool);
  const spread = (topologyKey: string) => ({
    maxSkew: 1,
    topologyKey,
    // ScheduleAnyway: a zone without free capacity must not stop a scale-up during an incident.
    whenUnsatisfiable: "ScheduleAnyway",
    labelSelector: { matchLabels: labels },
  });
  return {
    ...(extras.serviceAccountName ? { serviceAccountName: extras.serviceAccountName } : {}),
    securityContext: restrictedPodSecurityContext({
      runAsUser: 1000,
      runAsGroup: 1000,
      fsGroup: extras.fsGroup ?? 1000,
    }),
    nodeSelector: nodePoolSelector(pool.name),
    ...(tolerations.length > 0 ? { tolerations } : {}),
    topologySpreadConstraints: [spread("topology.kubernetes.io/zone"), spread("kubernetes.io/hostname")],
    terminationGracePeriodSeconds: TERMINATION_GRACE_SECONDS,
    volumes: [TMP_VOLUME, ...(extras.volumes ?? [])],
  };
}
