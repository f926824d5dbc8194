import { Release } from "@cdktf/provider-helm/lib/release";
import { Construct } from "constructs";
import { stringify } from "yaml";
import { CHARTS } from "../core/charts";
import type { ClusterContext } from "./cluster-context";
import { GPU_NODE_LABELS, GPU_TAINT, HOST_DEVICE_PLUGIN_LABEL } from "./node-pool-options";
import { requireIntegerInRange } from "./validation";

export interface NvidiaDevicePluginProps {
  /** Cluster to install into (its helm provider). */
  readonly context: ClusterContext;
  /** Namespace of the release; created when missing. @default "nvidia-device-plugin" */
  readonly namespace?: string;
  /** Helm wait timeout. @default 600 */
  readonly timeoutInSeconds?: number;
}

const GPU_PRESENT_LABEL = "nvidia.com/gpu.present";

/**
 * The values the kit sets; every key exists in the chart's reference values.yaml (a test checks it). Only GPU
 * nodes of the kit's pools match, and Bottlerocket NVIDIA nodes (which run the plugin on the host) do not.
 */
export function nvidiaDevicePluginValues(): Record<string, unknown> {
  return {
    nodeSelector: { [GPU_PRESENT_LABEL]: GPU_NODE_LABELS[GPU_PRESENT_LABEL] },
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
    tolerations: [
      { key: GPU_TAINT.key, operator: "Exists", effect: "NoSchedule" },
      { key: "CriticalAddonsOnly", operator: "Exists" },
    ],
    priorityClassName: "system-node-critical",
    devicePlugin: { enabled: true },
    // GPU feature discovery needs a privileged pod and NFD; the kit labels GPU nodes itself.
    gfd: { enabled: false },
  };
}

/** NVIDIA's Kubernetes device plugin (chart pinned in `CHARTS.nvidiaDevicePlugin`), advertising `nvidia.com/gpu`. */
export class NvidiaDevicePlugin extends Construct {
  readonly resource: Release;
  readonly namespace: string;

  constructor(scope: Construct, id: string, props: NvidiaDevicePluginProps) {
    super(scope, id);
    const timeout = props.timeoutInSeconds ?? 600;
    requireIntegerInRange("timeoutInSeconds", timeout, 60, 3600);
    const pin = CHARTS.nvidiaDevicePlugin;
    this.namespace = props.namespace ?? "nvidia-device-plugin";
    this.resource = new Release(this, "Resource", {
      provider: props.context.helmProvider,
      name: "nvidia-device-plugin",
      chart: pin.chart,
      repository: pin.repository,
      version: pin.version,
      namespace: this.namespace,
      createNamespace: this.namespace !== "kube-system",
      values: [stringify(nvidiaDevicePluginValues())],
      atomic: true,
      cleanupOnFail: true,
      wait: true,
      timeout,
    });
  }
}
