import { restrictedContainerSecurityContext } from "../../core/pod-security";
import { DEPLOYMENT_LABEL, SELDON_SERVER_CONTAINER_NAME, SERVING_NAMESPACE } from "./names";
import { inferenceContainer, inferencePodFields, type ServingWorkloadOptions, workloadLabels } from "./pod";
import { seldonRcloneS3Config, seldonStorageUri } from "./seldon-models";
import type { ServingTrafficPlan, ServingWorkload } from "./traffic";

/**
 * The Seldon Core 2 engine's objects. A Seldon server pod is the model server plus Seldon's agent (which
 * registers the server with the scheduler, fetches model artifacts through the rclone sidecar into a shared
 * volume, drives the server through the Open Inference Protocol's model repository extension, and proxies
 * inference to it) and rclone. The kit describes that pod once, as a ServerConfig whose server container is the
 * reference service, runs one Server per version, pins each version's Model to its Server, and splits or mirrors
 * live traffic with an Experiment on the stable Model's name.
 */

/** The ServerConfig the kit adds beside Seldon's own (mlserver, triton). */
export const SELDON_SERVER_CONFIG = "inference-service";
/** Capability the Models require, so the scheduler places them only on the reference service's Servers. */
export const SELDON_CAPABILITY = "inference-service";

/** Ports inside the Seldon server pod (Seldon's convention: server 9000/9500, agent proxy 9001/9501). */
export const SELDON_PORTS = {
  serverHttp: 9000,
  serverGrpc: 9500,
  agentHttp: 9001,
  agentGrpc: 9501,
  agentMetrics: 9006,
  rclone: 5572,
  scheduler: 9005,
} as const;

/** Seldon's agent and rclone images, the release the charts pin (CHARTS.seldonCoreV2*). */
export const SELDON_IMAGES = {
  agent: "docker.io/seldonio/seldon-agent:2.10.2",
  rclone: "docker.io/seldonio/seldon-rclone:2.10.2",
} as const;

const MODELS_VOLUME = "models";
const MODELS_DIR = "/mnt/agent";
/**
 * The agents' configuration (agent.yaml), mounted at the agent's /mnt/config instead of the runtime's
 * `seldon-agent` map: that one names the Secret `seldon-rclone-gs-public` (`config_secrets`), which the agent
 * reads through the Kubernetes API, and these pods mount no API token, so loading it would fail the agent.
 */
export const SELDON_AGENT_CONFIG_MAP = `${SELDON_SERVER_CONFIG}-agent`;

const sidecarSecurity = () => restrictedContainerSecurityContext({ runAsUser: 1000, runAsGroup: 1000 });

