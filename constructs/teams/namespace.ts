import { LimitRangeV1 } from "@cdktf/provider-kubernetes/lib/limit-range-v1";
import type { KubernetesProvider } from "@cdktf/provider-kubernetes/lib/provider";
import { ResourceQuotaV1 } from "@cdktf/provider-kubernetes/lib/resource-quota-v1";
import { ServiceAccountV1 } from "@cdktf/provider-kubernetes/lib/service-account-v1";
import { Construct } from "constructs";
import { PlatformNamespace } from "../core/platform-namespace";
import { CPU_QUANTITY } from "../primitives";
import { teamLabels, teamNamespace, teamServiceAccount } from "./naming";

/** ResourceQuota hard limits of one team namespace (the config's `teams.<name>.quota`). */
export interface TeamQuota {
  /** `requests.cpu`; `limits.cpu` is twice this (bursting allowed, not unbounded). */
  readonly cpu: string;
  /** `requests.memory` and `limits.memory` (memory is not compressible: no overcommit). */
  readonly memory: string;
  /** `requests.nvidia.com/gpu`; 0 forbids GPUs. */
  readonly gpus: number;
  /** `requests.storage` across the namespace's claims. */
  readonly storage: string;
  readonly persistentVolumeClaims: number;
  readonly pods: number;
}

/** Container defaults of the LimitRange, for containers that state no requests or limits. */
export const TEAM_CONTAINER_DEFAULTS = {
  defaultRequest: { cpu: "100m", memory: "256Mi" },
  default: { cpu: "1", memory: "1Gi" },
} as const;

export interface TeamNamespaceProps {
  readonly team: string;
  readonly environment: string;
  readonly provider: KubernetesProvider;
  readonly quota: TeamQuota;
}

/** `n` CPU as a quantity: whole cores when it is a whole number, millicores otherwise. */
export function scaleCpu(quantity: string, factor: number): string {
  if (!CPU_QUANTITY.test(quantity))
    throw new Error(`got CPU quantity ${JSON.stringify(quantity)}; expected like "500m" or "2"`);
  const milli = quantity.endsWith("m") ? Number(quantity.slice(0, -1)) : Math.round(Number(quantity) * 1000);
  const scaled = milli * factor;
  return scaled % 1000 === 0 ? String(scaled / 1000) : `${scaled}m`;
}

/**
 * One team environment's namespace `team-<name>-<env>`: PSS `restricted` enforced and the default-deny policy
 * (the one namespace helper), a ResourceQuota, a LimitRange so containers without requests still count against
 * it, and the team's workload ServiceAccount `team-<name>`. The namespace does not carry the platform label
 * (`mlops.io/platform`), which platform services admit: a team reaches only what its own policies name.
 */
export class TeamNamespace extends Construct {
  readonly namespace: PlatformNamespace;
  readonly name: string;
  readonly serviceAccount: ServiceAccountV1;
  readonly serviceAccountName: string;
  readonly quota: ResourceQuotaV1;
  readonly limitRange: LimitRangeV1;

  constructor(scope: Construct, id: string, props: TeamNamespaceProps) {
    super(scope, id);
    const labels = teamLabels(props.team, props.environment);
    this.name = teamNamespace(props.team, props.environment);
    this.namespace = new PlatformNamespace(this, "Namespace", {
      name: this.name,
      provider: props.provider,
      labels,
      platformLabel: false,
    });
    const q = props.quota;
    const namespace = this.namespace.resource.metadata.name;
    this.quota = new ResourceQuotaV1(this, "Quota", {
      provider: props.provider,
      metadata: { name: "team-quota", namespace, labels },
      spec: {
        hard: {
          "requests.cpu": q.cpu,
          "limits.cpu": scaleCpu(q.cpu, 2),
          "requests.memory": q.memory,
          "limits.memory": q.memory,
          "requests.nvidia.com/gpu": String(q.gpus),
          "requests.storage": q.storage,
          persistentvolumeclaims: String(q.persistentVolumeClaims),
          pods: String(q.pods),
          // No cloud load balancer or node port from a team: traffic comes in through the platform's gateway.
          "services.loadbalancers": "0",
          "services.nodeports": "0",
        },
      },
    });
    this.limitRange = new LimitRangeV1(this, "LimitRange", {
      provider: props.provider,
      metadata: { name: "team-defaults", namespace, labels },
      spec: {
        limit: [
          {
            type: "Container",
            defaultRequest: { ...TEAM_CONTAINER_DEFAULTS.defaultRequest },
            default: { ...TEAM_CONTAINER_DEFAULTS.default },
          },
        ],
      },
    });
    this.serviceAccountName = teamServiceAccount(props.team);
    this.serviceAccount = new ServiceAccountV1(this, "ServiceAccount", {
      provider: props.provider,
      metadata: { name: this.serviceAccountName, namespace, labels },
      // Workloads get AWS credentials from their role (Pod Identity/IRSA), not from a Kubernetes API token.
      automountServiceAccountToken: false,
    });
  }
}
