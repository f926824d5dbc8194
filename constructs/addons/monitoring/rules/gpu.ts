import type { RuleGroup } from "./model";
import { percent, type ResolvedAlertRuleOptions } from "./options";

export function gpuRuleGroups(o: ResolvedAlertRuleOptions): RuleGroup[] {
  const idle = o.gpu.idleUtilizationPercent;
  return [
    {
      name: "gpu",
      exporters: ["dcgm", "kube-state-metrics"],
      rules: [
        {
          alert: "GpuXidError",
          // The gauge holds the code of the last Xid error; any non-zero value is a driver/hardware event.
          expr: "max by (Hostname, gpu) (DCGM_FI_DEV_XID_ERRORS) > 0",
          labels: { severity: "critical" },
          annotations: {
            summary: "GPU {{ $labels.gpu }} on {{ $labels.Hostname }} reported an Xid error",
            description:
              "NVIDIA Xid errors mean a driver, memory or hardware fault; jobs on that GPU may fail.",
            runbook:
              "Look the code up in NVIDIA's Xid catalogue (the alert's value). For 48/63/64/79/94/95 cordon and drain the node and let the node group replace it; for application errors (13, 31, 43) check the failing pod.",
          },
        },
        {
          alert: "GpuMemoryNearlyFull",
          expr: `max by (Hostname, gpu) (DCGM_FI_DEV_FB_USED / (DCGM_FI_DEV_FB_USED + DCGM_FI_DEV_FB_FREE)) > ${o.gpu.memoryUsedRatio}`,
          for: "15m",
          labels: { severity: "warning" },
          annotations: {
            summary: `GPU {{ $labels.gpu }} on {{ $labels.Hostname }} uses more than ${percent(o.gpu.memoryUsedRatio)} of its memory`,
            description: "The next allocation on this GPU fails with out-of-memory.",
            runbook:
              "Find the pod holding the GPU (DCGM's pod label) and lower its batch size or model size, or move it to a pool with larger GPUs.",
          },
        },
        {
          alert: "GpuIdleWhilePodsWait",
          expr: `count(kube_pod_status_phase{phase="Pending"} == 1 and on (namespace, pod) kube_pod_container_resource_requests{resource="nvidia_com_gpu"} > 0) > 0 and on () avg(DCGM_FI_DEV_GPU_UTIL) < ${idle}`,
          for: "30m",
          labels: { severity: "warning" },
          annotations: {
            summary: "GPU pods are pending while the GPUs are idle",
            description: `Pods requesting GPUs wait for 30 minutes while the allocated GPUs average under ${idle}% utilization.`,
            runbook:
              "The GPUs are held by pods that do not use them (notebooks, finished jobs that did not exit). kubectl get pods -A -o wide on the GPU nodes; stop the idle holders or give the pool more nodes.",
          },
        },
      ],
    },
  ];
}
