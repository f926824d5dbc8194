import { nodePoolSelector } from "../../core/node-placement";
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from "../../core/pod-security";
import type { ContainerResourceSizes } from "../../primitives";
import type { CertManagerConfig } from "./config";
import {
  CERT_MANAGER_NAMESPACE,
  CERT_MANAGER_WEBHOOK_PORT,
  type CertManagerComponent,
  certManagerPodLabels,
} from "./names";

/** The startup API check is a post-install Job that only asks the API server whether the webhook answers. */
const STARTUP_CHECK_RESOURCES = { requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "64Mi" } };

const requirements = (r: ContainerResourceSizes) => ({
  requests: { cpu: r.cpuRequest, memory: r.memoryRequest },
  limits: { memory: r.memoryLimit },
});

/**
 * Placement, PSS restricted contexts, resources and availability of one of the chart's Deployments; the
 * controller's keys sit at the top of the values, the others under `webhook` and `cainjector`.
 */
function component(c: CertManagerConfig, name: CertManagerComponent, resources: ContainerResourceSizes) {
  const ha = c.replicas > 1;
  return {
    replicaCount: c.replicas,
    podDisruptionBudget: ha ? { enabled: true, minAvailable: 1 } : { enabled: false },
    resources: requirements(resources),
    securityContext: restrictedPodSecurityContext(),
    containerSecurityContext: restrictedContainerSecurityContext(),
    nodeSelector: nodePoolSelector(c.nodePool),
    // A system pool tainted CriticalAddonsOnly (EKS's convention) still runs it.
    tolerations: [{ key: "CriticalAddonsOnly", operator: "Exists" }],
    topologySpreadConstraints: ha
      ? [
          {
            maxSkew: 1,
            topologyKey: "topology.kubernetes.io/zone",
            whenUnsatisfiable: "ScheduleAnyway",
            labelSelector: { matchLabels: certManagerPodLabels(name) },
          },
        ]
      : [],
  };
}

/**
 * The cert-manager chart values the kit sets (every key is one the chart documents; the chart's
 * values.schema.json refuses any other). CRDs are templates of the release (so upgrades update them) and are
 * kept when the release is deleted: deleting them would delete every Certificate and Issuer in the cluster.
 */
export function certManagerValues(c: CertManagerConfig): Record<string, unknown> {
  return {
    crds: { enabled: true, keep: true },
    global: {
      priorityClassName: "system-cluster-critical",
      // Leader election leases in the add-on's own namespace rather than kube-system.
      leaderElection: { namespace: CERT_MANAGER_NAMESPACE },
    },
    ...component(c, "controller", c.resources.controller),
    // Metrics Services and ports for the kit's PodMonitor; the chart's own monitors stay off (their CRD may not
    // exist yet when this release installs).
    prometheus: { enabled: true, servicemonitor: { enabled: false }, podmonitor: { enabled: false } },
    webhook: {
      ...component(c, "webhook", c.resources.webhook),
      securePort: CERT_MANAGER_WEBHOOK_PORT,
      // The kit's NetworkPolicies cover the namespace (the chart's would admit 0.0.0.0/0).
      networkPolicy: { enabled: false },
    },
    cainjector: { enabled: true, ...component(c, "cainjector", c.resources.cainjector) },
    startupapicheck: {
      enabled: true,
      resources: STARTUP_CHECK_RESOURCES,
      securityContext: restrictedPodSecurityContext(),
      containerSecurityContext: restrictedContainerSecurityContext(),
      nodeSelector: nodePoolSelector(c.nodePool),
      tolerations: [{ key: "CriticalAddonsOnly", operator: "Exists" }],
    },
  };
}
