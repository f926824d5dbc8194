/**
 * Entry point: reads the environment, starts the engine, drift monitor, feedback loop and HTTP server, and
 * shuts down gracefully on SIGTERM/SIGINT (readiness false, listener closed, in-flight requests finished,
 * Kafka buffer flushed, exit 0 within SHUTDOWN_GRACE_MS).
 */
import { existsSync } from "node:fs";
import { readdir } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { DestinationStream, Logger } from "pino";
import type { Registry } from "prom-client";
import { type Config, ConfigError, loadConfig } from "./config";
import type { InferenceEngine, PredictionEvent, PredictionSink } from "./contracts";
import { DriftMonitor, loadProfile } from "./drift";
import { FeedbackLoop } from "./feedback";
import { buildServer, type DriftStatusSource } from "./http/server";
import { createEngine } from "./inference";
import { createLogger } from "./logging";
import { createHttpMetrics, createRegistry } from "./metrics";

export interface RunningService {
  readonly url: string;
  readonly engine: InferenceEngine;
  readonly logger: Logger;
  /** Graceful stop; resolves once everything is closed. */
  shutdown(reason: string): Promise<void>;
}

/** Model names in a local repository: directories holding at least one numeric version directory. */
async function discoverModels(repository: string): Promise<string[]> {
  if (/^[a-z][a-z0-9+.-]*:/i.test(repository)) {
    throw new ConfigError([
      `MODELS="": expected model names when MODEL_REPOSITORY=${repository} is not a directory`,
    ]);
  }
  const names: string[] = [];
  for (const d of await readdir(repository, { withFileTypes: true })) {
    if (!d.isDirectory()) continue;
    const versions = await readdir(path.join(repository, d.name), { withFileTypes: true });
    if (versions.some((v) => v.isDirectory() && /^\d+$/.test(v.name))) names.push(d.name);
  }
  if (names.length === 0) {
    throw new ConfigError([
      `MODEL_REPOSITORY=${JSON.stringify(repository)}: expected <name>/<version>/model.onnx`,
    ]);
  }
  return names.sort();
}

/** Rows between evaluations, or the timer alone when DRIFT_EVALUATE_EVERY_ROWS=0 (both 0: the monitor's default). */
function evaluationSchedule(config: Config): { evaluateEvery?: number; intervalMs: number } {
  const rows = config.DRIFT_EVALUATE_EVERY_ROWS;
  const intervalMs = config.DRIFT_INTERVAL_MS;
  if (rows > 0) return { evaluateEvery: rows, intervalMs };
  return intervalMs > 0 ? { evaluateEvery: Number.MAX_SAFE_INTEGER, intervalMs } : { intervalMs };
}

/**
 * One DriftMonitor per model, built from the profile.json next to the served version's model.onnx in a local
 * repository; after a hot swap the first event of the new version switches to that version's profile.
 */
class DriftMonitors implements PredictionSink, DriftStatusSource {
  private readonly monitors = new Map<string, DriftMonitor>();
  private readonly missing = new Set<string>();

  constructor(
    private readonly config: Config,
    private readonly registry: Registry,
    private readonly logger: Logger,
    private readonly onDrift: (event: Record<string, unknown> & { model: string }) => void,
  ) {}

  record(event: PredictionEvent): void {
    let monitor = this.monitors.get(event.model);
    if (monitor?.profile.version !== event.version) monitor = this.switchTo(event.model, event.version);
    monitor?.record(event);
  }

  /** Builds monitors for the versions serving now, so drift status exists before the first prediction. */
  prime(entries: readonly { name: string; version?: string }[]): void {
    for (const e of entries) if (e.version !== undefined) this.switchTo(e.name, e.version);
  }

  private switchTo(model: string, version: string): DriftMonitor | undefined {
    const key = `${model}@${version}`;
    if (this.missing.has(key)) return this.monitors.get(model);
    const source =
      this.config.MODEL_SOURCES.find((m) => m.name === model)?.source ?? this.config.MODEL_REPOSITORY;
    // Profiles are read next to model.onnx in local repositories only (s3 / MLflow sources: no drift yet).
    const file = /^[a-z][a-z0-9+.-]*:/i.test(source) ? "" : path.join(source, model, version, "profile.json");
    if (file === "" || !existsSync(file)) {
      this.missing.add(key);
      this.logger.warn(
        { model, version, file },
        "no drift profile for this model version; drift not monitored",
      );
      return this.monitors.get(model);
    }
    const previous = this.monitors.get(model);
    const monitor = new DriftMonitor({
      model,
      profile: loadProfile(file),
      registry: this.registry,
      windowSize: this.config.DRIFT_WINDOW_SIZE,
      // Row-triggered evaluations scale with traffic (a KS sort per feature each time); the timer bounds them.
      ...evaluationSchedule(this.config),
      onStatusChange: (e) => {
        this.logger.warn({ drift: e }, e.drifted ? "feature drift detected" : "feature drift cleared");
        this.onDrift({ ...e });
      },
      onError: (err) => this.logger.warn({ err }, "drift evaluation failed"),
    });
    this.monitors.set(model, monitor);
    void previous?.close();
    return monitor;
  }

  status(model?: string): unknown {
    if (model !== undefined) return this.monitors.get(model)?.status();
    return { models: Object.fromEntries([...this.monitors].map(([name, m]) => [name, m.status()])) };
  }

  async close(): Promise<void> {
    await Promise.all([...this.monitors.values()].map((m) => m.close()));
  }
}

interface Sinks {
  readonly sinks: PredictionSink[];
  readonly drift: DriftStatusSource | undefined;
  stop(): Promise<void>;
}

