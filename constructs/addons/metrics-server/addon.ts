import type { AddOn, AddOnContext } from "../../core/addon";
import type { AddOnDefinition, AddOnSelection } from "../../core/addon-definition";
import { CHARTS } from "../../core/charts";
import { HelmAddOn, type HelmAddOnOutputs } from "../../core/helm-addon";
import { nodePoolProblems } from "../../core/node-placement";
import type { PlatformNamespace } from "../../core/platform-namespace";
import { podMonitor } from "../../core/pod-monitor";
import {
  METRICS_SERVER_CONFIG,
  type MetricsServerConfig,
  type MetricsServerConfigInput,
  parseMetricsServerConfig,
} from "./config";
import {
  KUBELET_PORT,
  METRICS_SERVER_ADDON_ID,
  METRICS_SERVER_NAMESPACE,
  METRICS_SERVER_POD_LABELS,
  METRICS_SERVER_PORT,
  METRICS_SERVER_RELEASE,
} from "./names";
import { metricsServerValues } from "./values";

export * from "./names";

/**
 * metrics-server: the `metrics.k8s.io` API (node and pod CPU/memory) that HorizontalPodAutoscalers, `kubectl
 * top` and the scheduler-facing tools read. Highly available on the system pool, PSS restricted, behind a
 * default-deny NetworkPolicy that admits only the API server and, with monitoring, Prometheus.
 */
export class MetricsServerAddOn extends HelmAddOn {
  readonly id = METRICS_SERVER_ADDON_ID;
  protected readonly chart = CHARTS.metricsServer;
  protected readonly defaultNamespace = METRICS_SERVER_NAMESPACE;
  protected readonly defaultReleaseName = METRICS_SERVER_RELEASE;

  constructor(readonly config: MetricsServerConfig) {
    super(config.helm);
  }

  protected values(context: AddOnContext): Record<string, unknown> {
    return metricsServerValues({ config: this.config, monitoring: context.has("monitoring") });
  }

  protected override beforeRelease(context: AddOnContext, namespace: PlatformNamespace): void {
    const vpc = [{ ipBlock: { cidr: context.platform.vpcCidr } }];
    const port = (n: number) => [{ port: String(n), protocol: "TCP" }];
    // The EKS control plane calls the aggregated API from its cross-account ENIs in the VPC's subnets: no
    // pod or namespace selector matches them, so the VPC CIDR is admitted, on this one port.
    namespace.allowIngress(
      "FromApiServer",
      { from: vpc, ports: port(METRICS_SERVER_PORT) },
      METRICS_SERVER_POD_LABELS,
    );
    if (context.has("monitoring")) {
      namespace.allowMetricsScrape(METRICS_SERVER_PORT, METRICS_SERVER_POD_LABELS);
    }
    // The kubelets it scrapes (nodes' addresses are in the VPC), and the API server (its ENIs too, behind
    // the kubernetes Service), nothing else; DNS comes with the namespace's default-deny policy.
    namespace.allowEgress("Kubelets", { to: vpc, ports: port(KUBELET_PORT) }, METRICS_SERVER_POD_LABELS);
    namespace.allowEgress("ApiServer", { to: vpc, ports: port(443) }, METRICS_SERVER_POD_LABELS);
  }

  protected override afterRelease(context: AddOnContext, outputs: HelmAddOnOutputs): HelmAddOnOutputs {
    if (context.has("monitoring")) {
      context.manifest(
        "PodMonitor",
        podMonitor({
          name: "metrics-server",
          namespace: this.namespaceName,
          selector: METRICS_SERVER_POD_LABELS,
          portNumber: METRICS_SERVER_PORT,
          // Its serving certificate is self-signed at start-up (--cert-dir): there is no CA to check it against.
          scheme: "https",
          insecureSkipVerify: true,
        }),
      );
    }
    return outputs;
  }
}

/** The metrics-server add-on (id `metrics-server`); takes `addons.metricsServer`. */
export function metricsServerAddOn(
  config: MetricsServerConfigInput | MetricsServerConfig = {},
): AddOn<HelmAddOnOutputs> {
  return new MetricsServerAddOn(parseMetricsServerConfig(config));
}

/** The registry entry: `addons.metricsServer` switches it on (every preset does). */
export const metricsServerDefinition = {
  id: METRICS_SERVER_ADDON_ID,
  config: METRICS_SERVER_CONFIG,
  create: (config: MetricsServerConfig) => new MetricsServerAddOn(config),
  // The pods select their pool by label: a pool the platform does not create would leave them Pending.
  platformProblems: (config: MetricsServerConfig, platform: AddOnSelection) =>
    nodePoolProblems(METRICS_SERVER_CONFIG.key, config.nodePool, platform),
} satisfies AddOnDefinition<typeof METRICS_SERVER_CONFIG>;