/** The agent and rclone sidecars, as Seldon's own ServerConfigs define them (ports, env, shared volume). */
function sidecars(serverContainer: string, region: string): Record<string, unknown>[] {
  const mount = [{ name: MODELS_VOLUME, mountPath: MODELS_DIR }];
  const env = (vars: Record<string, string>) =>
    Object.entries(vars).map(([name, value]) => ({ name, value }));
  return [
    {
      name: "rclone",
      image: SELDON_IMAGES.rclone,
      ports: [{ name: "rclone", containerPort: SELDON_PORTS.rclone, protocol: "TCP" }],
      readinessProbe: { tcpSocket: { port: SELDON_PORTS.rclone }, periodSeconds: 5 },
      // s3:// storage URIs through rclone's S3 backend with the pod's role (the AWS SDK chain: Pod Identity).
      env: env({
        RCLONE_CONFIG_S3_TYPE: "s3",
        RCLONE_CONFIG_S3_PROVIDER: "AWS",
        RCLONE_CONFIG_S3_ENV_AUTH: "true",
        RCLONE_CONFIG_S3_REGION: region,
      }),
      resources: { requests: { cpu: "50m", memory: "128Mi" }, limits: { memory: "256Mi" } },
      securityContext: sidecarSecurity(),
      volumeMounts: [...mount, { name: "tmp", mountPath: "/tmp" }],
    },
    {
      name: "agent",
      image: SELDON_IMAGES.agent,
      env: [
        ...env({
          SELDON_SERVER_CAPABILITIES: `${SELDON_CAPABILITY},onnx`,
          SELDON_OVERCOMMIT_PERCENTAGE: "10",
          SELDON_SERVER_HTTP_PORT: String(SELDON_PORTS.serverHttp),
          SELDON_SERVER_GRPC_PORT: String(SELDON_PORTS.serverGrpc),
          SELDON_REVERSE_PROXY_HTTP_PORT: String(SELDON_PORTS.agentHttp),
          SELDON_REVERSE_PROXY_GRPC_PORT: String(SELDON_PORTS.agentGrpc),
          SELDON_SCHEDULER_HOST: "seldon-scheduler",
          SELDON_SCHEDULER_PORT: String(SELDON_PORTS.scheduler),
          SELDON_METRICS_PORT: String(SELDON_PORTS.agentMetrics),
          // The triton handler lays a model out as <name>_<n>/<n>/model.onnx, the service's layout; the mlserver
          // one refuses an artifact without model-settings.json.
          SELDON_SERVER_TYPE: "triton",
        }),
        { name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
        {
          name: "MEMORY_REQUEST",
          valueFrom: { resourceFieldRef: { containerName: serverContainer, resource: "requests.memory" } },
        },
      ],
      ports: [
        { name: "grpc", containerPort: SELDON_PORTS.agentGrpc, protocol: "TCP" },
        { name: "http", containerPort: SELDON_PORTS.agentHttp, protocol: "TCP" },
        { name: "metrics", containerPort: SELDON_PORTS.agentMetrics, protocol: "TCP" },
      ],
      resources: { requests: { cpu: "200m", memory: "256Mi" }, limits: { memory: "1Gi" } },
      securityContext: sidecarSecurity(),
      volumeMounts: [
        ...mount,
        { name: "tmp", mountPath: "/tmp" },
        { name: "config-volume", mountPath: "/mnt/config" },
      ],
    },
  ];
}

/**
 * The reference service as a Seldon server: its container listens on Seldon's server port and reads the
 * agent's model directory; pod fields (security, placement, spread) as on KServe. One per workload, since
 * each version's Server carries its own model source.
 */
export function seldonServerConfig(o: ServingWorkloadOptions): Record<string, unknown> {
  // The service as Seldon's agent drives it (service/README.md, "Running under Seldon Core v2"): an empty
  // repository at start, models loaded by versioned name from the agent's directory over the gRPC control plane.
  const base = inferenceContainer(SELDON_SERVER_CONTAINER_NAME, {
    ...o,
    port: SELDON_PORTS.serverHttp,
    portName: "server-http",
    agentLoadsModels: true,
    engineEnv: [
      { name: "GRPC_PORT", value: String(SELDON_PORTS.serverGrpc) },
      { name: "MODEL_REPOSITORY", value: `${MODELS_DIR}/models` },
    ],
  });
  const server: Record<string, unknown> = {
    ...base,
    ports: [
      ...(base.ports as Record<string, unknown>[]),
      { name: "server-grpc", containerPort: SELDON_PORTS.serverGrpc, protocol: "TCP" },
    ],
  };
  const mounts = (server.volumeMounts as Record<string, unknown>[]) ?? [];
  const pod = inferencePodFields(o.plan, o.workload, o.pool, o.extras);
  return {
    apiVersion: "mlops.seldon.io/v1alpha1",
    kind: "ServerConfig",
    metadata: { name: `${SELDON_SERVER_CONFIG}-${o.workload.name}`, namespace: SERVING_NAMESPACE },
    spec: {
      podSpec: {
        ...pod,
        volumes: [
          ...((pod.volumes as Record<string, unknown>[]) ?? []),
          { name: "config-volume", configMap: { name: SELDON_AGENT_CONFIG_MAP } },
        ],
        containers: [
          ...sidecars(SELDON_SERVER_CONTAINER_NAME, o.region),
          {
            ...server,
            volumeMounts: [...mounts, { name: MODELS_VOLUME, mountPath: MODELS_DIR, readOnly: true }],
          },
        ],
      },
      volumeClaimTemplates: [
        {
          name: MODELS_VOLUME,
          spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "2Gi" } } },
        },
      ],
    },
  };
}

