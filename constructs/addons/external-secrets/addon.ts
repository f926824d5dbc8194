import type { AddOn, AddOnContext } from "../../core/addon";
import type { AddOnDefinition } from "../../core/addon-definition";
import { CHARTS } from "../../core/charts";
import { HelmAddOn, type HelmAddOnOutputs } from "../../core/helm-addon";
import { PLATFORM_NAMESPACE_LABEL, type PlatformNamespace } from "../../core/platform-namespace";
import { podMonitor } from "../../core/pod-monitor";
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from "../../core/pod-security";
import {
  EXTERNAL_SECRETS_CONFIG,
  type ExternalSecretsConfig,
  type ExternalSecretsConfigInput,
  parseExternalSecretsConfig,
} from "./config";

export const EXTERNAL_SECRETS_ADDON_ID = "external-secrets";
export const EXTERNAL_SECRETS_NAMESPACE = "external-secrets";
/** The chart's webhook listens here (values `webhook.port`); the API server calls it. */
export const ESO_WEBHOOK_PORT = 10250;
export const ESO_METRICS_PORT = 8080;

/** Pod labels the chart gives its three deployments (release name = chart name → fullname "external-secrets"). */
export const ESO_POD_LABELS = {
  controller: { "app.kubernetes.io/name": "external-secrets" },
  webhook: { "app.kubernetes.io/name": "external-secrets-webhook" },
  certController: { "app.kubernetes.io/name": "external-secrets-cert-controller" },
} as const;

/** What dependents get: the CRD API versions the kit writes, so they need not repeat them. */
export interface ExternalSecretsOutputs extends HelmAddOnOutputs {
  readonly externalSecretApiVersion: "external-secrets.io/v1";
  readonly generatorApiVersion: "generators.external-secrets.io/v1alpha1";
}

/** PSS-restricted container security context; the chart's default, set explicitly so an upgrade cannot drop it. */
const RESTRICTED_CONTAINER = { enabled: true, ...restrictedContainerSecurityContext({ runAsUser: 1000 }) };
const RESTRICTED_POD = { enabled: true, ...restrictedPodSecurityContext() };

/**
 * The subset of the external-secrets chart's values (2.10.0) the kit sets, typed from the chart's
 * `values.yaml` (github.com/external-secrets/external-secrets, deploy/charts/external-secrets). The schema data
 * has no copy of that file, so this type is the only check on these keys.
 */
export interface ExternalSecretsChartValues {
  installCRDs: boolean;
  replicaCount: number;
  leaderElect: boolean;
  /** Namespaced SecretStores only: no ClusterSecretStore may hand one namespace's secrets to another. */
  processClusterStore: boolean;
  processClusterExternalSecret: boolean;
  processClusterPushSecret: boolean;
  processPushSecret: boolean;
  serviceAccount: { create: boolean; automount: boolean };
  podSecurityContext: typeof RESTRICTED_POD;
  securityContext: typeof RESTRICTED_CONTAINER;
  resources: { requests: { cpu: string; memory: string }; limits: { memory: string } };
  serviceMonitor: { enabled: boolean };
  metrics: { listen: { port: number } };
  podDisruptionBudget: { enabled: boolean; minAvailable: number };
  webhook: {
    create: boolean;
    replicaCount: number;
    port: number;
    podSecurityContext: typeof RESTRICTED_POD;
    securityContext: typeof RESTRICTED_CONTAINER;
    resources: { requests: { cpu: string; memory: string }; limits: { memory: string } };
    podDisruptionBudget: { enabled: boolean; minAvailable: number };
  };
  certController: {
    create: boolean;
    podSecurityContext: typeof RESTRICTED_POD;
    securityContext: typeof RESTRICTED_CONTAINER;
    resources: { requests: { cpu: string; memory: string }; limits: { memory: string } };
  };
}

/**
 * External Secrets Operator: the controller, its validating webhook and the cert-controller that issues the
 * webhook's certificate, with CRDs installed by the chart. Add-ons use `syncSecret`/`generatedSecret` to get
 * Kubernetes Secrets without any secret value passing through Terraform.
 */
export class ExternalSecretsAddOn extends HelmAddOn<ExternalSecretsOutputs> {
  readonly id = EXTERNAL_SECRETS_ADDON_ID;
  protected readonly chart = CHARTS.externalSecrets;
  protected readonly defaultNamespace = EXTERNAL_SECRETS_NAMESPACE;
  protected readonly defaultReleaseName = "external-secrets";