/** Drift monitor and Kafka feedback loop, each optional; both share the service's metrics Registry. */
async function startSinks(
  config: Config,
  engine: InferenceEngine,
  registry: Registry,
  logger: Logger,
): Promise<Sinks> {
  const sinks: PredictionSink[] = [];
  let feedback: FeedbackLoop | undefined;
  if (config.KAFKA_BROKERS.length > 0) {
    feedback = new FeedbackLoop({
      brokers: config.KAFKA_BROKERS,
      registry,
      logger: logger.child({ "log.logger": "feedback" }),
      clientId: config.KAFKA_CLIENT_ID,
      topics: {
        predictions: config.KAFKA_PREDICTIONS_TOPIC,
        outcomes: config.KAFKA_OUTCOMES_TOPIC,
        drift: config.KAFKA_DRIFT_TOPIC,
      },
      bufferSize: config.KAFKA_BUFFER_SIZE,
      flushTimeoutMs: config.KAFKA_FLUSH_TIMEOUT_MS,
    });
    // An unreachable Kafka must not keep the service from serving: the loop delivers once Kafka is back.
    await feedback.start().catch((err: unknown) => {
      logger.warn(
        { err: (err as Error).message },
        "Kafka not reachable at startup; predictions stay buffered",
      );
    });
    sinks.push(feedback);
  }
  let drift: DriftMonitors | undefined;
  if (config.DRIFT_ENABLED) {
    drift = new DriftMonitors(config, registry, logger.child({ "log.logger": "drift" }), (e) =>
      feedback?.publishDrift(e),
    );
    drift.prime(engine.repositoryIndex());
    sinks.unshift(drift);
  }
  return {
    sinks,
    drift,
    async stop() {
      await drift?.close();
      if (feedback !== undefined) {
        const { undelivered } = await feedback.stop();
        if (undelivered > 0) logger.warn({ undelivered }, "Kafka buffer not fully delivered at shutdown");
      }
    },
  };
}

export async function startService(
  config: Config,
  logDestination?: DestinationStream,
): Promise<RunningService> {
  const logger = createLogger({ level: config.LOG_LEVEL }, logDestination);
  const registry = createRegistry();
  const metrics = createHttpMetrics(registry);
  const models =
    config.MODEL_SOURCES.length > 0
      ? config.MODEL_SOURCES
      : (config.MODELS.length > 0 ? config.MODELS : await discoverModels(config.MODEL_REPOSITORY)).map(
          (name) => ({
            name,
            source: config.MODEL_REPOSITORY,
          }),
        );
  const engine = await createEngine({
    models,
    ...(config.INFERENCE_WORKERS > 0 ? { workers: config.INFERENCE_WORKERS } : {}),
    maxBatchSize: config.MAX_BATCH_SIZE,
    maxBatchDelayMicros: config.MAX_BATCH_DELAY_US,
    maxQueueRows: config.MAX_QUEUE_ROWS,
    pollIntervalMs: config.MODEL_POLL_INTERVAL_MS,
    registry,
    logger: logger.child({ "log.logger": "engine" }),
  });
  if (!engine.ready()) {
    logger.warn({ repository: engine.repositoryIndex() }, "not every model loaded; readiness stays false");
  }
  const sinks = await startSinks(config, engine, registry, logger);
  const { app, lifecycle } = buildServer({
    engine,
    metrics,
    logger,
    sinks: sinks.sinks,
    ...(sinks.drift === undefined ? {} : { drift: sinks.drift }),
    bodyLimit: config.BODY_LIMIT_BYTES,
    keepAliveTimeoutMs: config.KEEP_ALIVE_TIMEOUT_MS,
    logFeatures: config.LOG_FEATURES,
    scoreOutput: config.SCORE_OUTPUT,
    labelOutput: config.LABEL_OUTPUT,
  });
  const url = await app.listen({ host: config.HOST, port: config.PORT });

  let stopping: Promise<void> | undefined;
  const shutdown = (reason: string): Promise<void> => {
    stopping ??= (async () => {
      logger.info({ reason }, "shutting down: readiness false, finishing in-flight requests");
      lifecycle.draining = true;
      // Lets load balancers see the failed readiness before the listener goes away.
      if (config.SHUTDOWN_DELAY_MS > 0) await new Promise((r) => setTimeout(r, config.SHUTDOWN_DELAY_MS));
      await app.close();
      logger.info("listener closed, in-flight requests answered");
      await engine.close();
      logger.info("inference engine closed");
      await sinks.stop();
      logger.info("shutdown complete");
    })();
    return stopping;
  };
  return { url, engine, logger, shutdown };
}

async function run(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    // Plain stderr: the logger's level may itself be the bad variable.
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(2);
  }
  let service: RunningService | undefined;
  let signalled: NodeJS.Signals | undefined;
  const stop = (s: RunningService, signal: NodeJS.Signals) => {
    s.shutdown(signal).then(
      () => process.exit(0),
      (err: unknown) => {
        s.logger.error({ err }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  // Installed before startup and kept (not `once`): a repeated or early signal must not fall back to
  // Node's default action, which would kill the process mid-drain.
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled !== undefined) return;
    signalled = signal;
    setTimeout(() => {
      process.stderr.write(`shutdown grace period of ${config.SHUTDOWN_GRACE_MS} ms exceeded; exiting\n`);
      process.exit(1);
    }, config.SHUTDOWN_GRACE_MS).unref();
    if (service !== undefined) stop(service, signal);
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
  service = await startService(config);
  if (signalled !== undefined) stop(service, signalled);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  run().catch((err: unknown) => {
    process.stderr.write(`startup failed: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  });
}