/**
 * The agents' agent.yaml: no Secret to read, one raw rclone remote `s3` (the remote `s3://` storage URIs name)
 * authenticating from the environment, i.e. the pod's IRSA / Pod Identity role; never keys. Without an API token
 * the agent reads this file and watches it (it watches the ConfigMap only when it knows its namespace).
 */
export function seldonAgentConfigMap(region: string): Record<string, unknown> {
  const agentYaml = { rclone: { config: [JSON.stringify(seldonRcloneS3Config(region))] } };
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: SELDON_AGENT_CONFIG_MAP, namespace: SERVING_NAMESPACE },
    data: { "agent.yaml": JSON.stringify(agentYaml) },
  };
}

/** A Server running one workload (stable or candidate) on its ServerConfig, with its replica bounds. */
export function seldonServer(plan: ServingTrafficPlan, workload: ServingWorkload): Record<string, unknown> {
  return {
    apiVersion: "mlops.seldon.io/v1alpha1",
    kind: "Server",
    metadata: { name: workload.name, namespace: SERVING_NAMESPACE, labels: workloadLabels(plan, workload) },
    spec: {
      serverConfig: `${SELDON_SERVER_CONFIG}-${workload.name}`,
      replicas: workload.minReplicas,
      minReplicas: workload.minReplicas,
      maxReplicas: workload.maxReplicas,
      extraCapabilities: [SELDON_CAPABILITY],
    },
  };
}

/** The Model of one workload, pinned to its Server. The stable Model carries the name clients use. */
export function seldonModel(plan: ServingTrafficPlan, workload: ServingWorkload): Record<string, unknown> {
  return {
    apiVersion: "mlops.seldon.io/v1alpha1",
    kind: "Model",
    metadata: {
      name: workload.track === "stable" ? plan.servedName : `${plan.servedName}-${"candidate"}`,
      namespace: SERVING_NAMESPACE,
      labels: workloadLabels(plan, workload),
    },
    spec: {
      storageUri: seldonStorageUri(plan.deployment, workload.modelSource),
      requirements: [SELDON_CAPABILITY],
      server: workload.name,
      minReplicas: workload.minReplicas,
      maxReplicas: workload.maxReplicas,
    },
  };
}

/**
 * The Experiment on the stable Model's name (its `default`): canary splits by candidate weights, shadow sends
 * everything to the stable Model and mirrors to the candidate, promote sends everything to the candidate. No
 * Experiment in the stable and rolled-back phases: the stable Model answers alone.
 */
export function seldonExperiment(plan: ServingTrafficPlan): Record<string, unknown> | undefined {
  if (!plan.candidate || plan.phase === "rolledBack" || plan.phase === "stable") return undefined;
  const stable = plan.servedName;
  const candidate = `${plan.servedName}-candidate`;
  const candidates =
    plan.phase === "promoted"
      ? [{ name: candidate, weight: 100 }]
      : plan.phase === "shadow"
        ? [{ name: stable, weight: 100 }]
        : [
            { name: stable, weight: plan.weights.stable },
            { name: candidate, weight: plan.weights.candidate },
          ];
  return {
    apiVersion: "mlops.seldon.io/v1alpha1",
    kind: "Experiment",
    metadata: {
      name: plan.deployment,
      namespace: SERVING_NAMESPACE,
      labels: { [DEPLOYMENT_LABEL]: plan.deployment, "mlops.io/serving-phase": plan.phase },
    },
    spec: {
      default: stable,
      candidates,
      ...(plan.mirror ? { mirror: { name: candidate, percent: 100 } } : {}),
    },
  };
}
