import { ConfigMapV1 } from "@cdktf/provider-kubernetes/lib/config-map-v1";
import type { NodeTaint } from "../../cluster/node-pool-options";
import type { AddOnContext } from "../../core/addon";
import type { AddOnDefinition } from "../../core/addon-definition";
import { CHARTS } from "../../core/charts";
import { HelmAddOn, type HelmAddOnProps } from "../../core/helm-addon";
import type { PlatformNamespace } from "../../core/platform-namespace";
import { gpuNodePlacement, gpuPoolTaints, hasGpuPool } from "../nvidia-device-plugin";
import { DCGM_COUNTERS, type DcgmCounter, dcgmCountersCsv } from "./counters";

export * from "./counters";

export const DCGM_EXPORTER_ADDON_ID = "dcgm-exporter";
export const DCGM_EXPORTER_NAMESPACE = "dcgm-exporter";
/** The exporter's metrics port (chart `service.port`, Service and container port named `metrics`). */
export const DCGM_EXPORTER_PORT = 9400;
/** Pod labels the chart gives the DaemonSet's pods (its selector labels; release name = chart name). */
export const DCGM_EXPORTER_POD_LABELS = { "app.kubernetes.io/name": "dcgm-exporter" } as const;
/** The kit's counters file: its own ConfigMap, mounted over the path the exporter is told to read (`-f`). */
export const DCGM_COUNTERS_CONFIG_MAP = "dcgm-exporter-counters";
const COUNTERS_KEY = "counters.csv";
const COUNTERS_PATH = "/etc/dcgm-exporter/platform-counters.csv";

/**
 * The values the kit sets; every key exists in the chart's reference values.yaml (the validation checks it).
 * The container keeps the chart's root user but none of its capabilities: the chart adds SYS_ADMIN for the
 * profiling fields (DCGM_FI_PROF_*), which the kit does not collect, so `add` is emptied (Helm merges maps, so
 * leaving it out would keep the chart's SYS_ADMIN). Root stays because the exporter reads the kubelet's
 * pod-resources socket (root-owned, hostPath) to label each GPU with the pod it is allocated to.
 */
export function dcgmExporterValues(poolTaints: readonly NodeTaint[] = []): Record<string, unknown> {
  return {
    arguments: ["-f", COUNTERS_PATH],
    ...gpuNodePlacement(poolTaints),
    securityContext: {
      runAsNonRoot: false,
      runAsUser: 0,
      capabilities: { add: [], drop: ["ALL"] },
      allowPrivilegeEscalation: false,
      seccompProfile: { type: "RuntimeDefault" },
    },
    service: { port: DCGM_EXPORTER_PORT, address: `:${DCGM_EXPORTER_PORT}` },
    resources: { requests: { cpu: "50m", memory: "128Mi" }, limits: { memory: "512Mi" } },
    serviceMonitor: { enabled: true, interval: "30s" },
    extraConfigMapVolumes: [
      {
        name: "platform-counters",
        configMap: { name: DCGM_COUNTERS_CONFIG_MAP, items: [{ key: COUNTERS_KEY, path: COUNTERS_KEY }] },
      },
    ],
    extraVolumeMounts: [{ name: "platform-counters", mountPath: COUNTERS_PATH, subPath: COUNTERS_KEY }],
  };
}

export interface DcgmExporterAddOnProps extends HelmAddOnProps {
  /** DCGM fields to collect. @default DCGM_COUNTERS (what the kit's GPU rules and dashboards query) */
  readonly counters?: readonly DcgmCounter[];
  /** Taints of the GPU pools the exporter must tolerate besides `nvidia.com/gpu`. @default [] */
  readonly gpuPoolTaints?: readonly NodeTaint[];
}

/**
 * NVIDIA's DCGM exporter (chart pinned in `CHARTS.dcgmExporter`): a DaemonSet on the GPU pools' nodes serving
 * GPU utilization, memory, temperature, power and Xid/ECC errors per GPU and pod on :9400, with the chart's
 * ServiceMonitor, which the monitoring add-on's Prometheus loads from the kit's namespaces.
 */
export class DcgmExporterAddOn extends HelmAddOn {
  readonly id = DCGM_EXPORTER_ADDON_ID;
  // The ServiceMonitor's CRD comes with the monitoring add-on's chart, and nothing else would scrape it. By id,
  // as the other add-ons name it: the monitoring add-on imports this folder (port, rules), not the reverse.
  override readonly dependsOn = ["monitoring"];
  protected readonly chart = CHARTS.dcgmExporter;
  protected readonly defaultNamespace = DCGM_EXPORTER_NAMESPACE;
  protected readonly defaultReleaseName = "dcgm-exporter";
  // The chart always mounts the kubelet's pod-resources directory (hostPath) and runs the exporter as root,
  // which Pod Security "baseline" and "restricted" both forbid. No capability, no privileged container.
  protected override readonly podSecurity = "privileged" as const;
  protected override readonly podSecurityReason =
    "the DCGM exporter mounts the kubelet's pod-resources socket directory (hostPath) and reads it as root to map GPUs to pods; no capabilities are added";
  private readonly counters: readonly DcgmCounter[];
  private readonly gpuPoolTaints: readonly NodeTaint[];

  constructor(props: DcgmExporterAddOnProps = {}) {
    const { counters = DCGM_COUNTERS, gpuPoolTaints = [], ...helm } = props;
    super(helm);
    this.counters = counters;
    this.gpuPoolTaints = gpuPoolTaints;
  }

  protected override beforeRelease(context: AddOnContext, namespace: PlatformNamespace): void {
    new ConfigMapV1(context.scope, "Counters", {
      provider: context.cluster.kubernetesProvider,
      metadata: { name: DCGM_COUNTERS_CONFIG_MAP, namespace: this.namespaceName },
      data: { [COUNTERS_KEY]: dcgmCountersCsv(this.counters) },
      dependsOn: [namespace.resource],
    });
    // Prometheus (in a namespace of the kit) scrapes the exporter; the exporter itself needs no egress.
    namespace.allowMetricsScrape(DCGM_EXPORTER_PORT, DCGM_EXPORTER_POD_LABELS);
  }

  protected values(): Record<string, unknown> {
    return dcgmExporterValues(this.gpuPoolTaints);
  }
}

/** The registry entry: on when the platform has a GPU node pool and the monitoring add-on is on. */
export const dcgmExporterDefinition = {
  id: DCGM_EXPORTER_ADDON_ID,
  enabled: (platform) =>
    hasGpuPool(platform) &&
    (platform.addons.monitoring as { enabled?: boolean } | undefined)?.enabled === true,
  create: (_config, platform) =>
    new DcgmExporterAddOn({ gpuPoolTaints: platform ? gpuPoolTaints(platform) : [] }),
} satisfies AddOnDefinition;
