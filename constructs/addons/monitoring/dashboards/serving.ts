/**
 * Model serving: the reference inference service (service/) per model deployment and traffic track. The
 * serving add-on's monitor (../serving.ts, servingPodMonitor) labels every series with `deployment` and `track`
 * (stable, canary, shadow); each panel has one series per track, so a canary is read against its stable
 * version in the same graph. Requests, errors and latency from the HTTP layer, model loads and the version each
 * track serves from the engine, input and prediction drift from the drift monitor, live accuracy and the
 * events sent to Kafka from the feedback loop (its metrics exist when feedback is on). Scraped some other way,
 * the series lack `deployment`/`track`: the variables' "All" (`.*`) still matches them and the panels show one
 * series per model.
 */
import { DashboardBuilder, RowBuilder } from "@grafana/grafana-foundation-sdk/dashboard";
import { PREDICTION_DRIFT_FEATURE } from "../rules/metrics";
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
/** Series of the chosen deployments (the feedback loop's carry no model label). */
const DEP = `${NS}, deployment=~"$deployment"`;
/** Series of the chosen deployments and models. */
const SEL = `${DEP}, model=~"$model"`;
const INPUTS = `${SEL}, feature!="${PREDICTION_DRIFT_FEATURE}"`;
const PREDICTIONS = `${SEL}, feature="${PREDICTION_DRIFT_FEATURE}"`;
/** What one series is: deployment, track and model (and the model version where the metric has it). */
const BY = "deployment, track, model";
const LEGEND = "{{deployment}} {{track}} {{model}}";
const BY_VERSION = `${BY}, version`;
const LEGEND_VERSION = `${LEGEND} v{{version}}`;

