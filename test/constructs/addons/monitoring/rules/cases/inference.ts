import { targetDown } from "./services";
import { answers, type RuleCases, s } from "./types";

/** A target of the serving add-on's monitor: namespace, deployment and track (servingPodMonitor's labels). */
const at = { namespace: "serving", deployment: "readmission", track: "canary" };
const pod = { ...at, pod: "readmission-canary-0" };
const model = { ...pod, model: "readmission" };
const version = { ...model, version: "2" };
/** The deployment's candidate while it is a shadow (mirrored traffic, answers discarded). */
const shadow = { ...model, track: "shadow", pod: "readmission-candidate-0" };
/** The labels an alert per deployment, track and model carries (the pod aggregated away). */
const alertOf = { ...at, model: "readmission" };

function latency(fastCount: string) {
  const name = "inference_request_duration_seconds_bucket";
  return [
    s(name, { ...version, le: "0.1" }, fastCount),
    s(name, { ...version, le: "1" }, "0+10x30"),
    s(name, { ...version, le: "+Inf" }, "0+10x30"),
  ];
}

/** Live accuracy and window rows of one model version, a sample a minute. */
function live(accuracy: string, rows: string) {
  return [s("feedback_live_accuracy", version, accuracy), s("feedback_live_window_rows", version, rows)];
}

const failedLoads = (values: string) => [
  s("inference_model_loads_total", { ...model, result: "failure" }, values),
  s("inference_model_loads_total", { ...model, result: "success" }, "1x40"),
];

const drift = (feature: string, values: string) => [s("drift_detected", { ...model, feature }, values)];

export const INFERENCE_CASES: RuleCases = {
  InferenceTargetDown: targetDown(at.namespace, "serving/serving-readmission", {
    pod: pod.pod,
    deployment: at.deployment,
    track: at.track,
  }),
  InferenceHigh5xxRatio: {
    fires: {
      series: answers("inference_requests_total", model, ["code", "503", "200"], [10, 90]),
      at: "20m",
      labels: alertOf,
    },
    // 4xx are the clients' errors; a shadow's 5xx reach no user.
    quiet: {
      series: [
        ...answers("inference_requests_total", model, ["code", "400", "200"], [10, 90]),
        ...answers("inference_requests_total", shadow, ["code", "503", "200"], [10, 90]),
      ],
      at: "20m",
    },
  },
  InferenceShadowHigh5xxRatio: {
    fires: {
      series: answers("inference_requests_total", shadow, ["code", "503", "200"], [10, 90]),
      at: "20m",
      labels: { ...alertOf, track: "shadow" },
    },
    // A canary's errors reach users: the critical alert's, not this one.
    quiet: {
      series: answers("inference_requests_total", model, ["code", "503", "200"], [10, 90]),
      at: "20m",
    },
  },
  InferenceHighLatency: {
    // Every request between 0.1 s and 1 s: p99 about 0.99 s.
    fires: { series: latency("0x30"), at: "20m", labels: { ...alertOf, version: "2" } },
    quiet: { series: latency("0+10x30"), at: "20m" },
  },
  InferenceModelLoadFailed: {
    // The failure series appears at 10m with its first failure (increase() alone would not see it).
    fires: { series: failedLoads("_x10 1x30"), at: "15m", labels: alertOf },
    // A failure long ago, since retried successfully.
    quiet: { series: failedLoads("1x40"), at: "35m" },
  },
  ModelDriftDetected: {
    fires: {
      series: [...drift("age", "0 1x10"), ...drift("__prediction__", "0x10")],
      at: "8m",
      labels: { ...alertOf, feature: "age" },
    },
    // Prediction drift is its own alert.
    quiet: { series: [...drift("age", "0x10"), ...drift("__prediction__", "0 1x10")], at: "8m" },
  },
  ModelPredictionDrift: {
    fires: {
      series: [...drift("__prediction__", "0 1x10"), ...drift("age", "0x10")],
      at: "8m",
      labels: alertOf,
    },
    quiet: { series: [...drift("__prediction__", "0x10"), ...drift("age", "0 1x10")], at: "8m" },
  },
  ModelDriftNotMonitored: {
    fires: {
      series: [s("drift_monitored", model, "0x40")],
      at: "35m",
      labels: alertOf,
    },
    quiet: { series: [s("drift_monitored", model, "1x40")], at: "35m" },
  },
  ModelLiveAccuracyDropped: {
    // 0.9 for an hour, then 0.8 over full windows: 0.1 below the day's best.
    fires: { series: live("0.9x60 0.8x40", "1000x100"), at: "90m", labels: { ...alertOf, version: "2" } },
    // The same fall over windows of 50 labelled rows (below the 200 needed) is noise.
    quiet: { series: live("0.9x60 0.8x40", "50x100"), at: "90m" },
  },
  InferenceFeedbackEventsDropped: {
    fires: {
      series: [
        s("feedback_events_dropped_total", { ...pod, reason: "buffer_full" }, "0x5 1+20x20"),
        s("feedback_events_dropped_total", { ...pod, reason: "unserializable" }, "0x25"),
      ],
      at: "15m",
      labels: { ...at, reason: "buffer_full" },
    },
    quiet: {
      series: [s("feedback_events_dropped_total", { ...pod, reason: "buffer_full" }, "0x25")],
      at: "15m",
    },
  },
};