  constructor(readonly config: ExternalSecretsConfig) {
    super(config.helm);
  }

  protected values(): Record<string, unknown> {
    const c = this.config;
    const small = { requests: { cpu: "10m", memory: "64Mi" }, limits: { memory: "256Mi" } };
    const values: ExternalSecretsChartValues = {
      installCRDs: true,
      replicaCount: c.replicas,
      leaderElect: c.replicas > 1,
      processClusterStore: false,
      processClusterExternalSecret: false,
      processClusterPushSecret: false,
      processPushSecret: false,
      serviceAccount: { create: true, automount: true },
      podSecurityContext: RESTRICTED_POD,
      securityContext: RESTRICTED_CONTAINER,
      resources: { requests: { cpu: "50m", memory: "128Mi" }, limits: { memory: "512Mi" } },
      // The kit's PodMonitor instead (afterRelease): this chart renders its ServiceMonitors only when the CRD
      // exists at install (renderMode skipIfMissing), and the monitoring chart that brings it installs later.
      serviceMonitor: { enabled: false },
      metrics: { listen: { port: ESO_METRICS_PORT } },
      podDisruptionBudget: { enabled: c.replicas > 1, minAvailable: 1 },
      webhook: {
        create: true,
        replicaCount: c.webhookReplicas,
        port: ESO_WEBHOOK_PORT,
        podSecurityContext: RESTRICTED_POD,
        securityContext: RESTRICTED_CONTAINER,
        resources: small,
        podDisruptionBudget: { enabled: c.webhookReplicas > 1, minAvailable: 1 },
      },
      certController: {
        create: true,
        podSecurityContext: RESTRICTED_POD,
        securityContext: RESTRICTED_CONTAINER,
        resources: small,
      },
    };
    return values as unknown as Record<string, unknown>;
  }

  protected override beforeRelease(context: AddOnContext, namespace: PlatformNamespace): void {
    // The controller calls AWS APIs (STS, Secrets Manager) and all three call the Kubernetes API: HTTPS only.
    namespace.allowHttpsEgress("ControllerHttps", ESO_POD_LABELS.controller);
    namespace.allowHttpsEgress("WebhookHttps", ESO_POD_LABELS.webhook);
    namespace.allowHttpsEgress("CertControllerHttps", ESO_POD_LABELS.certController);
    // The EKS control plane reaches the webhook through its ENIs in the VPC, not from a pod.
    namespace.allowIngress(
      "WebhookFromApiServer",
      {
        from: [{ ipBlock: { cidr: context.platform.vpcCidr } }],
        ports: [{ port: String(ESO_WEBHOOK_PORT), protocol: "TCP" }],
      },
      ESO_POD_LABELS.webhook,
    );
    if (context.has("monitoring")) {
      namespace.allowIngress("Metrics", {
        from: [{ namespaceSelector: { matchLabels: { [PLATFORM_NAMESPACE_LABEL]: "true" } } }],
        ports: [{ port: String(ESO_METRICS_PORT), protocol: "TCP" }],
      });
    }
  }

  protected override afterRelease(context: AddOnContext, outputs: HelmAddOnOutputs): ExternalSecretsOutputs {
    if (context.has("monitoring")) {
      context.manifest(
        "ControllerPodMonitor",
        podMonitor({
          name: "external-secrets",
          namespace: this.namespaceName,
          selector: ESO_POD_LABELS.controller,
          portNumber: ESO_METRICS_PORT,
        }),
      );
    }
    return {
      ...outputs,
      externalSecretApiVersion: "external-secrets.io/v1",
      generatorApiVersion: "generators.external-secrets.io/v1alpha1",
    };
  }
}

/** The External Secrets Operator add-on (id `external-secrets`); takes `addons.externalSecrets`. */
export function externalSecretsAddOn(
  config: ExternalSecretsConfigInput | ExternalSecretsConfig = {},
): AddOn<ExternalSecretsOutputs> {
  return new ExternalSecretsAddOn(parseExternalSecretsConfig(config));
}

/** The registry entry: `addons.externalSecrets` switches it on. */
export const externalSecretsDefinition = {
  id: EXTERNAL_SECRETS_ADDON_ID,
  config: EXTERNAL_SECRETS_CONFIG,
  create: (config: ExternalSecretsConfig) => new ExternalSecretsAddOn(config),
} satisfies AddOnDefinition<typeof EXTERNAL_SECRETS_CONFIG>;
