import { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import {
  NetworkPolicyV1,
  type NetworkPolicyV1SpecEgress,
  type NetworkPolicyV1SpecIngress,
} from "@cdktf/provider-kubernetes/lib/network-policy-v1";
import type { KubernetesProvider } from "@cdktf/provider-kubernetes/lib/provider";
import { Construct } from "constructs";

/** Pod Security Standard levels (https://kubernetes.io/docs/concepts/security/pod-security-standards/). */
export type PodSecurityLevel = "restricted" | "baseline" | "privileged";

export interface PlatformNamespaceProps {
  /** Namespace name (DNS label). */
  readonly name: string;
  readonly provider: KubernetesProvider;
  /**
   * Pod Security Standard enforced by the namespace. Anything weaker than `restricted` needs a written reason.
   * @default "restricted"
   */
  readonly podSecurity?: PodSecurityLevel;
  /** Why the namespace cannot enforce `restricted`; required when `podSecurity` is weaker. @default - none */
  readonly podSecurityReason?: string;
  /**
   * Default-deny NetworkPolicy for ingress and egress, with DNS egress and same-namespace traffic allowed.
   * Components add what else they need with `allowIngress`/`allowEgress`.
   * @default true
   */
  readonly defaultDeny?: boolean;
  /**
   * Carry `PLATFORM_NAMESPACE_LABEL`, which platform services admit traffic from. Off for tenant namespaces
   * (teams), which reach only the services their own policies name. @default true
   */
  readonly platformLabel?: boolean;
  /** @default {} */
  readonly labels?: Readonly<Record<string, string>>;
  /** @default {} */
  readonly annotations?: Readonly<Record<string, string>>;
}

/** Label the kit puts on every namespace it owns, used by NetworkPolicies to admit platform namespaces. */
export const PLATFORM_NAMESPACE_LABEL = "mlops.io/platform";

/**
 * A namespace the kit owns: Pod Security Standard labels (enforce, audit and warn at the same level, pinned to
 * `latest`) and a default-deny NetworkPolicy, so a workload added later is locked down until it says otherwise.
 */
export class PlatformNamespace extends Construct {
  readonly resource: NamespaceV1;
  readonly name: string;
  readonly podSecurity: PodSecurityLevel;
  private readonly provider: KubernetesProvider;

  constructor(scope: Construct, id: string, props: PlatformNamespaceProps) {
    super(scope, id);
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(props.name) || props.name.length > 63) {
      throw new Error(
        `PlatformNamespace name: got ${JSON.stringify(props.name)}; expected a DNS label (a-z, 0-9, '-')`,
      );
    }
    const level = props.podSecurity ?? "restricted";
    if (level !== "restricted" && !props.podSecurityReason?.trim()) {
      throw new Error(
        `PlatformNamespace ${props.name}: podSecurity ${JSON.stringify(level)} needs podSecurityReason explaining why "restricted" cannot be enforced`,
      );
    }
    this.name = props.name;
    this.podSecurity = level;
    this.provider = props.provider;
    const annotations: Record<string, string> = { ...(props.annotations ?? {}) };
    if (props.podSecurityReason) annotations["mlops.io/pod-security-reason"] = props.podSecurityReason;

    this.resource = new NamespaceV1(this, "Resource", {
      provider: props.provider,
      metadata: {
        name: props.name,
        labels: {
          ...(props.labels ?? {}),
          ...((props.platformLabel ?? true) ? { [PLATFORM_NAMESPACE_LABEL]: "true" } : {}),
          "pod-security.kubernetes.io/enforce": level,
          "pod-security.kubernetes.io/enforce-version": "latest",
          "pod-security.kubernetes.io/audit": "restricted",
          "pod-security.kubernetes.io/warn": "restricted",
        },
        annotations: Object.keys(annotations).length > 0 ? annotations : undefined,
      },
    });

    if (props.defaultDeny ?? true) {
      this.policy("DefaultDeny", "default-deny", {
        policyTypes: ["Ingress", "Egress"],
        ingress: [{ from: [{ podSelector: {} }] }],
        egress: [
          { to: [{ podSelector: {} }] },
          {
            to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } } }],
            ports: [
              { port: "53", protocol: "UDP" },
              { port: "53", protocol: "TCP" },
            ],
          },
        ],
      });
    }
  }

  /** Admits ingress to pods matching `podLabels` (all pods when empty) from the given peers and ports. */
  allowIngress(
    id: string,
    rule: NetworkPolicyV1SpecIngress,
    podLabels: Record<string, string> = {},
  ): NetworkPolicyV1 {
    return this.policy(
      id,
      `allow-ingress-${kebab(id)}`,
      { policyTypes: ["Ingress"], ingress: [rule] },
      podLabels,
    );
  }

  /** Admits egress from pods matching `podLabels` (all pods when empty) to the given peers and ports. */
  allowEgress(
    id: string,
    rule: NetworkPolicyV1SpecEgress,
    podLabels: Record<string, string> = {},
  ): NetworkPolicyV1 {
    return this.policy(
      id,
      `allow-egress-${kebab(id)}`,
      { policyTypes: ["Egress"], egress: [rule] },
      podLabels,
    );
  }

  /**
   * Admits Prometheus (it runs in a platform namespace) to the selected pods' metrics port: the ingress every
   * add-on with a monitor needs. The port must also be among the monitoring add-on's SCRAPED_PLATFORM_PORTS.
   */
  allowMetricsScrape(port: number, podLabels: Record<string, string> = {}): NetworkPolicyV1 {
    return this.allowIngress(
      "Metrics",
      {
        from: [{ namespaceSelector: { matchLabels: { [PLATFORM_NAMESPACE_LABEL]: "true" } } }],
        ports: [{ port: String(port), protocol: "TCP" }],
      },
      podLabels,
    );
  }

  /** HTTPS egress (AWS APIs through VPC endpoints or NAT, the Kubernetes API) from the selected pods. */
  allowHttpsEgress(id: string, podLabels: Record<string, string> = {}): NetworkPolicyV1 {
    return this.allowEgress(id, { ports: [{ port: "443", protocol: "TCP" }] }, podLabels);
  }

  private policy(
    id: string,
    name: string,
    spec: {
      policyTypes: string[];
      ingress?: NetworkPolicyV1SpecIngress[];
      egress?: NetworkPolicyV1SpecEgress[];
    },
    podLabels: Record<string, string> = {},
  ): NetworkPolicyV1 {
    return new NetworkPolicyV1(this, id, {
      provider: this.provider,
      metadata: { name, namespace: this.resource.metadata.name },
      spec: {
        podSelector: Object.keys(podLabels).length > 0 ? { matchLabels: podLabels } : {},
        ...spec,
      },
    });
  }
}

function kebab(id: string): string {
  return id
    .replace(/([a-z0-9])([A-Z])/g, "$1-$2")
    .replace(/[^a-zA-Z0-9]+/g, "-")
    .toLowerCase();
}