export const SERVING_DASHBOARD: PlatformDashboard = {
  uid: "mlops-model-serving",
  title: "MLOps Platform / Model serving",
  addOns: [],
  exporters: ["prometheus", "inference-service", "inference-feedback"],
  build: () =>
    platformDashboard(new DashboardBuilder("MLOps Platform / Model serving"), ["serving", "models"])
      .uid("mlops-model-serving")
      .description(
        "The reference inference service per deployment and track (stable, canary, shadow side by side): requests, errors, latency, model loads, input and prediction drift, live accuracy, events to Kafka.",
      )
      .withVariable(
        labelVariable("namespace", "namespace", "inference_requests_total", {
          single: true,
          title: "Namespace",
        }),
      )
      .withVariable(
        labelVariable("deployment", "deployment", `inference_requests_total{${NS}}`, { title: "Deployment" }),
      )
      .withVariable(labelVariable("model", "model", `inference_requests_total{${DEP}}`, { title: "Model" }))
      .withRow(new RowBuilder("Requests, per deployment and track"))
      .withPanel(upStat("Service targets up", DEP, { span: 4, height: 8 }))
      .withPanel(
        timeseries(
          "Inference requests, per track and code",
          [[`sum by (${BY}, code) (rate(inference_requests_total{${SEL}}[${RATE}]))`, `${LEGEND} {{code}}`]],
          { unit: "reqps", span: 7 },
        ),
      )
      .withPanel(
        errorRatio(
          "Inference errors (5xx) ratio, per track",
          "inference_requests_total",
          "code",
          SEL,
          BY.split(", "),
          {
            span: 6,
          },
        ),
      )
      .withPanel(
        stacked(
          "Rows scored, per track and model version",
          [[`sum by (${BY_VERSION}) (rate(inference_rows_total{${SEL}}[${RATE}]))`, LEGEND_VERSION]],
          { span: 7 },
        ),
      )
      .withRow(new RowBuilder("Latency, per track and model version"))
      .withPanel(
        latencyQuantiles(
          "Request latency (successful inference)",
          "inference_request_duration_seconds",
          SEL,
          BY_VERSION.split(", "),
        ),
      )
      .withPanel(
        latencyQuantiles(
          "Model run time (engine)",
          "inference_duration_seconds",
          SEL,
          BY_VERSION.split(", "),
        ),
      )
      .withRow(new RowBuilder("Model versions and loads"))
      .withPanel(
        timeseries(
          "Version served, per track",
          [[`max by (${BY_VERSION}) (inference_model_version_info{${SEL}})`, LEGEND_VERSION]],
          { span: 8, min: 0, max: 1, description: "1 while the track serves that model version." },
        ),
      )
      .withPanel(
        timeseries(
          "Model loads, per track and result",
          [
            [
              `sum by (${BY}, result) (increase(inference_model_loads_total{${SEL}}[${RATE}]))`,
              `${LEGEND} {{result}}`,
            ],
          ],
          {
            span: 8,
            description: "A failure means the version never served on that track (see the pod log).",
          },
        ),
      )
      .withPanel(
        timeseries(
          "Hot swaps, per track",
          [[`sum by (${BY}) (increase(inference_model_swaps_total{${SEL}}[${RATE}]))`, LEGEND]],
          { span: 8 },
        ),
      )
      .withRow(new RowBuilder("Batching and workers"))
      .withPanel(
        latencyQuantiles(
          "Batch size (rows)",
          "inference_batch_size_rows",
          SEL,
          ["deployment", "track", "model"],
          {
            unit: "short",
            span: 8,
          },
        ),
      )
      .withPanel(
        timeseries(
          "Queue depth (rows)",
          [[`sum by (deployment, track) (inference_queue_depth_rows{${DEP}})`, "{{deployment}} {{track}}"]],
          { span: 8 },
        ),
      )
      .withPanel(
        saturation(
          "Workers busy",
          [
            [
              `sum by (deployment, track, pod) (inference_workers_busy{${DEP}}) / sum by (deployment, track, pod) (inference_workers{${DEP}})`,
              "{{deployment}} {{track}} {{pod}}",
            ],
          ],
          0.9,
          { span: 8 },
        ),
      )
      .withRow(new RowBuilder("Input drift, per feature"))
      .withPanel(
        problemCount("Input features drifted", `sum(max by (${BY}, feature) (drift_detected{${INPUTS}}))`, {
          span: 4,
          height: 8,
        }),
      )
      .withPanel(
        timeseries(
          "PSI, per input feature",
          [[`max by (${BY}, feature) (drift_psi{${INPUTS}})`, `${LEGEND} {{feature}}`]],
          {
            span: 10,
            description:
              "Population stability index of the last window against the reference; above 0.2 is a shift.",
          },
        ),
      )
      .withPanel(
        timeseries(
          "Adjusted p-value, per input feature",
          [
            [
              `min by (${BY}, feature, test) (drift_adjusted_p_value{${INPUTS}})`,
              `${LEGEND} {{feature}} ({{test}})`,
            ],
          ],
          { span: 10, min: 0, max: 1 },
        ),
      )
      .withRow(new RowBuilder("Prediction drift and monitoring"))
      .withPanel(
        problemCount("Prediction drift", `sum(max by (${BY}) (drift_detected{${PREDICTIONS}}))`, {
          span: 4,
          height: 8,
          description: "Tracks whose score distribution left the reference (feature __prediction__).",
        }),
      )
      .withPanel(
        timeseries("Prediction PSI, per track", [[`max by (${BY}) (drift_psi{${PREDICTIONS}})`, LEGEND]], {
          span: 10,
          description:
            "PSI of the model's scores in the last window against the scores logged with the version.",
        }),
      )
      .withPanel(
        timeseries(
          "Drift evaluations and drops",
          [
            [`sum by (${BY}) (rate(drift_evaluations_total{${SEL}}[${RATE}]))`, `evaluations ${LEGEND}`],
            [
              `sum by (deployment, track, reason) (rate(drift_dropped_events_total{${DEP}}[${RATE}]))`,
              "dropped {{deployment}} {{track}} {{reason}}",
            ],
          ],
          { span: 10 },
        ),
      )
      .withPanel(
        stat("Tracks monitored for drift", [`sum(max by (${BY}) (drift_monitored{${SEL}}))`], { span: 4 }),
      )
      .withPanel(
        timeseries("Drift window rows", [[`max by (${BY}) (drift_window_rows{${SEL}})`, LEGEND]], {
          span: 20,
        }),
      )
      .withRow(new RowBuilder("Live accuracy, per track and model version"))
      .withPanel(
        timeseries(
          "Live accuracy, per model version",
          [[`avg by (${BY_VERSION}) (feedback_live_accuracy{${SEL}})`, LEGEND_VERSION]],
          {
            unit: "percentunit",
            min: 0,
            max: 1,
            span: 8,
            description: "Over the window of the latest labelled rows (outcomes joined to predictions).",
          },
        ),
      )
      .withPanel(
        timeseries(
          "Live ROC AUC and log-loss",
          [
            [`avg by (${BY_VERSION}) (feedback_live_auc{${SEL}})`, `AUC ${LEGEND_VERSION}`],
            [`avg by (${BY_VERSION}) (feedback_live_log_loss{${SEL}})`, `log-loss ${LEGEND_VERSION}`],
          ],
          { span: 8 },
        ),
      )
      .withPanel(
        timeseries(
          "Outcomes joined",
          [
            [
              `sum by (deployment, track, result) (rate(feedback_outcomes_total{${DEP}}[${RATE}]))`,
              "{{deployment}} {{track}} {{result}}",
            ],
          ],
          { span: 8, description: "Labelled outcomes consumed; live metrics need joined ones." },
        ),
      )
      .withRow(new RowBuilder("Events to Kafka"))
      .withPanel(
        timeseries(
          "Events published, per topic",
          [
            [
              `sum by (deployment, track, topic) (rate(feedback_events_published_total{${DEP}}[${RATE}]))`,
              "{{deployment}} {{track}} {{topic}}",
            ],
          ],
          { unit: "ops", span: 8 },
        ),
      )
      .withPanel(
        timeseries(
          "Events dropped, per reason",
          [
            [
              `sum by (deployment, track, reason) (increase(feedback_events_dropped_total{${DEP}}[${RATE}]))`,
              "{{deployment}} {{track}} {{reason}}",
            ],
          ],
          {
            span: 8,
            description: "Events lost on the way to Kafka: missing from retraining and live accuracy.",
          },
        ),
      )
      .withPanel(
        saturation(
          "Delivery buffer used",
          [
            [
              `sum by (deployment, track, pod) (feedback_buffer_depth{${DEP}}) / sum by (deployment, track, pod) (feedback_buffer_capacity{${DEP}})`,
              "{{deployment}} {{track}} {{pod}}",
            ],
          ],
          0.8,
          { span: 8, description: "Full means new events are dropped (buffer_full)." },
        ),
      )
      .build(),
};
