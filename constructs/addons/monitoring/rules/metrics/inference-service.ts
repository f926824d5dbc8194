/**
 * Metric families of the reference inference service (service/), taken from its real `/metrics` exposition
 * (prom-client, default settings: drift on, feedback off) — the `# TYPE` lines of a freshly started service.
 * test/constructs/addons/monitoring/rules/exposition.test.ts starts the service in-process on loopback and
 * fails when this list and the exposition differ, so a renamed metric breaks the build here, not in an alert.
 */
import type { MetricFamily } from "./family";

export const INFERENCE_SERVICE_FAMILIES: readonly MetricFamily[] = [
  ["process_cpu_user_seconds_total", "counter"],
  ["process_cpu_system_seconds_total", "counter"],
  ["process_cpu_seconds_total", "counter"],
  ["process_start_time_seconds", "gauge"],
  ["process_resident_memory_bytes", "gauge"],
  ["process_virtual_memory_bytes", "gauge"],
  ["process_heap_bytes", "gauge"],
  ["process_open_fds", "gauge"],
  ["process_max_fds", "gauge"],
  ["nodejs_eventloop_lag_seconds", "gauge"],
  ["nodejs_eventloop_lag_min_seconds", "gauge"],
  ["nodejs_eventloop_lag_max_seconds", "gauge"],
  ["nodejs_eventloop_lag_mean_seconds", "gauge"],
  ["nodejs_eventloop_lag_stddev_seconds", "gauge"],
  ["nodejs_eventloop_lag_p50_seconds", "gauge"],
  ["nodejs_eventloop_lag_p90_seconds", "gauge"],
  ["nodejs_eventloop_lag_p99_seconds", "gauge"],
  ["nodejs_active_resources", "gauge"],
  ["nodejs_active_handles", "gauge"],
  ["nodejs_active_requests", "gauge"],
  ["nodejs_heap_size_total_bytes", "gauge"],
  ["nodejs_heap_size_used_bytes", "gauge"],
  ["nodejs_external_memory_bytes", "gauge"],
  ["nodejs_heap_space_size_total_bytes", "gauge"],
  ["nodejs_heap_space_size_used_bytes", "gauge"],
  ["nodejs_heap_space_size_available_bytes", "gauge"],
  ["nodejs_version_info", "gauge"],
  ["nodejs_gc_duration_seconds", "histogram"],
  ["http_requests_total", "counter"],
  ["http_request_duration_seconds", "histogram"],
  ["inference_requests_total", "counter"],
  ["inference_request_duration_seconds", "histogram"],
  ["inference_rows_total", "counter"],
  ["inference_batch_size_rows", "histogram"],
  ["inference_queue_depth_rows", "gauge"],
  ["inference_workers", "gauge"],
  ["inference_workers_busy", "gauge"],
  ["inference_worker_busy_seconds_total", "counter"],
  ["inference_duration_seconds", "histogram"],
  ["inference_model_loads_total", "counter"],
  ["inference_model_swaps_total", "counter"],
  ["inference_model_version_info", "gauge"],
  ["drift_psi", "gauge"],
  ["drift_p_value", "gauge"],
  ["drift_adjusted_p_value", "gauge"],
  ["drift_test_statistic", "gauge"],
  ["drift_detected", "gauge"],
  ["drift_window_rows", "gauge"],
  ["drift_last_evaluation_timestamp_seconds", "gauge"],
  ["drift_evaluation_duration_seconds", "gauge"],
  ["drift_evaluations_total", "counter"],
  ["drift_dropped_events_total", "counter"],
  ["drift_dropped_windows_total", "counter"],
  ["drift_monitored", "gauge"],
];

/**
 * The `feature` label value under which the drift monitor tests the model's score distribution (prediction
 * drift) beside the input features (service/src/drift/window.ts PREDICTION_FEATURE; exposition.test.ts compares).
 */
export const PREDICTION_DRIFT_FEATURE = "__prediction__";
