import type { AddOn, AddOnContext } from "../../core/addon";
import type { AddOnDefinition, AddOnSelection } from "../../core/addon-definition";
import { CHARTS } from "../../core/charts";
import { HelmAddOn, type HelmAddOnOutputs } from "../../core/helm-addon";
import { nodePoolProblems } from "../../core/node-placement";
import type { PlatformNamespace } from "../../core/platform-namespace";
import { podMonitor } from "../../core/pod-monitor";
import {
  CERT_MANAGER_CONFIG,
  type CertManagerConfig,
  type CertManagerConfigInput,
  parseCertManagerConfig,
} from "./config";
import {
  CERT_MANAGER_ADDON_ID,
  CERT_MANAGER_INSTANCE_LABELS,
  CERT_MANAGER_METRICS_PORT,
  CERT_MANAGER_NAMESPACE,
  CERT_MANAGER_RELEASE,
  CERT_MANAGER_WEBHOOK_PORT,
  certManagerPodLabels,
} from "./names";
import { certManagerValues } from "./values";

export * from "./names";

/**
 * cert-manager: the controller that issues and renews certificates from Issuers in the cluster, the webhook
 * the API server calls for cert-manager resources, and the CA injector that writes a CA into webhook
 * configurations (`cert-manager.io/inject-ca-from`). PSS restricted, on the system pool, behind a default-deny
 * NetworkPolicy admitting only the API server (to the webhook) and, with monitoring, Prometheus.
 */
export class CertManagerAddOn extends HelmAddOn {
  readonly id = CERT_MANAGER_ADDON_ID;
  protected readonly chart = CHARTS.certManager;
  protected readonly defaultNamespace = CERT_MANAGER_NAMESPACE;
  protected readonly defaultReleaseName = CERT_MANAGER_RELEASE;

  constructor(readonly config: CertManagerConfig) {
    super(config.helm);
  }

  protected values(): Record<string, unknown> {
    return certManagerValues(this.config);
  }

  protected override beforeRelease(context: AddOnContext, namespace: PlatformNamespace): void {
    const vpc = [{ ipBlock: { cidr: context.platform.vpcCidr } }];
    const port = (n: number) => [{ port: String(n), protocol: "TCP" }];
    // The EKS control plane calls the webhook from its cross-account ENIs in the VPC's subnets, which no pod or
    // namespace selector matches: the VPC CIDR is admitted, on the webhook's port only.
    namespace.allowIngress(
      "FromApiServer",
      { from: vpc, ports: port(CERT_MANAGER_WEBHOOK_PORT) },
      certManagerPodLabels("webhook"),
    );
    // Every component (and the startup check) talks only to the API server (its ENIs in the VPC, behind the
    // kubernetes Service); DNS comes with the default-deny policy. Self-signed and CA issuers need nothing
    // else; an ACME issuer would need egress to its ACME server (README).
    namespace.allowEgress("ApiServer", { to: vpc, ports: port(443) }, CERT_MANAGER_INSTANCE_LABELS);
    if (context.has("monitoring")) {
      namespace.allowMetricsScrape(CERT_MANAGER_METRICS_PORT, CERT_MANAGER_INSTANCE_LABELS);
    }
  }

  protected override afterRelease(context: AddOnContext, outputs: HelmAddOnOutputs): HelmAddOnOutputs {
    if (context.has("monitoring")) {
      // One monitor for the controller, the webhook and the CA injector: each declares `http-metrics` 9402;
      // the startup check's pod declares no such port, so Prometheus drops it as a target.
      context.manifest(
        "PodMonitor",
        podMonitor({
          name: "cert-manager",
          namespace: this.namespaceName,
          selector: CERT_MANAGER_INSTANCE_LABELS,
          portNumber: CERT_MANAGER_METRICS_PORT,
        }),
      );
    }
    return outputs;
  }
}

/** The cert-manager add-on (id `cert-manager`); takes `addons.certManager`. */
export function certManagerAddOn(
  config: CertManagerConfigInput | CertManagerConfig = {},
): AddOn<HelmAddOnOutputs> {
  return new CertManagerAddOn(parseCertManagerConfig(config));
}

/** What of another add-on's section decides whether cert-manager is needed (read loosely: no import). */
interface ServingSection {
  readonly enabled?: boolean;
  readonly engine?: string;
}

/** Whether the platform runs KServe, whose chart needs cert-manager for its webhook certificate. */
export function platformNeedsCertManager(platform: AddOnSelection): boolean {
  const serving = platform.addons.serving as ServingSection | undefined;
  return serving?.enabled === true && (serving.engine ?? "kserve") === "kserve";
}

/** Whether the kit installs cert-manager: `enabled` when set, else when KServe needs it and none is external. */
export function certManagerInstalled(platform: AddOnSelection): boolean {
  const section = platform.addons.certManager as Partial<CertManagerConfig> | undefined;
  if (section?.enabled !== undefined) return section.enabled;
  return platformNeedsCertManager(platform) && section?.external !== true;
}

/** The registry entry: `addons.certManager.enabled`, or on by itself for KServe serving. */
export const certManagerDefinition = {
  id: CERT_MANAGER_ADDON_ID,
  config: CERT_MANAGER_CONFIG,
  // Consulted only while `enabled` is unset (an explicit value wins).
  enabled: certManagerInstalled,
  create: (config: CertManagerConfig) => new CertManagerAddOn(config),
  // The pods select their pool by label: a pool the platform does not create would leave them Pending.
  platformProblems: (config: CertManagerConfig, platform: AddOnSelection) =>
    nodePoolProblems(CERT_MANAGER_CONFIG.key, config.nodePool, platform),
} satisfies AddOnDefinition<typeof CERT_MANAGER_CONFIG>;
