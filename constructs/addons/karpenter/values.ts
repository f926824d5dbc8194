import { KUBERNETES_TAINT_EFFECTS, NODE_POOL_LABEL, type NodeTaint } from "../../cluster/node-pool-options";
import { restrictedPodSecurityContext } from "../../core/pod-security";
import {
  KARPENTER_HEALTH_PORT,
  KARPENTER_METRICS_PORT,
  KARPENTER_NODEPOOL_LABEL,
  KARPENTER_SERVICE_ACCOUNT,
} from "./names";

export interface KarpenterValuesProps {
  readonly clusterName: string;
  /** IRSA role of the controller (annotated on its service account); omitted under Pod Identity. */
  readonly controllerRoleArn?: string;
  /** SQS queue of Spot interruption, rebalance, scheduled change and instance state events. */
  readonly interruptionQueueName: string;
  /** The managed node groups the controller may run on (never on nodes it launched itself). */
  readonly systemPools: readonly string[];
  /** Taints of those pools, tolerated. @default [] */
  readonly systemPoolTaints?: readonly NodeTaint[];
  /** @default 2 */
  readonly replicas?: number;
}

/** The controller's requests (it holds every pod and node in memory: sized for a few hundred nodes). */
export const KARPENTER_RESOURCES = {
  requests: { cpu: "250m", memory: "512Mi" },
  limits: { memory: "1Gi" },
} as const;

/**
 * The values the kit sets; every key exists in the chart's reference values.yaml (a test checks it). The
 * chart's container securityContext is already restricted (non-root 65532, read-only root, no capabilities);
 * the pod's comes from the kit's restricted profile.
 */
export function karpenterChartValues(p: KarpenterValuesProps): Record<string, unknown> {
  const tolerations = [
    { key: "CriticalAddonsOnly", operator: "Exists" },
    ...(p.systemPoolTaints ?? []).map((t) =>
      t.value === undefined
        ? { key: t.key, operator: "Exists", effect: KUBERNETES_TAINT_EFFECTS[t.effect] }
        : { key: t.key, operator: "Equal", value: t.value, effect: KUBERNETES_TAINT_EFFECTS[t.effect] },
    ),
  ];
  return {
    serviceAccount: {
      create: true,
      name: KARPENTER_SERVICE_ACCOUNT,
      annotations: p.controllerRoleArn ? { "eks.amazonaws.com/role-arn": p.controllerRoleArn } : {},
    },
    replicas: p.replicas ?? 2,
    podDisruptionBudget: { name: "karpenter", maxUnavailable: 1 },
    podSecurityContext: restrictedPodSecurityContext({ fsGroup: 65532 }),
    priorityClassName: "system-cluster-critical",
    // A controller on a node it launched could consolidate that node away from under itself.
    affinity: {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [
            {
              matchExpressions: [
                { key: KARPENTER_NODEPOOL_LABEL, operator: "DoesNotExist" },
                { key: NODE_POOL_LABEL, operator: "In", values: [...p.systemPools] },
              ],
            },
          ],
        },
      },
      podAntiAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: "kubernetes.io/hostname" }],
      },
    },
    tolerations,
    controller: {
      securityContext: { seccompProfile: { type: "RuntimeDefault" } },
      resources: KARPENTER_RESOURCES,
      metrics: { port: KARPENTER_METRICS_PORT },
      healthProbe: { port: KARPENTER_HEALTH_PORT },
    },
    // The kit's PodMonitor replaces the chart's ServiceMonitor (applied after the monitoring CRDs exist).
    serviceMonitor: { enabled: false },
    settings: {
      clusterName: p.clusterName,
      interruptionQueue: p.interruptionQueueName,
      featureGates: { spotToSpotConsolidation: false },
    },
  };
}
