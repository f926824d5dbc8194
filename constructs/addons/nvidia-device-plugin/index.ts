import { GPU_NODE_LABELS, GPU_TAINT, HOST_DEVICE_PLUGIN_LABEL } from "../../cluster/node-pool-options";
import type { AddOnDefinition, AddOnSelection } from "../../core/addon-definition";
import { CHARTS } from "../../core/charts";
import { HelmAddOn, type HelmAddOnProps } from "../../core/helm-addon";

const GPU_PRESENT_LABEL = "nvidia.com/gpu.present";

/** Whether the platform has a GPU node pool (the device plugin and the DCGM exporter run only then). */
export function hasGpuPool(platform: AddOnSelection): boolean {
  return Object.values(platform.nodePools).some((p) => p.create && p.gpu);
}

/**
 * Node selector and tolerations of a DaemonSet for the GPU nodes of the kit's pools: the GPU label, the GPU
 * taint, and CriticalAddonsOnly (system DaemonSets must also run where only critical add-ons are admitted).
 */
export function gpuNodePlacement() {
  return {
    nodeSelector: { [GPU_PRESENT_LABEL]: GPU_NODE_LABELS[GPU_PRESENT_LABEL] },
    tolerations: [
      { key: GPU_TAINT.key, operator: "Exists", effect: "NoSchedule" },
      { key: "CriticalAddonsOnly", operator: "Exists" },
    ],
  };
}

/**
 * The values the kit sets; every key exists in the chart's reference values.yaml (a test checks it). Only GPU
 * nodes of the kit's pools match, and Bottlerocket NVIDIA nodes (which run the plugin on the host) do not.
 */
export function nvidiaDevicePluginValues(): Record<string, unknown> {
  const { nodeSelector, tolerations } = gpuNodePlacement();
  return {
    nodeSelector,
    affinity: {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [
            {
              matchExpressions: [
                { key: GPU_PRESENT_LABEL, operator: "In", values: ["true"] },
                { key: HOST_DEVICE_PLUGIN_LABEL, operator: "DoesNotExist" },
              ],
            },
          ],
        },
      },
    },
    tolerations,
    priorityClassName: "system-node-critical",
    devicePlugin: { enabled: true },
    // GPU feature discovery needs a privileged pod and NFD; the kit labels GPU nodes itself.
    gfd: { enabled: false },
  };
}

export type NvidiaDevicePluginAddOnProps = HelmAddOnProps;

/**
 * NVIDIA's Kubernetes device plugin (chart pinned in `CHARTS.nvidiaDevicePlugin`), advertising `nvidia.com/gpu`
 * on the GPU pools' nodes. Installed through the add-on contract like every in-cluster component. It serves the
 * kubelet over a unix socket and has no metrics endpoint at this version, so it emits no monitor: GPU
 * telemetry (and per-pod allocation) comes from the DCGM exporter (../dcgm-exporter).
 */
export class NvidiaDevicePluginAddOn extends HelmAddOn {
  readonly id = "nvidia-device-plugin";
  protected readonly chart = CHARTS.nvidiaDevicePlugin;
  protected readonly defaultNamespace = "nvidia-device-plugin";
  protected readonly defaultReleaseName = "nvidia-device-plugin";
  // The plugin registers with the kubelet through a hostPath socket (/var/lib/kubelet/device-plugins), which
  // Pod Security "baseline" and "restricted" both forbid.
  protected override readonly podSecurity = "privileged" as const;
  protected override readonly podSecurityReason =
    "the device plugin mounts the kubelet's device-plugin socket directory (hostPath) to advertise GPUs";

  constructor(props: NvidiaDevicePluginAddOnProps = {}) {
    super({ ...props, timeoutInSeconds: props.timeoutInSeconds ?? 600 });
  }

  protected values(): Record<string, unknown> {
    return nvidiaDevicePluginValues();
  }
}

/** The registry entry: on when the platform has a GPU node pool, which needs the plugin to offer its GPUs. */
export const nvidiaDevicePluginDefinition = {
  id: "nvidia-device-plugin",
  enabled: hasGpuPool,
  create: () => new NvidiaDevicePluginAddOn(),
} satisfies AddOnDefinition;
