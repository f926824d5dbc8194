import { Counter, Gauge, type Metric, type Registry } from "prom-client";
import { HotCounter, HotGauge, HotHistogram } from "../hot-metrics";

/** Queue, batch and worker metrics change on every request or batch, so they are hot-path metrics. */
export interface EngineMetrics {
  readonly batchSize: HotHistogram<"model">;
  readonly queueRows: HotGauge<never>;
  readonly workers: Gauge;
  readonly workersBusy: HotGauge<never>;
  readonly workerBusySeconds: HotCounter<"worker">;
  readonly duration: HotHistogram<"model" | "version">;
  readonly loads: Counter<"model" | "result">;
  readonly swaps: Counter<"model">;
  readonly versionInfo: Gauge<"model" | "version" | "source">;
}

/** Reuses a metric already in the registry (a second engine on one registry) instead of throwing. */
function get<T extends Metric | HotCounter<string> | HotGauge<string> | HotHistogram<string>>(
  registry: Registry,
  name: string,
  make: () => T,
): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? make();
}

export function createMetrics(registry: Registry): EngineMetrics {
  const registers = [registry];
  return {
    batchSize: get(
      registry,
      "inference_batch_size_rows",
      () =>
        new HotHistogram({
          name: "inference_batch_size_rows",
          help: "Rows per ONNX Runtime run after dynamic batching",
          labelNames: ["model"],
          buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256],
          registers,
        }),
    ),
    queueRows: get(
      registry,
      "inference_queue_depth_rows",
      () =>
        new HotGauge({
          name: "inference_queue_depth_rows",
          help: "Rows waiting for a worker",
          labelNames: [],
          registers,
        }),
    ),
    workers: get(
      registry,
      "inference_workers",
      () => new Gauge({ name: "inference_workers", help: "Inference worker threads", registers }),
    ),
    workersBusy: get(
      registry,
      "inference_workers_busy",
      () =>
        new HotGauge({
          name: "inference_workers_busy",
          help: "Inference worker threads running a batch now (utilisation = busy / workers)",
          labelNames: [],
          registers,
        }),
    ),
    workerBusySeconds: get(
      registry,
      "inference_worker_busy_seconds_total",
      () =>
        new HotCounter({
          name: "inference_worker_busy_seconds_total",
          help: "Time each worker spent running batches; rate() is its utilisation",
          labelNames: ["worker"],
          registers,
        }),
    ),
    duration: get(
      registry,
      "inference_duration_seconds",
      () =>
        new HotHistogram({
          name: "inference_duration_seconds",
          help: "ONNX Runtime run time per batch",
          labelNames: ["model", "version"],
          buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
          registers,
        }),
    ),
    loads: get(
      registry,
      "inference_model_loads_total",
      () =>
        new Counter({
          name: "inference_model_loads_total",
          help: "Model version loads by result",
          labelNames: ["model", "result"],
          registers,
        }),
    ),
    swaps: get(
      registry,
      "inference_model_swaps_total",
      () =>
        new Counter({
          name: "inference_model_swaps_total",
          help: "Hot swaps from one served model version to another",
          labelNames: ["model"],
          registers,
        }),
    ),
    versionInfo: get(
      registry,
      "inference_model_version_info",
      () =>
        new Gauge({
          name: "inference_model_version_info",
          help: "1 for the model version currently served",
          labelNames: ["model", "version", "source"],
          registers,
        }),
    ),
  };
}
