import { ConfigMapV1 } from "@cdktf/provider-kubernetes/lib/config-map-v1";
import type { Manifest } from "@cdktf/provider-kubernetes/lib/manifest";
import type { AddOnContext } from "../../core/addon";
import { CHARTS } from "../../core/charts";
import { HelmAddOn, type HelmAddOnOutputs } from "../../core/helm-addon";
import { PLATFORM_NAMESPACE_LABEL, type PlatformNamespace } from "../../core/platform-namespace";
import { restrictedPodSecurityContext } from "../../core/pod-security";
import type { KafkaConfig } from "./config";
import type { KafkaOutputsBase } from "./outputs";
import {
  bootstrapAddress,
  brokerPodLabels,
  jmxExporterConfig,
  kafkaResource,
  METRICS_CONFIG_KEY,
  metricsConfigMapName,
  nodePoolResources,
  podMonitorResources,
  STRIMZI_METRICS_PORT,
  type StrimziAuthentication,
  type StrimziNames,
  TLS_LISTENER_PORT,
  topicResources,
  userResources,
} from "./strimzi-resources";
import { resolveAccess, topicInfos } from "./topic-access";

export const KAFKA_NAMESPACE = "kafka";
const OPERATOR_POD_LABELS = { "strimzi.io/kind": "cluster-operator" };

/** What the Strimzi mode hands to dependent add-ons. */
export interface StrimziKafkaOutputs extends KafkaOutputsBase, HelmAddOnOutputs {
  readonly mode: "strimzi";
  readonly clusterName: string;
  /** Secret (in the Kafka namespace) holding the cluster CA certificate clients must trust (`ca.crt`). */
  readonly clusterCaSecretName: string;
  /** Secret (in the Kafka namespace) the user operator writes a principal's credentials to. */
  userSecretName(principal: string): string;
  /** The custom resources, by kind then name, e.g. `resources.KafkaTopic.predictions`. */
  readonly resources: Readonly<Record<string, Readonly<Record<string, Manifest>>>>;
}

/** The authentication of the cluster's users, as the outputs tell it (SCRAM when a SASL mechanism is set). */
export function strimziAuthentication(
  kafka: Pick<StrimziKafkaOutputs, "saslMechanism">,
): StrimziAuthentication {
  return kafka.saslMechanism === "SCRAM-SHA-512" ? "scram-sha-512" : "tls";
}

/**
 * Kafka inside the cluster: the Strimzi operator (pinned chart, watching only its namespace, restricted pod
 * security provider) and a KRaft `Kafka` with node pools, topics and users as custom resources.
 */
export class StrimziKafkaAddOn extends HelmAddOn<StrimziKafkaOutputs> {
  readonly id: string = "kafka";
  protected readonly chart = CHARTS.strimziKafkaOperator;
  protected readonly defaultNamespace = KAFKA_NAMESPACE;
  protected readonly defaultReleaseName = "strimzi";

  constructor(private readonly config: KafkaConfig) {
    super(config.helm);
  }

  get names(): StrimziNames {
    return { namespace: this.namespaceName, cluster: this.config.strimzi.clusterName };
  }

  protected values(): Record<string, unknown> {
    const replicas = this.config.strimzi.operatorReplicas;
    return {
      replicas,
      // Only the release namespace, where the Kafka, its topics and users live: no cluster-wide watch.
      watchNamespaces: [],
      watchAnyNamespace: false,
      // The restricted provider gives every pod Strimzi creates a PSS-restricted security context, so the
      // namespace can enforce "restricted" (Kafka Connect builds with Kaniko would need more; not used here).
      extraEnvs: [{ name: "STRIMZI_POD_SECURITY_PROVIDER_CLASS", value: "restricted" }],
      podSecurityContext: restrictedPodSecurityContext(),
      // The chart's own defaults (Strimzi's sizing of the Java operator), set explicitly so a chart release
      // cannot drop them; no CPU limit, which would only throttle reconciliation bursts.
      resources: { requests: { cpu: "200m", memory: "384Mi" }, limits: { memory: "384Mi" } },
      leaderElection: { enable: true },
      podDisruptionBudget: { enabled: replicas > 1 },
      generateNetworkPolicy: true,
      generatePodDisruptionBudget: true,
    };
  }

