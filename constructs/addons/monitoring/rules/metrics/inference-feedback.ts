/**
 * Metric families the reference service adds when its feedback loop is on (service/src/feedback/metrics.ts):
 * live accuracy, AUC and log-loss per model version, and the delivery of prediction/outcome events. Kept apart
 * from INFERENCE_SERVICE_FAMILIES, which is the exposition with feedback off. test/constructs/addons/monitoring/
 * rules/feedback-exposition.test.ts registers the service's own feedback metrics and compares the `# TYPE` lines.
 */
import type { MetricFamily } from "./family";

export const INFERENCE_FEEDBACK_FAMILIES: readonly MetricFamily[] = [
  ["feedback_events_dropped_total", "counter"],
  ["feedback_outcomes_total", "counter"],
  ["feedback_buffer_capacity", "gauge"],
  ["feedback_join_cache_predictions", "gauge"],
  ["feedback_live_accuracy", "gauge"],
  ["feedback_live_auc", "gauge"],
  ["feedback_live_log_loss", "gauge"],
  ["feedback_live_window_rows", "gauge"],
  ["feedback_events_published_total", "counter"],
  ["feedback_publish_errors_total", "counter"],
  ["feedback_buffer_depth", "gauge"],
];
