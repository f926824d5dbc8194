import { albIngress } from "../../core/ingress";
import { PLATFORM_NAMESPACE_LABEL } from "../../core/platform-namespace";
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from "../../core/pod-security";
import { alertmanagerConfig, receiversWithSecrets } from "./alertmanager";
import type { MonitoringConfig } from "./config";
import {
  GRAFANA_DASHBOARD_LABEL,
  GRAFANA_DASHBOARD_LABEL_VALUE,
  GRAFANA_FOLDER_ANNOTATION,
  MONITORING_SECRETS,
  NODE_EXPORTER_NAMESPACE,
  receiverSecretName,
  STORAGE_CLASS,
} from "./names";

export interface MonitoringValuesInput {
  readonly config: MonitoringConfig;
  /** Production environments get 2 Prometheus and Alertmanager replicas unless the config says otherwise. */
  readonly production: boolean;
  /** What an internal Grafana ingress admits unless its allowedCidrs say otherwise. */
  readonly vpcCidr: string;
}

type Resources = { cpuRequest: string; memoryRequest: string; memoryLimit: string };
const resources = (r: Resources) => ({
  requests: { cpu: r.cpuRequest, memory: r.memoryRequest },
  limits: { memory: r.memoryLimit },
});
/** Small fixed sizes for the helper containers and jobs the config does not expose. */
const small = (cpu: string, memory: string) => ({ requests: { cpu, memory }, limits: { memory } });

const volumeClaim = (gib: number) => ({
  volumeClaimTemplate: {
    spec: {
      storageClassName: STORAGE_CLASS,
      accessModes: ["ReadWriteOnce"],
      resources: { requests: { storage: `${gib}Gi` } },
    },
  },
});

/** The chart's uid/gid 1000/2000 for Prometheus and Alertmanager, with PSS restricted's seccomp profile. */
const POD_SECURITY = restrictedPodSecurityContext({ runAsUser: 1000, runAsGroup: 2000, fsGroup: 2000 });
const CONTAINER_SECURITY = restrictedContainerSecurityContext();

/**
 * Which monitors and rules Prometheus loads: every ServiceMonitor, PodMonitor, Probe, ScrapeConfig and
 * PrometheusRule in a namespace of the kit (label `mlops.io/platform`), whatever their labels. The add-ons
 * emit monitors without a common label, so `…SelectorNilUsesHelmValues: false` makes the empty selector mean
 * "all" instead of "this release's"; the namespace selector keeps objects in other namespaces out.
 */
const PLATFORM_NAMESPACES = { matchLabels: { [PLATFORM_NAMESPACE_LABEL]: "true" } };
const SELECTORS = Object.fromEntries(
  ["serviceMonitor", "podMonitor", "probe", "scrapeConfig", "rule"].flatMap((k) => [
    [`${k}SelectorNilUsesHelmValues`, false],
    [`${k}Selector`, {}],
    [`${k}NamespaceSelector`, PLATFORM_NAMESPACES],
  ]),
);

/**
 * The kit's values for kube-prometheus-stack (88.5.3). Every key outside the subcharts exists in the chart's
 * values.yaml (tests check it). No secret value appears here: the Alertmanager receivers read files from
 * Secrets that External Secrets fills, and Grafana's admin comes from the `grafana-admin` Secret.
 */
