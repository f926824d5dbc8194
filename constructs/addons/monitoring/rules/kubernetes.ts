import type { RuleGroup } from "./model";
import { promRegexAlternation, type ResolvedAlertRuleOptions } from "./options";

/**
 * Pods and volumes of the kit's own namespaces. kube-prometheus-stack's rules cover the cluster at large with
 * its own names; these carry the kit's severities and runbooks and the configurable fill horizon.
 */
export function kubernetesRuleGroups(o: ResolvedAlertRuleOptions): RuleGroup[] {
  const ns = `namespace=~"${promRegexAlternation(o.namespaces)}"`;
  const horizon = o.pvcFillHorizonHours;
  return [
    {
      name: "kubernetes.platform",
      exporters: ["kube-state-metrics", "kubelet"],
      rules: [
        {
          alert: "PlatformPodCrashLooping",
          expr: `max by (namespace, pod, container) (kube_pod_container_status_waiting_reason{${ns}, reason="CrashLoopBackOff"}) >= 1`,
          for: "15m",
          labels: { severity: "warning" },
          annotations: {
            summary: "{{ $labels.namespace }}/{{ $labels.pod }} ({{ $labels.container }}) is crash-looping",
            description: "The container has been in CrashLoopBackOff for 15 minutes.",
            runbook:
              "kubectl -n {{ $labels.namespace }} logs {{ $labels.pod }} -c {{ $labels.container }} --previous; kubectl describe pod for OOMKilled, failed probes or a missing Secret (ExternalSecret not synced).",
          },
        },
        {
          alert: "PlatformPersistentVolumeFillingUp",
          // Only volumes already past half full: a fresh volume's first writes would otherwise predict "full".
          expr: `(kubelet_volume_stats_available_bytes{${ns}} / kubelet_volume_stats_capacity_bytes{${ns}} < 0.5) and predict_linear(kubelet_volume_stats_available_bytes{${ns}}[6h], ${horizon} * 3600) < 0`,
          for: "1h",
          labels: { severity: "warning" },
          annotations: {
            summary: `PVC {{ $labels.namespace }}/{{ $labels.persistentvolumeclaim }} fills up within ${horizon}h`,
            description: `At the write rate of the last 6 hours the volume is full in less than ${horizon} hours.`,
            runbook:
              "Find what writes (application logs, a runaway table, retention settings) and stop it, or grow the PVC: the kit's gp3 StorageClass allows expansion (kubectl edit pvc, raise spec.resources.requests.storage).",
          },
        },
      ],
    },
  ];
}
