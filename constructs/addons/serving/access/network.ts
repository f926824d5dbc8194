import {
  NetworkPolicyV1,
  type NetworkPolicyV1SpecEgress,
  type NetworkPolicyV1SpecEgressTo,
  type NetworkPolicyV1SpecIngress,
  type NetworkPolicyV1SpecIngressFrom,
} from "@cdktf/provider-kubernetes/lib/network-policy-v1";
import type { KubernetesProvider } from "@cdktf/provider-kubernetes/lib/provider";
import type { Construct } from "constructs";
import type { ServiceAccountRoleMode } from "../../../core/cluster-contract";
import type { PlatformNamespace } from "../../../core/platform-namespace";
import type { KafkaOutputs } from "../../kafka/addon";
import { MSK_PORTS } from "../../kafka/msk-cluster";
import { brokerPodLabels, TLS_LISTENER_PORT } from "../../kafka/strimzi-resources";
import { MLFLOW_NAMESPACE, MLFLOW_POD_LABELS, MLFLOW_PORT } from "../../mlflow/names";
import { MONITORING_NAMESPACE, MONITORING_POD_LABELS } from "../../monitoring/names";

/** The EKS Pod Identity agent's credential endpoint (a host-network DaemonSet on every node). */
export const POD_IDENTITY_AGENT = { cidr: "169.254.170.23/32", port: 80 } as const;
const NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

/** Pods of another namespace admitted to the inference ports (a gateway, an engine's router). */
export interface IngressSource {
  readonly namespace: string;
  /** Only these pods of it. @default - every pod of the namespace */
  readonly podLabels?: Readonly<Record<string, string>>;
}

/**
 * The model server pods: labels they carry (all must match) and label keys they carry with any value (e.g.
 * the serving add-on's `mlops.io/serving-deployment`, on every deployment's pods and on nothing else).
 */
export interface ServingPodSelector {
  /** @default {} */
  readonly matchLabels?: Readonly<Record<string, string>>;
  /** @default [] */
  readonly labelKeys?: readonly string[];
}

export interface ServingNetworkProps {
  /** Where the policy constructs go. */
  readonly scope: Construct;
  readonly provider: KubernetesProvider;
  readonly namespace: PlatformNamespace;
  /** Name part of the policies: `allow-<ingress|egress>-<name>-…`. */
  readonly name: string;
  readonly pods: ServingPodSelector;
  readonly inferencePorts: readonly number[];
  readonly metricsPorts: readonly number[];
  readonly ingressFrom: readonly IngressSource[];
  /** Whether the platform's Prometheus scrapes (the monitoring add-on is present). */
  readonly monitoring: boolean;
  readonly kafka?: KafkaOutputs;
  /** Whether the MLflow tracking server is reachable (the mlflow add-on is present). */
  readonly mlflow: boolean;
  readonly roleMode: ServiceAccountRoleMode;
  readonly vpcCidr: string;
  /** Ranges excluded from the S3 rule: everything inside the cluster's network. */
  readonly clusterCidrs: readonly string[];
}

const tcp = (port: number) => ({ port: String(port), protocol: "TCP" });
const inNamespace = (
  namespace: string,
  podLabels?: Readonly<Record<string, string>>,
): NetworkPolicyV1SpecIngressFrom & NetworkPolicyV1SpecEgressTo => ({
  namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: namespace } },
  ...(podLabels ? { podSelector: { matchLabels: { ...podLabels } } } : {}),
});

/**
 * The model server pods' NetworkPolicies, on top of the namespace's default deny (which admits DNS to
 * kube-system and traffic within the namespace): inference ports from the given sources, metrics from
 * Prometheus, and egress to Kafka's client listener, MLflow, S3 and the pod's AWS credential source only.
 *
 * S3 is reached at public addresses (through the VPC's gateway endpoint, or NAT without one), and the
 * endpoint's prefix list is an AWS object a NetworkPolicy cannot name: the S3 rule is HTTPS to 0.0.0.0/0 except
 * the cluster's own ranges, so nothing inside the VPC (other pods, the Kubernetes API, interface endpoints) is
 * reachable through it. The VPC route table and the bucket policies are what keep that traffic on S3.
 */
