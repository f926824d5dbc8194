import type { Manifest } from "@cdktf/provider-kubernetes/lib/manifest";
import type { AddOn, AddOnContext } from "../../core/addon";
import type { AddOnDefinition, AddOnSelection } from "../../core/addon-definition";
import { CHARTS } from "../../core/charts";
import { isProductionEnvironment } from "../../core/environment";
import { HelmAddOn, type HelmAddOnOutputs } from "../../core/helm-addon";
import {
  allowLoadBalancer,
  ingressDependencyProblem,
  LOAD_BALANCER_CONTROLLER_ADDON_ID,
} from "../../core/ingress";
import { PLATFORM_NAMESPACE_LABEL, PlatformNamespace } from "../../core/platform-namespace";
import { STATSD_SCRAPE_PORT } from "../airflow/addon";
import { CERT_MANAGER_METRICS_PORT } from "../cert-manager/names";
import { DCGM_EXPORTER_ADDON_ID, DCGM_EXPORTER_PORT } from "../dcgm-exporter";
import { EXTERNAL_DNS_METRICS_PORT } from "../external-dns/names";
import { ESO_METRICS_PORT, EXTERNAL_SECRETS_ADDON_ID } from "../external-secrets/addon";
import { generatedSecret, syncSecret } from "../external-secrets/sync-secret";
import type { KafkaConfig } from "../kafka/config";
import { consumerGroupPrefixes } from "../kafka/exporter";
import { STRIMZI_METRICS_PORT } from "../kafka/strimzi-resources";
import { ARGO_CONTROLLER, KFP_PORTS } from "../kubeflow-pipelines/names";
import { METRICS_SERVER_PORT } from "../metrics-server/names";
import { MLFLOW_PORT } from "../mlflow/names";
import { receiverSecretTemplate, receiversWithSecrets } from "./alertmanager";
import {
  MONITORING_CONFIG,
  type MonitoringConfig,
  type MonitoringConfigInput,
  parseMonitoringConfig,
} from "./config";
import { dashboardConfigMap, dashboardsFor, PLATFORM_DASHBOARDS, type PlatformDashboard } from "./dashboards";
import {
  MONITORING_ADDON_ID,
  MONITORING_NAMESPACE,
  MONITORING_POD_LABELS,
  MONITORING_PORTS,
  MONITORING_RELEASE,
  MONITORING_SECRETS,
  NODE_EXPORTER_NAMESPACE,
  receiverSecretName,
  STORAGE_ADDON_ID,
} from "./names";
import { type AlertRuleOptions, platformRuleGroups, ruleGroupsDocument } from "./rules";
import { SERVING_ADDON_ID, SERVING_METRICS_PORT, SERVING_SELDON_METRICS_PORT } from "./serving";
import { monitoringChartValues } from "./values";

export * from "./names";

/** One Prometheus rule group, as in a PrometheusRule's `spec.groups` (validated against the CRD in tests). */
export interface MonitoringRuleGroup {
  readonly name: string;
  readonly interval?: string;
  readonly rules: readonly object[];
}

/** A PrometheusRule the add-on emits into its namespace: `name` becomes `metadata.name` and the construct id. */
export interface MonitoringRuleSet {
  readonly name: string;
  readonly groups: readonly MonitoringRuleGroup[];
}

/**
 * Where the platform's alert rules plug in: a function of the deployed platform (which add-ons run) returning
 * the rule sets to emit. The rules as code (constructs/addons/monitoring/rules/) provide one.
 */
export type MonitoringRules = (context: AddOnContext) => readonly MonitoringRuleSet[];

/**
 * The kit's alert rules (./rules) for the add-ons the platform runs: one PrometheusRule per component,
 * `platform-<component>`. The Kubernetes rules always apply; the inference service's when the serving add-on
 * runs, or as `inference.enabled` says (the reference service deployed some other way).
 */
export function platformAlertRules(options: AlertRuleOptions = {}): MonitoringRules {
  return (context) => {
    const groups = platformRuleGroups(options);
    const present = {
      kafka: context.has("kafka"),
      mlflow: context.has("mlflow"),
      airflow: context.has("airflow"),
      kubernetes: true,
      gpu: context.has(DCGM_EXPORTER_ADDON_ID),
      inference: options.inference?.enabled ?? context.has(SERVING_ADDON_ID),
    } satisfies Record<keyof typeof groups, boolean>;
    return (Object.keys(present) as (keyof typeof groups)[])
      .filter((c) => present[c] && groups[c].length > 0)
      .map((c) => ({ name: `platform-${c}`, groups: ruleGroupsDocument(groups[c]) }));
  };
}

