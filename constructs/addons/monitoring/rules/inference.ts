import type { RuleGroup } from "./model";
import { percent, type ResolvedAlertRuleOptions } from "./options";
import { http5xxRatioExpr, targetDown } from "./services";

/** The reference inference service (service/): availability, errors, latency and the drift the retraining loop acts on. */
export function inferenceRuleGroups(o: ResolvedAlertRuleOptions): RuleGroup[] {
  const namespace = o.inference.namespace;
  const ns = `namespace="${namespace}"`;
  return [
    {
      name: "inference",
      exporters: ["prometheus", "inference-service"],
      rules: [
        targetDown("InferenceTargetDown", namespace, "Inference service"),
        {
          alert: "InferenceHigh5xxRatio",
          expr: http5xxRatioExpr("http_requests_total", "status_code", namespace, o.http5xxRatio),
          for: "10m",
          labels: { severity: "critical" },
          annotations: {
            summary: `The inference service answers more than ${percent(o.http5xxRatio)} of requests with 5xx`,
            description:
              "The service answers 5xx only when the model is not loaded, the engine fails or it shuts down.",
            runbook:
              "Check /health/ready and the service logs (model load or hot swap failing, workers crashing). Roll back to the previous model version if a swap started it.",
          },
        },
        {
          alert: "InferenceHighLatency",
          expr: `histogram_quantile(0.99, sum by (namespace, model, le) (rate(inference_request_duration_seconds_bucket{${ns}}[5m]))) > ${o.inference.latencyP99Seconds}`,
          for: "10m",
          labels: { severity: "warning" },
          annotations: {
            summary: `p99 latency of model {{ $labels.model }} is above ${o.inference.latencyP99Seconds}s`,
            description: "Successful inference requests are slow for 10 minutes.",
            runbook:
              "Compare inference_queue_depth_rows and inference_workers_busy: a full queue needs more replicas or workers; busy workers with a short queue point at a slower model version.",
          },
        },
        {
          alert: "ModelDriftDetected",
          expr: `max by (namespace, model, feature) (drift_detected{${ns}}) == 1`,
          labels: { severity: "warning" },
          annotations: {
            summary: "Feature {{ $labels.feature }} of model {{ $labels.model }} drifted",
            description:
              "The last drift window's test rejected the reference distribution for this feature (after multiple-testing correction).",
            runbook:
              "Open the service's /v2/models/{{ $labels.model }}/drift for the test, statistic and window; if the drift is real, retrain on recent data and register the new version in MLflow.",
          },
        },
        {
          alert: "ModelDriftNotMonitored",
          expr: `max by (namespace, model) (drift_monitored{${ns}}) == 0`,
          for: "30m",
          labels: { severity: "info" },
          annotations: {
            summary: "Model {{ $labels.model }} is served without drift monitoring",
            description:
              "The serving version has no usable drift profile, so drift alerts cannot fire for it.",
            runbook:
              "The drift endpoint says why (no profile logged, profile does not match the model's inputs). Log a drift profile with the model version in MLflow.",
          },
        },
      ],
    },
  ];
}
