import { PREDICTION_DRIFT_FEATURE } from "./metrics";
import type { RuleGroup } from "./model";
import { percent, type ResolvedAlertRuleOptions } from "./options";
import { http5xxRatioExpr, targetDown } from "./services";

/**
 * What every inference alert is per: the namespace, the model deployment and its traffic track (the target labels
 * `servingPodMonitor` gives, ../serving.ts) and the model. Without the serving add-on's monitor the two middle
 * labels are simply absent and the alerts are per namespace and model.
 */
const BY = "namespace, deployment, track, model";
/** Where an alert happened, for its summary: every alert names the deployment, its track and the namespace. */
const AT = "deployment {{ $labels.deployment }} ({{ $labels.track }}) in {{ $labels.namespace }}";
/** A shadow's answers are discarded: its errors warn, the tracks users see page. */
const SHADOW = 'track="shadow"';
const SERVED = 'track!="shadow"';

/**
 * The reference inference service (service/), per model deployment and track (stable, canary, shadow):
 * availability, errors, latency and model loads; and the model's quality in production: input and prediction
 * drift, drift monitoring switched off, live accuracy from the outcomes joined to predictions, feedback events
 * lost on the way to Kafka.
 */
export function inferenceRuleGroups(o: ResolvedAlertRuleOptions): RuleGroup[] {
  const namespace = o.inference.namespace;
  const ns = `namespace="${namespace}"`;
  const minRows = o.inference.liveAccuracyMinRows;
  // Live accuracy only from windows with enough labelled rows (early windows are noise), averaged over replicas.
  const accuracy = `avg by (${BY}, version) (feedback_live_accuracy{${ns}} and feedback_live_window_rows{${ns}} >= ${minRows})`;
  const failedLoads = `inference_model_loads_total{${ns}, result="failure"}`;
  const down = targetDown("InferenceTargetDown", namespace, "Inference service");
  return [
    {
      name: "inference",
      exporters: ["prometheus", "inference-service"],
      rules: [
        {
          ...down,
          annotations: {
            ...down.annotations,
            summary: `Inference service pod {{ $labels.pod }} of ${AT} cannot be scraped`,
          },
        },
        {
          alert: "InferenceHigh5xxRatio",
          // Users see these answers: every track but a shadow's (its answers are discarded).
          expr: http5xxRatioExpr("inference_requests_total", "code", namespace, o.http5xxRatio, BY, SERVED),
          for: "10m",
          labels: { severity: "critical" },
          annotations: {
            summary: `Model {{ $labels.model }} of ${AT} answers more than ${percent(o.http5xxRatio)} of inference requests with 5xx`,
            description:
              "The service answers 5xx only when the model is not loaded, the engine fails or it shuts down. On a canary, its share of the traffic is failing.",
            runbook:
              "Check /health/ready and the logs of the deployment's pods on that track (model load or hot swap failing, workers crashing). A canary or a version swap that started it: roll back (serving.deployments.<name> traffic rollback).",
          },
        },
        {
          alert: "InferenceShadowHigh5xxRatio",
          expr: http5xxRatioExpr("inference_requests_total", "code", namespace, o.http5xxRatio, BY, SHADOW),
          for: "10m",
          labels: { severity: "warning" },
          annotations: {
            summary: `The shadow of model {{ $labels.model }} on ${AT} answers more than ${percent(o.http5xxRatio)} of mirrored requests with 5xx`,
            description:
              "The shadow candidate gets a copy of live traffic and its answers are discarded, so users are not affected; promoted as it is, it would fail them.",
            runbook:
              "Do not promote the candidate. Read its pods' logs (model load, inputs the new version rejects); fix the version or remove the shadow from serving.deployments.<name>.traffic.",
          },
        },
        {
          alert: "InferenceHighLatency",
          expr: `histogram_quantile(0.99, sum by (${BY}, version, le) (rate(inference_request_duration_seconds_bucket{${ns}}[5m]))) > ${o.inference.latencyP99Seconds}`,
          for: "10m",
          labels: { severity: "warning" },
          annotations: {
            summary: `p99 latency of model {{ $labels.model }} version {{ $labels.version }} on ${AT} is above ${o.inference.latencyP99Seconds}s`,
            description: "Successful inference requests are slow for 10 minutes.",
            runbook:
              "Compare inference_queue_depth_rows and inference_workers_busy of the deployment's pods: a full queue needs more replicas or workers; busy workers with a short queue point at a slower model version (compare the canary with the stable track on the Model serving dashboard).",
          },
        },
        {
          alert: "InferenceModelLoadFailed",
          // A series appears with the first failure, which increase() cannot see: a new series counts as well.
          expr: `sum by (${BY}) (increase(${failedLoads}[15m]) > 0 or (${failedLoads} unless ${failedLoads} offset 15m)) > 0`,
          for: "1m",
          labels: { severity: "critical" },
          annotations: {
            summary: `Model {{ $labels.model }} failed to load on ${AT}`,
            description:
              "ONNX Runtime refused a model version in the last 15 minutes. At start the pod stays unready and answers 503; on a hot swap the previous version keeps serving and the new one never does.",
            runbook:
              "Read the pod's log line 'cannot load <model> version <v>': a corrupt or incompatible model file (opset, input types) or too little memory. Fix or re-register the version in MLflow, or roll the deployment back to the previous version.",
          },
        },
      ],
    },
    {
      name: "inference-model-quality",
      exporters: ["prometheus", "inference-service", "inference-feedback"],
      rules: [
        {
          alert: "ModelDriftDetected",
          expr: `max by (${BY}, feature) (drift_detected{${ns}, feature!="${PREDICTION_DRIFT_FEATURE}"}) == 1`,
          for: "5m",
          labels: { severity: "warning" },
          annotations: {
            summary: `Input feature {{ $labels.feature }} of model {{ $labels.model }} drifted on ${AT}`,
            description:
              "The last drift window's test rejected the reference distribution for this feature (after multiple-testing correction), or its PSI is above the threshold.",
            runbook:
              "Open the service's /v2/models/{{ $labels.model }}/drift for the test, statistic, window and unseen values of the feature; if the drift is real (not a broken upstream feature), retrain on recent data and register the new version in MLflow.",
          },
        },
        {
          alert: "ModelPredictionDrift",
          expr: `max by (${BY}) (drift_detected{${ns}, feature="${PREDICTION_DRIFT_FEATURE}"}) == 1`,
          for: "5m",
          labels: { severity: "warning" },
          annotations: {
            summary: `Predictions of model {{ $labels.model }} drifted from the reference scores on ${AT}`,
            description:
              "The model's score distribution in the last drift window differs from the one logged with the version (feature __prediction__): the model now answers differently, whether or not an input alert fired.",
            runbook:
              "Open /v2/models/{{ $labels.model }}/drift (feature __prediction__) and compare with the input features' drift; check live accuracy on the Model serving dashboard. If outcomes confirm a quality loss, retrain or roll back.",
          },
        },
        {
          alert: "ModelDriftNotMonitored",
          expr: `max by (${BY}) (drift_monitored{${ns}}) == 0`,
          for: "30m",
          labels: { severity: "info" },
          annotations: {
            summary: `Model {{ $labels.model }} is served without drift monitoring on ${AT}`,
            description:
              "The serving version has no usable drift profile, so drift alerts cannot fire for it.",
            runbook:
              "The drift endpoint says why (no profile logged, profile does not match the model's inputs). Log a drift profile with the model version in MLflow.",
          },
        },
        {
          alert: "ModelLiveAccuracyDropped",
          expr: `max_over_time((${accuracy})[1d:5m]) - ${accuracy} > ${o.inference.liveAccuracyDrop}`,
          for: "15m",
          labels: { severity: "warning" },
          annotations: {
            summary: `Live accuracy of model {{ $labels.model }} version {{ $labels.version }} on ${AT} fell more than ${o.inference.liveAccuracyDrop} below its best of the last day`,
            description: `Accuracy over the latest labelled rows (outcomes joined to predictions, windows of at least ${minRows} rows) is lower than this version reached in the last 24 hours.`,
            runbook:
              "Look for input or prediction drift of the same model and for a change in the outcomes (feedback_outcomes_total by result). If a canary is worse than the stable track, roll it back; if both fell, retrain on recent labelled data.",
          },
        },
        {
          alert: "InferenceFeedbackEventsDropped",
          expr: `sum by (namespace, deployment, track, reason) (increase(feedback_events_dropped_total{${ns}}[10m])) > 0`,
          for: "5m",
          labels: { severity: "warning" },
          annotations: {
            summary: `Prediction events bound for Kafka were dropped on ${AT} ({{ $labels.reason }})`,
            description:
              "The feedback loop lost events: buffer_full when Kafka is unreachable or slower than the traffic, not_authorized when the topic's ACL refuses the service's principal, unserializable, or stopped/shutdown_timeout on exit. Lost events are missing from retraining data and live accuracy.",
            runbook:
              "Check the pods' feedback_publish_errors_total and logs (TLS/SASL credentials, topic ACLs, broker health on the Kafka dashboard); a full buffer while Kafka is healthy needs a larger KAFKA_BUFFER_SIZE or more replicas.",
          },
        },
      ],
    },
  ];
}