export interface MonitoringOutputs extends HelmAddOnOutputs {
  /** In-cluster Prometheus URL (the operator's governing Service). */
  readonly prometheusUrl: string;
  readonly alertmanagerUrl: string;
  /** The Grafana Service (`kubectl port-forward svc/<this> 3000:80`). */
  readonly grafanaService: string;
  /** The Secret holding Grafana's `admin-user` / `admin-password`. */
  readonly grafanaAdminSecret: string;
  readonly nodeExporterNamespace: PlatformNamespace;
  /** The PrometheusRules emitted, by name. */
  readonly rules: Readonly<Record<string, Manifest>>;
  /** The dashboard ConfigMaps emitted, by dashboard uid. */
  readonly dashboards: Readonly<Record<string, Manifest>>;
}

/**
 * Ports Prometheus scrapes in the other add-ons' namespaces (their monitors' endpoints): MLflow, Strimzi's
 * brokers (JMX exporter) and cluster operator (8080), Airflow's StatsD exporter, the KFP API server, Argo's
 * workflow controller (9090), the External Secrets controller, the DCGM exporter, the log collector (Fluent
 * Bit, 2020), metrics-server (its HTTPS port), ExternalDNS, cert-manager (9402) and the served models (8080, 9000 under Seldon). A new monitor on another
 * port needs its port here, or Prometheus cannot reach it.
 */
export const SCRAPED_PLATFORM_PORTS: readonly number[] = [
  ...new Set([
    MLFLOW_PORT,
    STRIMZI_METRICS_PORT,
    8080,
    STATSD_SCRAPE_PORT,
    KFP_PORTS.apiHttp,
    ARGO_CONTROLLER.metricsPort,
    ESO_METRICS_PORT,
    DCGM_EXPORTER_PORT,
    // Fluent Bit's HTTP server (COLLECTOR_METRICS_PORT of logging/collector, which imports this folder; the
    // logging tests check the two agree).
    2020,
    METRICS_SERVER_PORT,
    EXTERNAL_DNS_METRICS_PORT,
    // cert-manager's controller, webhook and CA injector.
    CERT_MANAGER_METRICS_PORT,
    // The reference service in the serving namespace: its own port (KServe) and Seldon's server port.
    SERVING_METRICS_PORT,
    SERVING_SELDON_METRICS_PORT,
  ]),
].sort((a, b) => a - b);

/**
 * kube-prometheus-stack: Prometheus (encrypted gp3 volumes, retention from config, 2 replicas in production)
 * loading every ServiceMonitor, PodMonitor and PrometheusRule of the kit's namespaces; Alertmanager with
 * receivers whose secrets External Secrets syncs from Secrets Manager; Grafana with its admin from External
 * Secrets and no anonymous access; node-exporter (own privileged namespace) and kube-state-metrics.
 */
export class MonitoringAddOn extends HelmAddOn<MonitoringOutputs> {
  readonly id = MONITORING_ADDON_ID;
  override readonly dependsOn: readonly string[];
  protected readonly chart = CHARTS.kubePrometheusStack;
  protected readonly defaultNamespace = MONITORING_NAMESPACE;
  protected readonly defaultReleaseName = MONITORING_RELEASE;
  private nodeExporterNamespace?: PlatformNamespace;

  constructor(
    readonly config: MonitoringConfig,
    private readonly rules: MonitoringRules = () => [],
    /** Dashboards (./dashboards) to emit when their add-ons run. */
    private readonly dashboards: readonly PlatformDashboard[] = [],
  ) {
    // Grafana's admin and the receivers' Secrets come from ExternalSecrets, applied after the add-ons (see
    // SECRETS_AFTER_RELEASE): the release cannot wait for ready pods.
    super({ ...config.helm, wait: false, atomic: false });
    // The controller's webhook validates Grafana's Ingress: it must be up before the release.
    this.dependsOn = [
      EXTERNAL_SECRETS_ADDON_ID,
      STORAGE_ADDON_ID,
      ...(config.grafana.ingress ? [LOAD_BALANCER_CONTROLLER_ADDON_ID] : []),
    ];
  }

