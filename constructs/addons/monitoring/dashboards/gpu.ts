/**
 * GPU pools: utilization, memory and health per GPU from the DCGM exporter (add-on dcgm-exporter), allocation
 * per pod from kube-state-metrics. DCGM's own pod/namespace labels arrive as exported_pod/exported_namespace:
 * the dcgm-exporter chart's ServiceMonitor keeps honorLabels false, so the target's labels win.
 */
import { DashboardBuilder, RowBuilder } from "@grafana/grafana-foundation-sdk/dashboard";
import { DCGM_EXPORTER_ADDON_ID } from "../../dcgm-exporter";
import type { PlatformDashboard } from "./model";
import { labelVariable, platformDashboard, problemCount, saturation, stat, timeseries } from "./panels";

const NODE = 'Hostname=~"$node"';
const GPU_REQUESTS = 'kube_pod_container_resource_requests{resource="nvidia_com_gpu"}';
const PER_GPU = "{{Hostname}} GPU {{gpu}}";

export const GPU_DASHBOARD: PlatformDashboard = {
  uid: "mlops-gpu-pools",
  title: "MLOps Platform / GPU pools",
  // The DCGM exporter runs on GPU pools when monitoring does; the device plugin alone still gives allocation.
  addOns: [DCGM_EXPORTER_ADDON_ID, "nvidia-device-plugin"],
  exporters: ["dcgm", "kube-state-metrics"],
  build: () =>
    platformDashboard(new DashboardBuilder("MLOps Platform / GPU pools"), ["gpu"])
      .uid("mlops-gpu-pools")
      .description(
        "GPU utilization, memory, health and allocation per pod (DCGM exporter, kube-state-metrics).",
      )
      .withVariable(labelVariable("node", "Hostname", "DCGM_FI_DEV_GPU_UTIL", { title: "Node" }))
      .withRow(new RowBuilder("Utilization"))
      .withPanel(
        stat("Average GPU utilization", [`avg(DCGM_FI_DEV_GPU_UTIL{${NODE}})`], {
          unit: "percent",
          span: 4,
          height: 8,
        }),
      )
      .withPanel(
        timeseries("GPU utilization", [[`DCGM_FI_DEV_GPU_UTIL{${NODE}}`, PER_GPU]], {
          unit: "percent",
          min: 0,
          max: 100,
          span: 10,
        }),
      )
      .withPanel(
        timeseries("Memory copy utilization", [[`DCGM_FI_DEV_MEM_COPY_UTIL{${NODE}}`, PER_GPU]], {
          unit: "percent",
          min: 0,
          max: 100,
          span: 10,
        }),
      )
      .withRow(new RowBuilder("Memory"))
      .withPanel(
        saturation(
          "GPU memory used",
          [
            [
              `DCGM_FI_DEV_FB_USED{${NODE}} / (DCGM_FI_DEV_FB_USED{${NODE}} + DCGM_FI_DEV_FB_FREE{${NODE}})`,
              PER_GPU,
            ],
          ],
          0.95,
        ),
      )
      .withPanel(
        // DCGM reports frame-buffer memory in MiB.
        timeseries("GPU memory used (MiB)", [[`DCGM_FI_DEV_FB_USED{${NODE}}`, PER_GPU]], {
          unit: "decmbytes",
        }),
      )
      .withRow(new RowBuilder("Allocation"))
      .withPanel(
        timeseries(
          "GPUs requested, per pod",
          [[`sum by (namespace, pod) (${GPU_REQUESTS})`, "{{namespace}}/{{pod}}"]],
          {
            span: 8,
          },
        ),
      )
      .withPanel(
        timeseries(
          "GPU utilization, per pod",
          [
            [
              `avg by (exported_namespace, exported_pod) (DCGM_FI_DEV_GPU_UTIL{${NODE}, exported_pod!=""})`,
              "{{exported_namespace}}/{{exported_pod}}",
            ],
          ],
          { unit: "percent", min: 0, max: 100, span: 8 },
        ),
      )
      .withPanel(
        problemCount(
          "GPU pods pending",
          `count(kube_pod_status_phase{phase="Pending"} == 1 and on (namespace, pod) ${GPU_REQUESTS} > 0) or vector(0)`,
          { span: 8, height: 8 },
        ),
      )
      .withRow(new RowBuilder("Health"))
      .withPanel(
        timeseries("Temperature", [[`DCGM_FI_DEV_GPU_TEMP{${NODE}}`, PER_GPU]], { unit: "celsius", span: 6 }),
      )
      .withPanel(
        timeseries("Power", [[`DCGM_FI_DEV_POWER_USAGE{${NODE}}`, PER_GPU]], { unit: "watt", span: 6 }),
      )
      .withPanel(
        timeseries("Last Xid error", [[`DCGM_FI_DEV_XID_ERRORS{${NODE}}`, PER_GPU]], {
          span: 6,
          description: "The code of the last Xid error (0: none); see GpuXidError's runbook.",
        }),
      )
      .withPanel(
        timeseries("Double-bit ECC errors", [[`DCGM_FI_DEV_ECC_DBE_VOL_TOTAL{${NODE}}`, PER_GPU]], {
          span: 6,
        }),
      )
      .build(),
};
