/** Platform overview: what is up, error ratios and saturation across the kit's namespaces. */
import { DashboardBuilder, RowBuilder } from "@grafana/grafana-foundation-sdk/dashboard";
import type { PlatformDashboard } from "./model";
import { errorRatio, labelVariable, platformDashboard, problemCount, RATE, saturation, stat } from "./panels";

const NS = 'namespace=~"$namespace"';

export const PLATFORM_OVERVIEW: PlatformDashboard = {
  uid: "mlops-platform-overview",
  title: "MLOps Platform / Overview",
  addOns: [],
  exporters: ["prometheus", "kube-state-metrics", "kubelet", "cadvisor", "mlflow", "inference-service"],
  build: () =>
    platformDashboard(new DashboardBuilder("MLOps Platform / Overview"), ["overview"])
      .uid("mlops-platform-overview")
      .description("What is up, error ratios and saturation of the platform's namespaces.")
      .withVariable(labelVariable("namespace", "namespace", "kube_pod_info", { title: "Namespace" }))
      .withRow(new RowBuilder("What is up"))
      .withPanel(
        stat(
          "Scrape targets up, per namespace",
          [`sum by (namespace) (up{${NS}}) / count by (namespace) (up{${NS}})`, "{{namespace}}"],
          { unit: "percentunit", thresholdAt: 1, span: 24, height: 5 },
        ),
      )
      .withPanel(
        problemCount(
          "Pods pending or failed",
          `sum(kube_pod_status_phase{${NS}, phase=~"Pending|Failed|Unknown"})`,
          {
            span: 8,
          },
        ),
      )
      .withPanel(
        problemCount(
          "Containers crash-looping",
          `sum(kube_pod_container_status_waiting_reason{${NS}, reason="CrashLoopBackOff"})`,
          { span: 8 },
        ),
      )
      .withPanel(
        problemCount(
          "Container restarts (1h)",
          `sum(increase(kube_pod_container_status_restarts_total{${NS}}[1h]))`,
          {
            span: 8,
          },
        ),
      )
      .withRow(new RowBuilder("Error ratios"))
      .withPanel(errorRatio("MLflow: 5xx ratio", "mlflow_http_request_total", "status", NS, "namespace"))
      .withPanel(
        errorRatio("Inference service: 5xx ratio", "http_requests_total", "status_code", NS, "namespace"),
      )
      .withRow(new RowBuilder("Saturation"))
      .withPanel(
        saturation(
          "CPU used / requested, per namespace",
          [
            [
              `sum by (namespace) (rate(container_cpu_usage_seconds_total{${NS}, container!=""}[${RATE}])) / sum by (namespace) (kube_pod_container_resource_requests{${NS}, resource="cpu"})`,
              "{{namespace}}",
            ],
          ],
          1,
          { max: undefined, span: 8, description: "Above 100 % a namespace runs on CPU it did not request." },
        ),
      )
      .withPanel(
        saturation(
          "Memory working set / requested, per namespace",
          [
            [
              `sum by (namespace) (container_memory_working_set_bytes{${NS}, container!=""}) / sum by (namespace) (kube_pod_container_resource_requests{${NS}, resource="memory"})`,
              "{{namespace}}",
            ],
          ],
          1,
          { max: undefined, span: 8, description: "Above 100 % pods are first in line for eviction." },
        ),
      )
      .withPanel(
        saturation(
          "Volumes used, per claim",
          [
            [
              `max by (namespace, persistentvolumeclaim) (kubelet_volume_stats_used_bytes{${NS}} / kubelet_volume_stats_capacity_bytes{${NS}})`,
              "{{namespace}}/{{persistentvolumeclaim}}",
            ],
          ],
          0.85,
          { span: 8 },
        ),
      )
      .build(),
};
