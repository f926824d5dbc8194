import { nodePoolSelector } from "../../core/node-placement";
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from "../../core/pod-security";
import type { MetricsServerConfig } from "./config";
import { METRICS_SERVER_POD_LABELS, METRICS_SERVER_PORT } from "./names";

export interface MetricsServerValuesProps {
  readonly config: MetricsServerConfig;
  /** Whether the monitoring add-on runs: `/metrics` is then served without a token, for Prometheus. */
  readonly monitoring: boolean;
}

/**
 * The metrics-server chart values the kit sets (chart 3.13.1; every key is checked against its values.yaml).
 * High availability as the project documents it: two replicas on different nodes, a PodDisruptionBudget, and
 * a rolling update that never needs a third node.
 */
export function metricsServerValues(p: MetricsServerValuesProps): Record<string, unknown> {
  const c = p.config;
  const ha = c.replicas > 1;
  return {
    replicas: c.replicas,
    // The chart's defaults, written out so an upgrade cannot change them silently. EKS registers nodes with
    // their ENI's private address as InternalIP (reachable from pods, and in the kubelet's serving
    // certificate); Hostname is the last resort.
    defaultArgs: [
      "--cert-dir=/tmp",
      "--kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname",
      "--kubelet-use-node-status-port",
      "--metric-resolution=15s",
    ],
    containerPort: METRICS_SERVER_PORT,
    priorityClassName: "system-cluster-critical",
    podSecurityContext: restrictedPodSecurityContext(),
    securityContext: restrictedContainerSecurityContext({ runAsUser: 1000 }),
    resources: {
      requests: { cpu: c.resources.cpuRequest, memory: c.resources.memoryRequest },
      limits: { memory: c.resources.memoryLimit },
    },
    nodeSelector: nodePoolSelector(c.nodePool),
    // A system pool tainted CriticalAddonsOnly (EKS's convention) still runs it.
    tolerations: [{ key: "CriticalAddonsOnly", operator: "Exists" }],
    podDisruptionBudget: ha ? { enabled: true, minAvailable: 1 } : { enabled: false },
    affinity: ha
      ? {
          podAntiAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: [
              {
                labelSelector: { matchLabels: { ...METRICS_SERVER_POD_LABELS } },
                topologyKey: "kubernetes.io/hostname",
              },
            ],
          },
        }
      : {},
    topologySpreadConstraints: ha
      ? [
          {
            maxSkew: 1,
            topologyKey: "topology.kubernetes.io/zone",
            whenUnsatisfiable: "ScheduleAnyway",
            labelSelector: { matchLabels: { ...METRICS_SERVER_POD_LABELS } },
          },
        ]
      : [],
    // Replace one pod at a time without a surge pod: with one replica per node, a surge pod would wait for a
    // node the pool may not have.
    updateStrategy: ha ? { type: "RollingUpdate", rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } } : {},
    // `metrics.enabled` serves /metrics without a token (--authorization-always-allow-paths); the kit's
    // PodMonitor scrapes it. The chart's ServiceMonitor stays off: its CRD may not exist when this installs.
    metrics: { enabled: p.monitoring },
    serviceMonitor: { enabled: false },
  };
}