  protected override beforeRelease(context: AddOnContext, namespace: PlatformNamespace): void {
    const ns = this.namespaceName;
    this.nodeExporterNamespace = new PlatformNamespace(context.scope, "NodeExporterNamespace", {
      name: NODE_EXPORTER_NAMESPACE,
      provider: context.cluster.kubernetesProvider,
      podSecurity: "privileged",
      podSecurityReason:
        "node-exporter reads the host's /proc, /sys and root filesystem (hostPath, hostPID) and serves on the node's network (hostNetwork)",
    });
    this.nodeExporterNamespace.allowIngress(
      "Prometheus",
      {
        from: [
          {
            namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": ns } },
            podSelector: { matchLabels: MONITORING_POD_LABELS.prometheus },
          },
        ],
        ports: [{ port: String(MONITORING_PORTS.nodeExporter), protocol: "TCP" }],
      },
      MONITORING_POD_LABELS.nodeExporter,
    );

    const admin = this.config.grafana.adminSecretArn;
    if (admin) {
      syncSecret(context, {
        id: "GrafanaAdmin",
        namespace: ns,
        name: MONITORING_SECRETS.grafanaAdmin,
        secretArn: admin,
        template: { "admin-user": "{{ .username }}", "admin-password": "{{ .password }}" },
      });
    } else {
      generatedSecret(context, {
        id: "GrafanaAdmin",
        namespace: ns,
        name: MONITORING_SECRETS.grafanaAdmin,
        keys: { "admin-password": { length: 32 } },
        literals: { "admin-user": "admin" },
      });
    }
    for (const r of receiversWithSecrets(this.config)) {
      syncSecret(context, {
        id: `Receiver-${r.name}`,
        namespace: ns,
        name: receiverSecretName(r.name),
        secretArn: r.secretArn as string,
        template: receiverSecretTemplate(r),
      });
    }
    this.networkPolicies(context, namespace);
  }

  /** On top of the namespace's default-deny, which admits traffic inside the namespace and DNS. */
  private networkPolicies(context: AddOnContext, namespace: PlatformNamespace): void {
    const tcp = (port: number) => ({ port: String(port), protocol: "TCP" });
    const vpc = [{ ipBlock: { cidr: context.platform.vpcCidr } }];
    const platform = [{ namespaceSelector: { matchLabels: { [PLATFORM_NAMESPACE_LABEL]: "true" } } }];
    // Scrapes: the add-ons' metrics ports, the kubelets (cAdvisor) and node-exporter on the nodes' addresses.
    namespace.allowEgress(
      "PrometheusPlatformTargets",
      { to: platform, ports: SCRAPED_PLATFORM_PORTS.map(tcp) },
      MONITORING_POD_LABELS.prometheus,
    );
    namespace.allowEgress(
      "PrometheusNodeTargets",
      { to: vpc, ports: [tcp(MONITORING_PORTS.kubelet), tcp(MONITORING_PORTS.nodeExporter)] },
      MONITORING_POD_LABELS.prometheus,
    );
    // The Kubernetes API (service discovery, the operator, kube-state-metrics, Grafana's sidecar, the webhook
    // jobs) and the receivers: Slack, PagerDuty and webhooks over HTTPS.
    namespace.allowHttpsEgress("Https");
    const extra = this.receiverPorts().filter((p) => p !== 443);
    if (extra.length > 0) {
      namespace.allowEgress("AlertReceivers", { ports: extra.map(tcp) }, MONITORING_POD_LABELS.alertmanager);
    }
    const es = this.config.grafana.elasticsearch;
    if (es) {
      const url = new URL(es.url);
      const port = Number(url.port || (url.protocol === "https:" ? 443 : 80));
      if (port !== 443)
        namespace.allowEgress("Elasticsearch", { ports: [tcp(port)] }, MONITORING_POD_LABELS.grafana);
    }
    if (this.config.grafana.ingress) {
      allowLoadBalancer(
        namespace,
        context.platform.vpcCidr,
        MONITORING_PORTS.grafana,
        MONITORING_POD_LABELS.grafana,
      );
    }
    // The API server calls the operator's admission webhook from the control plane's ENIs in the VPC.
    namespace.allowIngress(
      "OperatorWebhook",
      { from: vpc, ports: [tcp(MONITORING_PORTS.operatorWebhook)] },
      MONITORING_POD_LABELS.operator,
    );
  }

