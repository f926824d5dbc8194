/**
 * Model serving: the reference inference service (service/) wherever it runs — the namespace and model are
 * variables, so the dashboard is ready for the serving add-ons without knowing where they put it. Requests and
 * latency from the HTTP layer, batch sizes and workers from the engine, drift per feature from the drift
 * monitor, live accuracy from the feedback loop (its metrics exist when feedback is on).
 */
import { DashboardBuilder, RowBuilder } from "@grafana/grafana-foundation-sdk/dashboard";
import type { PlatformDashboard } from "./model";
import {
  errorRatio,
  labelVariable,
  latencyQuantiles,
  platformDashboard,
  problemCount,
  RATE,
  saturation,
  stacked,
  stat,
  timeseries,
  upStat,
} from "./panels";

const NS = 'namespace="$namespace"';
const SEL = `${NS}, model=~"$model"`;

export const SERVING_DASHBOARD: PlatformDashboard = {
  uid: "mlops-model-serving",
  title: "MLOps Platform / Model serving",
  addOns: [],
  exporters: ["prometheus", "inference-service", "inference-feedback"],
  build: () =>
    platformDashboard(new DashboardBuilder("MLOps Platform / Model serving"), ["serving", "models"])
      .uid("mlops-model-serving")
      .description(
        "The reference inference service: requests, latency, batching, drift per feature, live accuracy.",
      )
      .withVariable(
        labelVariable("namespace", "namespace", "inference_requests_total", {
          single: true,
          title: "Namespace",
        }),
      )
      .withVariable(labelVariable("model", "model", `inference_requests_total{${NS}}`, { title: "Model" }))
      .withRow(new RowBuilder("Requests"))
      .withPanel(upStat("Service targets up", NS, { span: 4, height: 8 }))
      .withPanel(
        timeseries(
          "Inference requests, per model and code",
          [[`sum by (model, code) (rate(inference_requests_total{${SEL}}[${RATE}]))`, "{{model}} {{code}}"]],
          { unit: "reqps", span: 7 },
        ),
      )
      .withPanel(
        errorRatio("Inference errors (5xx) ratio", "inference_requests_total", "code", SEL, "model", {
          span: 6,
        }),
      )
      .withPanel(
        stacked(
          "Rows scored, per model version",
          [
            [
              `sum by (model, version) (rate(inference_rows_total{${SEL}}[${RATE}]))`,
              "{{model}} v{{version}}",
            ],
          ],
          { span: 7 },
        ),
      )
      .withRow(new RowBuilder("Latency"))
      .withPanel(
        latencyQuantiles("Request latency (HTTP, successful)", "inference_request_duration_seconds", SEL, [
          "model",
        ]),
      )
      .withPanel(latencyQuantiles("Model run time (engine)", "inference_duration_seconds", SEL, ["model"]))
      .withRow(new RowBuilder("Batching and workers"))
      .withPanel(
        latencyQuantiles("Batch size (rows)", "inference_batch_size_rows", SEL, ["model"], {
          unit: "short",
          span: 8,
        }),
      )
      .withPanel(
        timeseries("Queue depth (rows)", [[`sum(inference_queue_depth_rows{${NS}})`, "rows queued"]], {
          span: 8,
        }),
      )
      .withPanel(
        saturation(
          "Workers busy",
          [
            [
              `sum by (pod) (inference_workers_busy{${NS}}) / sum by (pod) (inference_workers{${NS}})`,
              "{{pod}}",
            ],
          ],
          0.9,
          { span: 8 },
        ),
      )
      .withRow(new RowBuilder("Drift"))
      .withPanel(
        problemCount("Features drifted", `sum(max by (model, feature) (drift_detected{${SEL}}))`, {
          span: 4,
          height: 8,
        }),
      )
      .withPanel(
        timeseries(
          "PSI, per feature",
          [[`max by (model, feature) (drift_psi{${SEL}})`, "{{model}} {{feature}}"]],
          {
            span: 10,
            description:
              "Population stability index of the last window against the reference; above 0.2 is a shift.",
          },
        ),
      )
      .withPanel(
        timeseries(
          "Adjusted p-value, per feature",
          [
            [
              `min by (model, feature, test) (drift_adjusted_p_value{${SEL}})`,
              "{{model}} {{feature}} ({{test}})",
            ],
          ],
          { span: 10, min: 0, max: 1 },
        ),
      )
      .withPanel(
        stat("Models monitored for drift", [`sum(max by (model) (drift_monitored{${SEL}}))`], { span: 4 }),
      )
      .withPanel(
        timeseries("Drift window rows", [[`max by (model) (drift_window_rows{${SEL}})`, "{{model}}"]], {
          span: 10,
        }),
      )
      .withPanel(
        timeseries(
          "Drift evaluations and drops",
          [
            [`sum by (model) (rate(drift_evaluations_total{${SEL}}[${RATE}]))`, "evaluations {{model}}"],
            [`sum(rate(drift_dropped_events_total{${NS}}[${RATE}]))`, "dropped events"],
          ],
          { span: 10 },
        ),
      )
      .withRow(new RowBuilder("Live accuracy"))
      .withPanel(
        timeseries(
          "Live accuracy, per model version",
          [[`max by (model, version) (feedback_live_accuracy{${SEL}})`, "{{model}} v{{version}}"]],
          {
            unit: "percentunit",
            min: 0,
            max: 1,
            span: 8,
            description: "Over the window of the latest labelled rows.",
          },
        ),
      )
      .withPanel(
        timeseries(
          "Live ROC AUC and log-loss",
          [
            [`max by (model, version) (feedback_live_auc{${SEL}})`, "AUC {{model}} v{{version}}"],
            [`max by (model, version) (feedback_live_log_loss{${SEL}})`, "log-loss {{model}} v{{version}}"],
          ],
          { span: 8 },
        ),
      )
      .withPanel(
        timeseries(
          "Outcomes joined",
          [[`sum by (result) (rate(feedback_outcomes_total{${NS}}[${RATE}]))`, "{{result}}"]],
          { span: 8, description: "Labelled outcomes consumed; live metrics need joined ones." },
        ),
      )
      .build(),
};