export function servingNetworkPolicies(props: ServingNetworkProps): NetworkPolicyV1[] {
  const podSelector = {
    ...(Object.keys(props.pods.matchLabels ?? {}).length > 0
      ? { matchLabels: { ...props.pods.matchLabels } }
      : {}),
    ...((props.pods.labelKeys ?? []).length > 0
      ? { matchExpressions: (props.pods.labelKeys ?? []).map((key) => ({ key, operator: "Exists" })) }
      : {}),
  };
  const policies: NetworkPolicyV1[] = [];
  // The namespace's helpers select by labels only; these select by key too, under the same naming scheme.
  const policy = (
    id: string,
    kebab: string,
    rule: { ingress: NetworkPolicyV1SpecIngress } | { egress: NetworkPolicyV1SpecEgress },
  ) => {
    const ingress = "ingress" in rule;
    return new NetworkPolicyV1(props.scope, id, {
      provider: props.provider,
      metadata: {
        name: `allow-${ingress ? "ingress" : "egress"}-${props.name}-${kebab}`,
        namespace: props.namespace.resource.metadata.name,
      },
      spec: {
        podSelector,
        policyTypes: [ingress ? "Ingress" : "Egress"],
        ...(ingress ? { ingress: [rule.ingress] } : { egress: [rule.egress] }),
      },
    });
  };
  const ingress = (id: string, kebab: string, rule: NetworkPolicyV1SpecIngress) =>
    policies.push(policy(`Ingress${id}`, kebab, { ingress: rule }));
  const egress = (id: string, kebab: string, rule: NetworkPolicyV1SpecEgress) =>
    policies.push(policy(`Egress${id}`, kebab, { egress: rule }));
  if (props.ingressFrom.length > 0) {
    ingress("Inference", "inference", {
      from: props.ingressFrom.map((s) => inNamespace(s.namespace, s.podLabels)),
      ports: props.inferencePorts.map(tcp),
    });
  }
  if (props.monitoring) {
    ingress("Prometheus", "prometheus", {
      from: [inNamespace(MONITORING_NAMESPACE, MONITORING_POD_LABELS.prometheus)],
      ports: props.metricsPorts.map(tcp),
    });
  }
  const kafka = props.kafka;
  if (kafka?.mode === "strimzi") {
    const names = { namespace: kafka.namespace.name, cluster: kafka.clusterName };
    // The bootstrap Service and every per-broker address resolve to broker pods on the TLS listener.
    egress("Kafka", "kafka", {
      to: [inNamespace(names.namespace, brokerPodLabels(names))],
      ports: [tcp(TLS_LISTENER_PORT)],
    });
  } else if (kafka?.mode === "msk") {
    // MSK brokers sit in the private subnets; their security group admits only the cluster's nodes on 9098.
    egress("Kafka", "kafka", { to: [{ ipBlock: { cidr: props.vpcCidr } }], ports: [tcp(MSK_PORTS.iamTls)] });
  }
  if (props.mlflow) {
    egress("Mlflow", "mlflow", {
      to: [inNamespace(MLFLOW_NAMESPACE, MLFLOW_POD_LABELS)],
      ports: [tcp(MLFLOW_PORT)],
    });
  }
  egress("S3", "s3", {
    to: [{ ipBlock: { cidr: "0.0.0.0/0", except: [...props.clusterCidrs] } }],
    ports: [tcp(443)],
  });
  // Pod Identity: the SDK fetches credentials from the node's agent (link-local, port 80); nothing else.
  // IRSA: the SDK calls STS, whose interface endpoint (private DNS) has addresses inside the VPC.
  egress(
    "AwsCredentials",
    "aws-credentials",
    props.roleMode === "pod-identity"
      ? { to: [{ ipBlock: { cidr: POD_IDENTITY_AGENT.cidr } }], ports: [tcp(POD_IDENTITY_AGENT.port)] }
      : { to: [{ ipBlock: { cidr: props.vpcCidr } }], ports: [tcp(443)] },
  );
  return policies;
}
