import os from "node:os";
import { Registry } from "prom-client";

/** Minimal pino-compatible logger: pino's `Logger` satisfies it. */
export interface EngineLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}

export interface ModelSourceConfig {
  /** Name the model is served under (`/v2/models/{name}`). */
  readonly name: string;
  /**
   * Where versions come from:
   * - a local model-repository directory laid out as `<dir>/<name>/<version>/model.onnx`
   *   (the highest numeric version is served);
   * - `s3://bucket/prefix` with the same layout under the prefix;
   * - `models:/<registered-name>@<alias>`: the MLflow registry alias, resolved through `MLFLOW_TRACKING_URI`;
   *   `models:/<registered-name>/<version>`: one pinned version.
   * Every source is polled every `pollIntervalMs`; a new version is hot-swapped in.
   */
  readonly source: string;
}

export interface EngineOptions {
  readonly models: readonly ModelSourceConfig[];
  /**
   * Worker threads running ONNX Runtime; default one per CPU but one (at least 1): the event-loop thread needs
   * a core of its own. On 2 cores under load, 1 worker took ~8 % less CPU per request than 2 (bench:serve,
   * batch 1 and 32), because bigger batches mean fewer thread hand-offs.
   */
  readonly workers?: number;
  /** ONNX Runtime intra-op threads per session; default 1 (parallelism comes from workers). */
  readonly intraOpNumThreads?: number;
  /** Most rows merged into one `run`; default 32. */
  readonly maxBatchSize?: number;
  /**
   * Longest a request waits for others to join its batch; default 500 µs. Node timers have 1 ms resolution,
   * so a delay under 1000 µs waits one event-loop turn (requests parsed in the same turn merge); 0 is
   * greedy (batches then form only from requests that arrive while every worker is busy).
   */
  readonly maxBatchDelayMicros?: number;
  /** Rows waiting for a worker across all models; past it `infer` throws QueueFullError. Default 4096. */
  readonly maxQueueRows?: number;
  /** How often sources are checked for a new version (0 disables polling); default 10000 ms. */
  readonly pollIntervalMs?: number;
  /** MLflow tracking server; default `process.env.MLFLOW_TRACKING_URI`. */
  readonly mlflowTrackingUri?: string;
  /** Metrics land here; default a fresh Registry. */
  readonly registry?: Registry;
  readonly logger?: EngineLogger;
  /** Where downloaded (s3 / MLflow) models are cached; default a fresh directory under os.tmpdir(). */
  readonly cacheDir?: string;
  /**
   * Explicit model control (as Triton's `--model-control-mode=explicit`, what Seldon Core 2's agent expects):
   * `load(name)` of a model that is not configured serves `<explicitRepository>/<name>/<version>/model.onnx`
   * when that directory exists (the agent writes it after the server started), and the server's readiness no
   * longer depends on model states (a model loaded on request may fail or be unloaded; the server stays ready).
   */
  readonly explicitRepository?: string;
}

export interface ResolvedOptions {
  readonly models: readonly ModelSourceConfig[];
  readonly workers: number;
  readonly intraOpNumThreads: number;
  readonly maxBatchSize: number;
  readonly maxBatchDelayMicros: number;
  readonly maxQueueRows: number;
  readonly pollIntervalMs: number;
  readonly mlflowTrackingUri: string | undefined;
  readonly registry: Registry;
  readonly logger: EngineLogger;
  readonly cacheDir: string | undefined;
  readonly explicitRepository: string | undefined;
}

const silentLogger: EngineLogger = { info() {}, warn() {}, error() {}, debug() {} };

function positiveInt(field: string, value: number | undefined, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min) {
    throw new TypeError(`engine option ${field} must be an integer >= ${min}, got ${String(value)}`);
  }
  return value;
}

export function resolveOptions(options: EngineOptions): ResolvedOptions {
  const names = new Set<string>();
  for (const [i, m] of options.models.entries()) {
    if (!m.name || !/^[A-Za-z0-9_.-]+$/.test(m.name)) {
      throw new TypeError(`engine option models[${i}].name must match [A-Za-z0-9_.-]+, got '${m.name}'`);
    }
    if (names.has(m.name)) throw new TypeError(`engine option models[${i}].name '${m.name}' is repeated`);
    names.add(m.name);
    if (!m.source) throw new TypeError(`engine option models[${i}].source is empty`);
  }
  const maxBatchSize = positiveInt("maxBatchSize", options.maxBatchSize, 32);
  return {
    models: options.models,
    workers: positiveInt("workers", options.workers, Math.max(1, os.availableParallelism() - 1)),
    intraOpNumThreads: positiveInt("intraOpNumThreads", options.intraOpNumThreads, 1),
    maxBatchSize,
    maxBatchDelayMicros: positiveInt("maxBatchDelayMicros", options.maxBatchDelayMicros, 500, 0),
    maxQueueRows: positiveInt("maxQueueRows", options.maxQueueRows, Math.max(4096, maxBatchSize)),
    pollIntervalMs: positiveInt("pollIntervalMs", options.pollIntervalMs, 10_000, 0),
    mlflowTrackingUri: options.mlflowTrackingUri ?? process.env.MLFLOW_TRACKING_URI,
    registry: options.registry ?? new Registry(),
    logger: options.logger ?? silentLogger,
    cacheDir: options.cacheDir,
    explicitRepository: options.explicitRepository,
  };
}