  /** SMTP and non-HTTPS webhook ports the receivers need. */
  private receiverPorts(): number[] {
    const ports = this.config.alertmanager.receivers.map((r) => {
      if (r.type === "email") return Number(r.smarthost.split(":")[1]);
      if (r.type === "webhook") {
        const url = new URL(r.url);
        return Number(url.port || (url.protocol === "https:" ? 443 : 80));
      }
      return 443;
    });
    return [...new Set(ports)].sort((a, b) => a - b);
  }

  protected values(context: AddOnContext): Record<string, unknown> {
    return monitoringChartValues({
      config: this.config,
      production: isProductionEnvironment(context.platform.environment),
      vpcCidr: context.platform.vpcCidr,
    });
  }

  protected override afterRelease(context: AddOnContext, outputs: HelmAddOnOutputs): MonitoringOutputs {
    const nodeExporterNamespace = this.nodeExporterNamespace as PlatformNamespace;
    // The release also installs node-exporter into its own namespace, which must exist first.
    outputs.release.dependsOn = [...(outputs.release.dependsOn ?? []), nodeExporterNamespace.resource.fqn];
    const ns = this.namespaceName;
    const rules: Record<string, Manifest> = {};
    for (const set of this.rules(context)) {
      if (rules[set.name])
        throw new Error(`add-on monitoring: PrometheusRule ${JSON.stringify(set.name)} emitted twice`);
      rules[set.name] = context.manifest(`PrometheusRule-${set.name}`, {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "PrometheusRule",
        metadata: { name: set.name, namespace: ns },
        spec: { groups: set.groups },
      });
    }
    const dashboards: Record<string, Manifest> = {};
    for (const d of dashboardsFor((id) => context.has(id), this.dashboards))
      dashboards[d.uid] = context.manifest(`Dashboard-${d.uid}`, dashboardConfigMap(d, ns));
    return {
      ...outputs,
      prometheusUrl: `http://prometheus-operated.${ns}.svc:${MONITORING_PORTS.prometheus}`,
      alertmanagerUrl: `http://alertmanager-operated.${ns}.svc:${MONITORING_PORTS.alertmanager}`,
      grafanaService: `${MONITORING_RELEASE}-grafana`,
      grafanaAdminSecret: MONITORING_SECRETS.grafanaAdmin,
      nodeExporterNamespace,
      rules,
      dashboards,
    };
  }
}

/** The monitoring add-on (id `monitoring`, depends on `external-secrets` and `storage`); takes `addons.monitoring`. */
export function monitoringAddOn(
  config: MonitoringConfigInput | MonitoringConfig = {},
  rules?: MonitoringRules,
  dashboards?: readonly PlatformDashboard[],
): AddOn<MonitoringOutputs> {
  return new MonitoringAddOn(parseMonitoringConfig(config), rules, dashboards);
}

/** The registry entry: `addons.monitoring` switches it on. */
export const monitoringDefinition = {
  id: MONITORING_ADDON_ID,
  config: MONITORING_CONFIG,
  create: (config: MonitoringConfig, platform?: AddOnSelection) => {
    const { enabled, ...thresholds } = config.rules;
    // The lag rule watches the platform's own consumer groups: those the Kafka add-on grants (unless set).
    // Derived when the rules are rendered, not here: `create` also runs while the configuration is checked,
    // when the Kafka section may still be invalid.
    const kafka = platform?.addons.kafka as KafkaConfig | undefined;
    const rules: MonitoringRules = (context) => {
      const prefixes =
        thresholds.kafka.consumerGroupPrefixes ?? (kafka?.enabled ? consumerGroupPrefixes(kafka) : undefined);
      const kafkaOptions = { ...thresholds.kafka, consumerGroupPrefixes: prefixes };
      return platformAlertRules({ ...thresholds, kafka: kafkaOptions })(context);
    };
    return new MonitoringAddOn(config, enabled !== false ? rules : undefined, PLATFORM_DASHBOARDS);
  },
  dependencyProblem: (dependency, config) =>
    ingressDependencyProblem(dependency, ["monitoring", "grafana", "ingress"], config.grafana.ingress),
} satisfies AddOnDefinition<typeof MONITORING_CONFIG>;