  protected override beforeRelease(context: AddOnContext, namespace: PlatformNamespace): void {
    const platformNamespaces = [
      { namespaceSelector: { matchLabels: { [PLATFORM_NAMESPACE_LABEL]: "true" } } },
    ];
    namespace.allowIngress(
      "KafkaClients",
      { from: platformNamespaces, ports: [{ port: String(TLS_LISTENER_PORT), protocol: "TCP" }] },
      brokerPodLabels(this.names),
    );
    // The operators talk to the Kubernetes API; brokers do not need it (no rack awareness init container).
    namespace.allowHttpsEgress("OperatorKubernetesApi", OPERATOR_POD_LABELS);
    namespace.allowHttpsEgress("EntityOperatorKubernetesApi", {
      "strimzi.io/name": `${this.names.cluster}-entity-operator`,
    });
    if (context.has("monitoring")) {
      // Every pod of the cluster, so the Kafka Exporter's metrics port (also 9404) too.
      namespace.allowIngress(
        "KafkaMetrics",
        { from: platformNamespaces, ports: [{ port: String(STRIMZI_METRICS_PORT), protocol: "TCP" }] },
        { "strimzi.io/cluster": this.names.cluster },
      );
      namespace.allowIngress(
        "OperatorMetrics",
        { from: platformNamespaces, ports: [{ port: "8080", protocol: "TCP" }] },
        OPERATOR_POD_LABELS,
      );
    }
  }

  protected override afterRelease(context: AddOnContext, outputs: HelmAddOnOutputs): StrimziKafkaOutputs {
    const n = this.names;
    new ConfigMapV1(context.scope, "KafkaMetricsConfig", {
      provider: context.cluster.kubernetesProvider,
      metadata: { name: metricsConfigMapName(n), namespace: n.namespace },
      data: { [METRICS_CONFIG_KEY]: jmxExporterConfig() },
      dependsOn: [outputs.namespace.resource],
    });
    const manifests = [
      ...nodePoolResources(this.config, n),
      kafkaResource(this.config, n, context.has("monitoring")),
      ...topicResources(this.config, n),
      ...userResources(this.config, n),
      ...(context.has("monitoring") ? podMonitorResources(n) : []),
    ];
    const resources: Record<string, Record<string, Manifest>> = {};
    for (const m of manifests) {
      const kind = m.kind as string;
      const name = (m.metadata as { name: string }).name;
      resources[kind] ??= {};
      resources[kind][name] = context.manifest(`${kind}-${name}`, m);
    }
    const saslMechanism =
      this.config.strimzi.authentication === "scram-sha-512" ? "SCRAM-SHA-512" : undefined;
    return {
      ...outputs,
      mode: "strimzi",
      bootstrapServers: bootstrapAddress(n),
      securityProtocol: saslMechanism ? "SASL_SSL" : "SSL",
      saslMechanism,
      topics: topicInfos(this.config, this.config.strimzi.defaultReplicationFactor),
      principals: Object.keys(this.config.access),
      principalAccess: (principal) => resolveAccess(this.config, principal),
      clusterName: n.cluster,
      clusterCaSecretName: `${n.cluster}-cluster-ca-cert`,
      userSecretName: (principal: string) => {
        if (!(principal in this.config.access)) {
          throw new Error(
            `Kafka principal ${JSON.stringify(principal)} is not in addons.kafka.access (principals: ${Object.keys(this.config.access).join(", ") || "none"})`,
          );
        }
        return principal;
      },
      resources,
    };
  }
}
