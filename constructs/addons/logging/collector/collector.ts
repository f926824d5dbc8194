import { ClusterRoleBindingV1 } from "@cdktf/provider-kubernetes/lib/cluster-role-binding-v1";
import { ClusterRoleV1 } from "@cdktf/provider-kubernetes/lib/cluster-role-v1";
import type { NetworkPolicyV1SpecIngressFrom } from "@cdktf/provider-kubernetes/lib/network-policy-v1";
import type { ITerraformDependable } from "cdktf";
import { Token } from "cdktf";
import { Construct } from "constructs";
import { CHARTS, type ChartPin } from "../../../core/charts";
import type { IClusterContext, IServiceAccountRole } from "../../../core/cluster-contract";
import { HelmRelease, type HelmReleaseOptions } from "../../../core/helm-release";
import { deepMerge } from "../../../core/merge";
import { PlatformNamespace } from "../../../core/platform-namespace";
import type { Tags } from "../../../core/tags";
import { MONITORING_NAMESPACE, MONITORING_POD_LABELS } from "../../monitoring/names";
import type { CollectorConfig } from "./config";
import type { CollectorOutput } from "./fluent-bit-config";
import {
  COLLECTOR_METRICS_PORT,
  COLLECTOR_NAMESPACE,
  COLLECTOR_POD_LABELS,
  COLLECTOR_RELEASE,
  COLLECTOR_SERVICE_ACCOUNT,
} from "./names";
import { collectorChartValues } from "./values";

/**
 * What the collector may read of the Kubernetes API: pods and namespaces, for the metadata it adds. Never
 * Secrets (the credentials reach it through secretKeyRef, read by the kubelet), and not nodes/proxy: the
 * metadata comes from the API server, not the kubelet.
 */
export const COLLECTOR_RBAC_RULES = [
  { apiGroups: [""], resources: ["namespaces", "pods"], verbs: ["get", "list", "watch"] },
] as const;

/**
 * The collector's pods as a NetworkPolicy peer: what the Elasticsearch namespace admits on its HTTP port.
 * @param namespace the collector's namespace (default "logging-collector")
 */
export function collectorPeer(namespace: string = COLLECTOR_NAMESPACE): NetworkPolicyV1SpecIngressFrom {
  return {
    namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": namespace } },
    podSelector: { matchLabels: { ...COLLECTOR_POD_LABELS } },
  };
}

export interface LogCollectorProps {
  /** `addons.logging.collector`, parsed (`parseCollectorConfig`). */
  readonly config: CollectorConfig;
  /** The cluster: its kubernetes and helm providers. */
  readonly cluster: IClusterContext;
  /** Where the logs go. */
  readonly output: CollectorOutput;
  /** Whether the monitoring add-on runs: a ServiceMonitor and Prometheus' ingress on port 2020. @default false */
  readonly monitoring?: boolean;
  /** The collector's namespace (created `privileged`, see below). @default "logging-collector" */
  readonly namespace?: string;
  /** @default "fluent-bit" */
  readonly releaseName?: string;
  /** The chart. @default CHARTS.fluentBit */
  readonly chart?: ChartPin;
  /**
   * What the pods need before they start that the values do not reference: the IAM grants of the output's
   * role (the values name only its ARN). @default []
   */
  readonly dependsOn?: readonly ITerraformDependable[];
}

/**
 * Fluent Bit as a DaemonSet: every container's log on every node, with Kubernetes metadata, to Elasticsearch
 * (basic auth and the backend's CA from Secrets through the kubelet) or Amazon OpenSearch Service (SigV4 with an
 * IRSA role). Undelivered chunks wait in a filesystem buffer on the node, retried until the backend is back.
 */
export class LogCollector extends Construct {
  readonly namespace: PlatformNamespace;
  readonly release: HelmRelease;
  readonly clusterRole: ClusterRoleV1;
  /** The merged values the release renders (typed values, then `config.helm.values`). */
  readonly values: Record<string, unknown>;
  readonly serviceAccountName = COLLECTOR_SERVICE_ACCOUNT;
  /** The collector's pods as a NetworkPolicy peer (`collectorPeer` of its namespace). */
  readonly peer: NetworkPolicyV1SpecIngressFrom;