export function monitoringChartValues(input: MonitoringValuesInput): Record<string, unknown> {
  const { config } = input;
  const replicas = (n: number | undefined) => n ?? (input.production ? 2 : 1);
  const es = config.grafana.elasticsearch;
  return {
    // EKS runs the control plane: its scheduler, controller manager and etcd cannot be scraped, and kube-proxy
    // serves metrics on 127.0.0.1 only.
    kubeControllerManager: { enabled: false },
    kubeScheduler: { enabled: false },
    kubeEtcd: { enabled: false },
    kubeProxy: { enabled: false },
    prometheusOperator: {
      resources: small("100m", "256Mi"),
      securityContext: restrictedPodSecurityContext({ runAsUser: 65534, runAsGroup: 65534, fsGroup: 65534 }),
      containerSecurityContext: CONTAINER_SECURITY,
      prometheusConfigReloader: { resources: small("10m", "64Mi") },
      admissionWebhooks: { patch: { resources: small("10m", "64Mi") } },
    },
    prometheus: {
      prometheusSpec: {
        replicas: replicas(config.prometheus.replicas),
        retention: config.prometheus.retention,
        retentionSize: config.prometheus.retentionSize,
        resources: resources(config.prometheus.resources),
        storageSpec: volumeClaim(config.prometheus.storageGiB),
        securityContext: POD_SECURITY,
        ...SELECTORS,
      },
    },
    alertmanager: {
      config: alertmanagerConfig(config),
      alertmanagerSpec: {
        replicas: replicas(config.alertmanager.replicas),
        resources: resources(config.alertmanager.resources),
        storage: volumeClaim(2),
        securityContext: POD_SECURITY,
        // Mounted at /etc/alertmanager/secrets/<name>/; the receivers' *_file fields point there.
        secrets: receiversWithSecrets(config).map((r) => receiverSecretName(r.name)),
      },
    },
    grafana: {
      admin: {
        existingSecret: MONITORING_SECRETS.grafanaAdmin,
        userKey: "admin-user",
        passwordKey: "admin-password",
      },
      "grafana.ini": {
        "auth.anonymous": { enabled: false },
        users: { allow_sign_up: false },
        analytics: { reporting_enabled: false, check_for_updates: false },
        // Redirects and links Grafana writes use the address users reach it at.
        ...(config.grafana.ingress ? { server: { root_url: `https://${config.grafana.ingress.host}` } } : {}),
      },
      ...grafanaIngress(input),
      resources: resources(config.grafana.resources),
      securityContext: restrictedPodSecurityContext({ runAsUser: 472, runAsGroup: 472, fsGroup: 472 }),
      containerSecurityContext: CONTAINER_SECURITY,
      sidecar: {
        resources: small("50m", "128Mi"),
        securityContext: CONTAINER_SECURITY,
        // Any ConfigMap labelled grafana_dashboard=1 in any namespace becomes a dashboard, in the folder its
        // grafana_folder annotation names (the root folder without one).
        dashboards: {
          enabled: true,
          label: GRAFANA_DASHBOARD_LABEL,
          labelValue: GRAFANA_DASHBOARD_LABEL_VALUE,
          searchNamespace: "ALL",
          folderAnnotation: GRAFANA_FOLDER_ANNOTATION,
          provider: { foldersFromFilesStructure: true },
        },
        datasources: { enabled: true, defaultDatasourceEnabled: true, alertmanager: { enabled: true } },
      },
      additionalDataSources: es
        ? [
            {
              name: "Elasticsearch",
              uid: "elasticsearch",
              type: "elasticsearch",
              access: "proxy",
              url: es.url,
              jsonData: { index: es.index, timeField: es.timeField },
            },
          ]
        : [],
    },
    "kube-state-metrics": {
      resources: small("50m", "128Mi"),
      securityContext: restrictedPodSecurityContext({ runAsUser: 65534, runAsGroup: 65534, fsGroup: 65534 }),
      containerSecurityContext: CONTAINER_SECURITY,
    },
    "prometheus-node-exporter": {
      namespaceOverride: NODE_EXPORTER_NAMESPACE,
      resources: small("50m", "64Mi"),
    },
  };
}

/** The Grafana subchart's `ingress` for `grafana.ingress` (core/ingress.ts), or nothing. */
function grafanaIngress(input: MonitoringValuesInput): Record<string, unknown> {
  const ingress = input.config.grafana.ingress;
  if (!ingress) return {};
  const alb = albIngress({ ingress, vpcCidr: input.vpcCidr, healthCheckPath: "/api/health" });
  return {
    ingress: {
      enabled: true,
      ingressClassName: alb.className,
      annotations: alb.annotations,
      hosts: [alb.host],
      path: "/",
      pathType: "Prefix",
    },
  };
}
