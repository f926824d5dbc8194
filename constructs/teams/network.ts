import {
  NetworkPolicyV1,
  type NetworkPolicyV1SpecEgress,
  type NetworkPolicyV1SpecIngress,
} from "@cdktf/provider-kubernetes/lib/network-policy-v1";
import type { KubernetesProvider } from "@cdktf/provider-kubernetes/lib/provider";
import { Construct } from "constructs";
import type { ServiceAccountRoleMode } from "../core/cluster-contract";
import type { PlatformNamespace } from "../core/platform-namespace";

/** The label Kubernetes puts on every namespace with its own name. */
const NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";
/** The EKS Pod Identity agent's credential endpoint (a host-network DaemonSet on every node). */
export const POD_IDENTITY_AGENT = { cidr: "169.254.170.23/32", port: 80 } as const;

/** Pods of one namespace, selected by labels. */
export interface PodPeer {
  readonly namespace: string;
  readonly podLabels: Readonly<Record<string, string>>;
}

/**
 * A platform service a team uses: pods in the cluster (MLflow, Strimzi's brokers, the serving gateway's Envoy
 * proxies) or addresses in the VPC (MSK's brokers).
 */
export type TeamServicePeer =
  | (PodPeer & { readonly name: string; readonly ports: readonly number[] })
  | { readonly name: string; readonly cidr: string; readonly ports: readonly number[] };

export interface TeamNetworkProps {
  readonly provider: KubernetesProvider;
  /** The team environment's namespace (default deny, DNS and same-namespace traffic already admitted). */
  readonly namespace: PlatformNamespace;
  readonly labels: Readonly<Record<string, string>>;
  /** Exactly the platform services the team uses. */
  readonly services: readonly TeamServicePeer[];
  /** The platform's Prometheus, when monitoring runs. @default - no scrape rules */
  readonly prometheus?: PodPeer;
  /** How the team's workloads get AWS credentials, which decides the credential egress. */
  readonly roleMode: ServiceAccountRoleMode;
  /** The VPC's CIDR (STS' interface endpoint for IRSA) . */
  readonly vpcCidr: string;
  /** Ranges excluded from the HTTPS-to-AWS rule: everything inside the cluster's network. */
  readonly clusterCidrs: readonly string[];
}

const tcp = (port: number) => ({ port: String(port), protocol: "TCP" });
const inNamespace = (peer: PodPeer) => ({
  namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: peer.namespace } },
  podSelector: { matchLabels: { ...peer.podLabels } },
});

/**
 * A team namespace's NetworkPolicies beyond its default deny, and their counterparts in the platform's
 * namespaces, all owned by the team environment's stack (so adding a team changes no platform stack):
 * - egress to exactly the services the team uses, and the matching ingress in each service's namespace, since
 *   platform services otherwise admit only namespaces labelled as the platform's, which a team's is not;
 * - ingress from Prometheus (every port: a team chooses its metrics ports) and the matching egress in the
 *   monitoring namespace;
 * - HTTPS to AWS APIs (S3, Glue, STS) at addresses outside the cluster's network, and the credential endpoint.
 * Another team's namespace admits none of this: its default deny takes traffic from itself only.
 */
export class TeamNetworkPolicies extends Construct {
  readonly policies: NetworkPolicyV1[] = [];
  private readonly props: TeamNetworkProps;

  constructor(scope: Construct, id: string, props: TeamNetworkProps) {
    super(scope, id);
    this.props = props;
    const ns = props.namespace;
    const teamPeer = { namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: ns.name } } };
    for (const s of props.services) {
      const ports = s.ports.map(tcp);
      if ("cidr" in s) {
        this.policies.push(ns.allowEgress(pascal(s.name), { to: [{ ipBlock: { cidr: s.cidr } }], ports }));
        continue;
      }
      this.policies.push(ns.allowEgress(pascal(s.name), { to: [inNamespace(s)], ports }));
      this.policies.push(
        this.counterpart(`${pascal(s.name)}Ingress`, s.name, s, { ingress: { from: [teamPeer], ports } }),
      );
    }
    if (props.prometheus) {
      const prometheus = props.prometheus;
      this.policies.push(ns.allowIngress("Prometheus", { from: [inNamespace(prometheus)] }));
      this.policies.push(
        this.counterpart("PrometheusEgress", "prometheus", prometheus, { egress: { to: [teamPeer] } }),
      );
    }
    this.policies.push(
      ns.allowEgress("AwsApis", {
        to: [{ ipBlock: { cidr: "0.0.0.0/0", except: [...props.clusterCidrs] } }],
        ports: [tcp(443)],
      }),
    );
    // Pod Identity: the SDK asks the node's agent (link-local, port 80). IRSA: STS' interface endpoint in the VPC.
    this.policies.push(
      ns.allowEgress(
        "AwsCredentials",
        props.roleMode === "pod-identity"
          ? { to: [{ ipBlock: { cidr: POD_IDENTITY_AGENT.cidr } }], ports: [tcp(POD_IDENTITY_AGENT.port)] }
          : { to: [{ ipBlock: { cidr: props.vpcCidr } }], ports: [tcp(443)] },
      ),
    );
  }

  /** A policy in a platform namespace that admits this team's namespace (named after it, so teams never clash). */
  private counterpart(
    id: string,
    service: string,
    peer: PodPeer,
    rule: { ingress: NetworkPolicyV1SpecIngress } | { egress: NetworkPolicyV1SpecEgress },
  ): NetworkPolicyV1 {
    const ingress = "ingress" in rule;
    return new NetworkPolicyV1(this, id, {
      provider: this.props.provider,
      metadata: {
        name: `${ingress ? "allow-ingress" : "allow-egress"}-${this.props.namespace.name}-${service}`,
        namespace: peer.namespace,
        labels: { ...this.props.labels },
      },
      spec: {
        podSelector: { matchLabels: { ...peer.podLabels } },
        policyTypes: [ingress ? "Ingress" : "Egress"],
        ...(ingress ? { ingress: [rule.ingress] } : { egress: [rule.egress] }),
      },
    });
  }
}

function pascal(name: string): string {
  return name
    .split(/[^a-zA-Z0-9]+/)
    .map((p) => p.charAt(0).toUpperCase() + p.slice(1))
    .join("");
}