  constructor(scope: Construct, id: string, props: LogCollectorProps) {
    super(scope, id);
    validateOutput(props.output);
    const provider = props.cluster.kubernetesProvider;
    const ns = props.namespace ?? COLLECTOR_NAMESPACE;
    const releaseName = props.releaseName ?? COLLECTOR_RELEASE;
    const monitoring = props.monitoring ?? false;
    this.peer = collectorPeer(ns);
    // hostPath volumes (the node's /var/log, read-only, and the buffer directory) are forbidden by both
    // "restricted" and "baseline"; the container itself stays unprivileged with every capability dropped.
    this.namespace = new PlatformNamespace(this, "Namespace", {
      name: ns,
      provider,
      podSecurity: "privileged",
      podSecurityReason:
        "Fluent Bit reads the node's container logs (hostPath /var/log, read-only) as root and keeps its buffer in hostPath /var/fluent-bit/state; the container is not privileged and drops every capability",
    });
    this.networkPolicies(props.output, monitoring);

    this.clusterRole = new ClusterRoleV1(this, "ClusterRole", {
      provider,
      metadata: { name: `${ns}-${releaseName}` },
      rule: COLLECTOR_RBAC_RULES.map((r) => ({
        apiGroups: [...r.apiGroups],
        resources: [...r.resources],
        verbs: [...r.verbs],
      })),
    });
    new ClusterRoleBindingV1(this, "ClusterRoleBinding", {
      provider,
      metadata: { name: `${ns}-${releaseName}` },
      roleRef: {
        apiGroup: "rbac.authorization.k8s.io",
        kind: "ClusterRole",
        name: this.clusterRole.metadata.name,
      },
      subject: [{ kind: "ServiceAccount", name: COLLECTOR_SERVICE_ACCOUNT, namespace: ns }],
    });

    const { values: overrides, ...options } = props.config.helm;
    this.values = deepMerge(
      collectorChartValues({ config: props.config, output: props.output, releaseName, monitoring }),
      overrides,
    );
    this.release = new HelmRelease(this, "Release", {
      provider: props.cluster.helmProvider,
      chart: props.chart ?? CHARTS.fluentBit,
      namespace: ns,
      releaseName,
      ...(options satisfies HelmReleaseOptions),
      // The config refuses both (COLLECTOR_NO_WAIT): nothing this release waited for could be ready yet.
      wait: false,
      atomic: false,
      values: this.values,
      dependsOn: [this.namespace.resource, this.clusterRole, ...(props.dependsOn ?? [])],
    });
  }

  /** On top of the namespace's default-deny (DNS and same-namespace traffic). */
  private networkPolicies(output: CollectorOutput, monitoring: boolean): void {
    const tcp = (port: number) => ({ port: String(port), protocol: "TCP" });
    // The Kubernetes API (pod metadata) and, for OpenSearch Service, the domain and STS (IRSA): all HTTPS.
    this.namespace.allowHttpsEgress("Https", COLLECTOR_POD_LABELS);
    if (output.kind === "elasticsearch") {
      const port = output.port ?? 9200;
      const to = output.backendNamespace
        ? [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": output.backendNamespace } } }]
        : undefined;
      this.namespace.allowEgress("Elasticsearch", { to, ports: [tcp(port)] }, COLLECTOR_POD_LABELS);
    }
    if (monitoring) {
      this.namespace.allowIngress(
        "Prometheus",
        {
          from: [
            {
              namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": MONITORING_NAMESPACE } },
              podSelector: { matchLabels: MONITORING_POD_LABELS.prometheus },
            },
          ],
          ports: [tcp(COLLECTOR_METRICS_PORT)],
        },
        COLLECTOR_POD_LABELS,
      );
    }
  }
}

export interface LogCollectorRoleProps {
  readonly cluster: IClusterContext;
  /** The collector's namespace. @default "logging-collector" */
  readonly namespace?: string;
  /** @default - the cluster's tags */
  readonly tags?: Tags;
}

/**
 * The IRSA role the collector's service account assumes to sign requests to OpenSearch Service. It has no
 * identity policy: the domain's access policy names it (`writerRoleArns`), which is enough within the account.
 * Created apart from `LogCollector` so the domain can admit it before the collector takes the domain's endpoint;
 * like every service account role, it is built in the cluster context's scope (`id` must be unique there).
 */
export function logCollectorRole(id: string, props: LogCollectorRoleProps): IServiceAccountRole {
  return props.cluster.serviceAccountRole(id, {
    namespace: props.namespace ?? COLLECTOR_NAMESPACE,
    serviceAccount: COLLECTOR_SERVICE_ACCOUNT,
    mode: "irsa",
    tags: props.tags,
  });
}

const HOST = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function validateOutput(output: CollectorOutput): void {
  const fail = (key: string, value: unknown, expected: string) => {
    throw new Error(`LogCollector output.${key}: got ${JSON.stringify(value)}; expected ${expected}`);
  };
  const known = (v: string) => !Token.isUnresolved(v);
  if (known(output.indexPrefix) && !/^[a-z0-9][a-z0-9._-]*$/.test(output.indexPrefix))
    fail("indexPrefix", output.indexPrefix, "a lower-case index name prefix");
  if (known(output.pipeline) && !/^[\w.-]+$/.test(output.pipeline))
    fail("pipeline", output.pipeline, "an ingest pipeline name");
  if (output.kind === "elasticsearch") {
    if (known(output.host) && !HOST.test(output.host))
      fail("host", output.host, "a host name without scheme or port");
    const port = output.port ?? 9200;
    if (!Number.isInteger(port) || port < 1 || port > 65535) fail("port", port, "a TCP port from 1 to 65535");
  } else if (output.kind === "opensearch-service") {
    if (known(output.endpoint) && !HOST.test(output.endpoint))
      fail("endpoint", output.endpoint, "the domain endpoint host name, without https://");
  } else {
    fail("kind", (output as { kind: unknown }).kind, '"elasticsearch" or "opensearch-service"');
  }
}
