import { type RuleCases, s } from "./types";

const gpu = { Hostname: "ip-10-0-3-12", gpu: "0", UUID: "GPU-5c1e" };
const pending = { namespace: "ml", pod: "train-1" };

function waiting(util: string) {
  return [
    s("kube_pod_status_phase", { ...pending, phase: "Pending" }, "1x40"),
    s(
      "kube_pod_container_resource_requests",
      { ...pending, container: "main", resource: "nvidia_com_gpu", unit: "integer" },
      "1x40",
    ),
    s("DCGM_FI_DEV_GPU_UTIL", gpu, util),
  ];
}

export const GPU_CASES: RuleCases = {
  GpuXidError: {
    fires: {
      series: [s("DCGM_FI_DEV_XID_ERRORS", gpu, "0 0 79x5")],
      at: "5m",
      labels: { Hostname: gpu.Hostname, gpu: "0" },
    },
    quiet: { series: [s("DCGM_FI_DEV_XID_ERRORS", gpu, "0x10")], at: "5m" },
  },
  GpuMemoryNearlyFull: {
    fires: {
      series: [s("DCGM_FI_DEV_FB_USED", gpu, "39000x30"), s("DCGM_FI_DEV_FB_FREE", gpu, "1000x30")],
      at: "20m",
      labels: { Hostname: gpu.Hostname, gpu: "0" },
    },
    quiet: {
      series: [s("DCGM_FI_DEV_FB_USED", gpu, "20000x30"), s("DCGM_FI_DEV_FB_FREE", gpu, "20000x30")],
      at: "20m",
    },
  },
  GpuIdleWhilePodsWait: {
    fires: { series: waiting("0x40"), at: "35m", labels: {} },
    // The GPUs are busy: the pod waits for capacity, not for an idle holder.
    quiet: { series: waiting("90x40"), at: "35m" },
  },
};
