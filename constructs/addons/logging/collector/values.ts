import type { CollectorConfig } from "./config";
import { ECS_RECORD_LUA, ECS_RECORD_SCRIPT } from "./ecs-record";
import {
  type CollectorOutput,
  filterSections,
  inputSections,
  outputSections,
  renderSections,
  serviceSection,
} from "./fluent-bit-config";
import { COLLECTOR_ENV, COLLECTOR_METRICS_PORT, COLLECTOR_PATHS, COLLECTOR_SERVICE_ACCOUNT } from "./names";

export interface CollectorValuesInput {
  readonly config: CollectorConfig;
  readonly output: CollectorOutput;
  readonly releaseName: string;
  /** Whether the monitoring add-on runs (a ServiceMonitor for port 2020). */
  readonly monitoring: boolean;
}

/**
 * Why the collector runs as root: the kubelet writes container logs as root with mode 0640 and the tail
 * database and buffer live in a root-owned host directory. Every capability is dropped, so uid 0 has no more
 * than its own files' permissions; the root filesystem is read-only and /var/log is mounted read-only.
 */
const ROOT = 0;

/** Pod-level security context: the runtime's seccomp profile, uid 0 (see ROOT). */
export function collectorPodSecurityContext() {
  return {
    runAsUser: ROOT,
    runAsGroup: ROOT,
    runAsNonRoot: false,
    seccompProfile: { type: "RuntimeDefault" },
  };
}

/** Container-level: not privileged, no escalation, no capability at all, read-only root filesystem. */
export function collectorContainerSecurityContext() {
  return {
    privileged: false,
    allowPrivilegeEscalation: false,
    capabilities: { drop: ["ALL"] },
    readOnlyRootFilesystem: true,
    runAsUser: ROOT,
    runAsGroup: ROOT,
    runAsNonRoot: false,
    seccompProfile: { type: "RuntimeDefault" },
  };
}

function volumes(output: CollectorOutput) {
  const list: Record<string, unknown>[] = [
    { name: "varlog", hostPath: { path: COLLECTOR_PATHS.hostLogs, type: "Directory" } },
    { name: "state", hostPath: { path: COLLECTOR_PATHS.hostState, type: "DirectoryOrCreate" } },
  ];
  const mounts: Record<string, unknown>[] = [
    { name: "varlog", mountPath: COLLECTOR_PATHS.hostLogs, readOnly: true },
    { name: "state", mountPath: COLLECTOR_PATHS.hostState, readOnly: false },
  ];
  if (output.kind === "elasticsearch") {
    list.push({
      name: "backend-ca",
      secret: { secretName: output.caSecretName, items: [{ key: output.caKey ?? "ca.crt", path: "ca.crt" }] },
    });
    mounts.push({ name: "backend-ca", mountPath: COLLECTOR_PATHS.tls, readOnly: true });
  }
  return { list, mounts };
}

function environment(output: CollectorOutput) {
  if (output.kind !== "elasticsearch") return [];
  const ref = (key: string) => ({ secretKeyRef: { name: output.credentialsSecretName, key } });
  return [
    { name: COLLECTOR_ENV.username, valueFrom: ref(output.usernameKey ?? "username") },
    { name: COLLECTOR_ENV.password, valueFrom: ref(output.passwordKey ?? "password") },
  ];
}

/**
 * Values of the fluent-bit chart (every key exists in its reference values.yaml; a test checks it). RBAC is the
 * construct's own (pods and namespaces, read only), so the chart's is off.
 */
export function collectorChartValues(input: CollectorValuesInput): Record<string, unknown> {
  const { config, output } = input;
  const { list, mounts } = volumes(output);
  const r = config.resources;
  return {
    kind: "DaemonSet",
    fullnameOverride: input.releaseName,
    testFramework: { enabled: false },
    serviceAccount: {
      create: true,
      name: COLLECTOR_SERVICE_ACCOUNT,
      annotations:
        output.kind === "opensearch-service" ? { "eks.amazonaws.com/role-arn": output.roleArn } : {},
    },
    rbac: { create: false },
    podSecurityContext: collectorPodSecurityContext(),
    securityContext: collectorContainerSecurityContext(),
    resources: {
      requests: { cpu: r.cpuRequest, memory: r.memoryRequest },
      limits: { memory: r.memoryLimit },
    },
    // Every node, whatever its taints (GPU pools, CriticalAddonsOnly): a log collector that skips a node
    // loses that node's logs. system-node-critical keeps it from being evicted before the workloads it serves.
    tolerations: [{ operator: "Exists" }],
    priorityClassName: "system-node-critical",
    metricsPort: COLLECTOR_METRICS_PORT,
    serviceMonitor: { enabled: input.monitoring },
    env: environment(output),
    daemonSetVolumes: list,
    daemonSetVolumeMounts: mounts,
    luaScripts: { [ECS_RECORD_SCRIPT]: ECS_RECORD_LUA },
    config: {
      service: renderSections([serviceSection(config)]),
      inputs: renderSections(inputSections(config)),
      filters: renderSections(filterSections()),
      outputs: renderSections(outputSections(config, output)),
    },
  };
}
