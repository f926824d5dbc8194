/**
 * Container metrics from the kubelet's cAdvisor endpoint, which kube-prometheus-stack scrapes (cAdvisor docs,
 * docs/storage/prometheus.md). Labels: namespace, pod, container (container="" is the pod's cgroup). The
 * chart drops some cAdvisor series (`kubelet.serviceMonitor.cAdvisorMetricRelabelings`);
 * test/constructs/addons/monitoring/rules/metric-names.test.ts checks none of these is among them.
 */
export const CADVISOR = [
  "container_cpu_usage_seconds_total",
  "container_cpu_cfs_periods_total",
  "container_cpu_cfs_throttled_periods_total",
  "container_memory_working_set_bytes",
];
