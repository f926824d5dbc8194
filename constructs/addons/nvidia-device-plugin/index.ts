import {
  GPU_NODE_LABELS,
  GPU_TAINT,
  HOST_DEVICE_PLUGIN_LABEL,
  KUBERNETES_TAINT_EFFECTS,
  type NodeTaint,
} from "../../cluster/node-pool-options";
import type { AddOnDefinition, AddOnSelection } from "../../core/addon-definition";
import { CHARTS } from "../../core/charts";
import { HelmAddOn, type HelmAddOnProps } from "../../core/helm-addon";

const GPU_PRESENT_LABEL = "nvidia.com/gpu.present";

/** Whether the platform has a GPU node pool (the device plugin and the DCGM exporter run only then). */
export function hasGpuPool(platform: AddOnSelection): boolean {
  return Object.values(platform.nodePools).some((p) => p.create && p.gpu);
}

/** The taints the platform's GPU pools carry besides `nvidia.com/gpu` (e.g. gpu-training's mlops.io/workload). */
export function gpuPoolTaints(platform: AddOnSelection): NodeTaint[] {
  return Object.values(platform.nodePools)
    .filter((p) => p.create && p.gpu)
    .flatMap((p) => p.taints ?? []);
}

/**
 * Node selector and tolerations of a DaemonSet that must run on every GPU node of the kit's pools: the GPU
 * label, the GPU taint, each taint of the GPU pools (`poolTaints`), and CriticalAddonsOnly (system DaemonSets
 * must also run where only critical add-ons are admitted). Exactly the configured taints rather than NVIDIA's
 * catch-all `operator: Exists`: a taint someone adds to drain or quarantine a node (or a NoExecute condition
 * taint) still applies to these pods, and what they tolerate can be read from the configuration.
 */
export function gpuNodePlacement(poolTaints: readonly NodeTaint[] = []) {
  // The GPU taint is tolerated whatever its value; pools may repeat it or share a taint.
  const gpu = { key: GPU_TAINT.key, operator: "Exists", effect: KUBERNETES_TAINT_EFFECTS[GPU_TAINT.effect] };
  const own = poolTaints
    .filter((t) => t.key !== GPU_TAINT.key || t.effect !== GPU_TAINT.effect)
    .map((t) =>
      t.value === undefined
        ? { key: t.key, operator: "Exists", effect: KUBERNETES_TAINT_EFFECTS[t.effect] }
        : { key: t.key, operator: "Equal", value: t.value, effect: KUBERNETES_TAINT_EFFECTS[t.effect] },
    );
  const unique = [...new Map(own.map((t) => [JSON.stringify(t), t])).values()];
  return {
    nodeSelector: { [GPU_PRESENT_LABEL]: GPU_NODE_LABELS[GPU_PRESENT_LABEL] },
    tolerations: [gpu, ...unique, { key: "CriticalAddonsOnly", operator: "Exists" }],
  };
}

/**
 * The values the kit sets; every key exists in the chart's reference values.yaml (a test checks it). Only GPU
 * nodes of the kit's pools match, and Bottlerocket NVIDIA nodes (which run the plugin on the host) do not.
 */
export function nvidiaDevicePluginValues(poolTaints: readonly NodeTaint[] = []): Record<string, unknown> {
  const { nodeSelector, tolerations } = gpuNodePlacement(poolTaints);
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
    // A small Go daemon (device list, NVML health checks) on every GPU node; the limit leaves room so an OOM
    // kill never stops the node advertising its GPUs.
    resources: { requests: { cpu: "10m", memory: "64Mi" }, limits: { memory: "256Mi" } },
    devicePlugin: { enabled: true },
    // GPU feature discovery needs a privileged pod and NFD; the kit labels GPU nodes itself.
    gfd: { enabled: false },
  };
}

export interface NvidiaDevicePluginAddOnProps extends HelmAddOnProps {
  /** Taints of the GPU pools the plugin must tolerate besides `nvidia.com/gpu`. @default [] */
  readonly gpuPoolTaints?: readonly NodeTaint[];
}

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

  private readonly gpuPoolTaints: readonly NodeTaint[];

  constructor(props: NvidiaDevicePluginAddOnProps = {}) {
    const { gpuPoolTaints = [], ...helm } = props;
    super({ ...helm, timeoutInSeconds: helm.timeoutInSeconds ?? 600 });
    this.gpuPoolTaints = gpuPoolTaints;
  }

  protected values(): Record<string, unknown> {
    return nvidiaDevicePluginValues(this.gpuPoolTaints);
  }
}

/** The registry entry: on when the platform has a GPU node pool, which needs the plugin to offer its GPUs. */
export const nvidiaDevicePluginDefinition = {
  id: "nvidia-device-plugin",
  enabled: hasGpuPool,
  create: (_config, platform) =>
    new NvidiaDevicePluginAddOn({ gpuPoolTaints: platform ? gpuPoolTaints(platform) : [] }),
} satisfies AddOnDefinition;
