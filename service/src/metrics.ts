/**
 * HTTP-layer Prometheus metrics on a shared Registry; the engine, drift monitor and feedback loop register
 * their own metrics on the same Registry so one /metrics endpoint exposes everything.
 */
import { collectDefaultMetrics, Registry } from "prom-client";
import { HotCounter, HotHistogram } from "./hot-metrics";

/** Updated on every request, so they are hot-path metrics (bind a label set once, then update). */
export interface HttpMetrics {
  readonly registry: Registry;
  readonly httpRequests: HotCounter<"method" | "route" | "status_code">;
  readonly httpDuration: HotHistogram<"method" | "route" | "status_code">;
  readonly inferenceRequests: HotCounter<"model" | "version" | "code">;
  readonly inferenceDuration: HotHistogram<"model" | "version">;
  readonly inferenceRows: HotCounter<"model" | "version">;
}

// Latency buckets from 0.5 ms to 5 s: the service answers small tabular batches in milliseconds.
const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

export function createRegistry(options: { defaultMetrics?: boolean } = {}): Registry {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) {
    collectDefaultMetrics({ register: registry });
    // These prom-client gauges end in _total, which `promtool check metrics` rejects for non-counters; the
    // per-type nodejs_active_{handles,requests,resources} gauges carry the same information.
    for (const name of [
      "nodejs_active_handles_total",
      "nodejs_active_requests_total",
      "nodejs_active_resources_total",
    ]) {
      registry.removeSingleMetric(name);
    }
  }
  return registry;
}

export function createHttpMetrics(registry: Registry): HttpMetrics {
  return {
    registry,
    httpRequests: new HotCounter({
      name: "http_requests_total",
      help: "HTTP requests answered, by method, route template and status code.",
      labelNames: ["method", "route", "status_code"],
      registers: [registry],
    }),
    httpDuration: new HotHistogram({
      name: "http_request_duration_seconds",
      help: "HTTP request duration from arrival to response, in seconds.",
      labelNames: ["method", "route", "status_code"],
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    }),
    inferenceRequests: new HotCounter({
      name: "inference_requests_total",
      help: "Inference requests answered, by model, version and HTTP status code.",
      labelNames: ["model", "version", "code"],
      registers: [registry],
    }),
    inferenceDuration: new HotHistogram({
      name: "inference_request_duration_seconds",
      help: "Time from request arrival to the engine's answer for successful inference requests, in seconds.",
      labelNames: ["model", "version"],
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    }),
    inferenceRows: new HotCounter({
      name: "inference_rows_total",
      help: "Rows (first-dimension entries) predicted by successful inference requests.",
      labelNames: ["model", "version"],
      registers: [registry],
    }),
  };
}
