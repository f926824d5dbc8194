/**
 * Entry point: reads the environment, starts the engine, the prediction sinks (drift monitors, feedback loop)
 * and the HTTP server, and shuts down gracefully on SIGTERM/SIGINT (readiness false, listener closed,
 * in-flight requests finished, Kafka buffer flushed, exit 0 within SHUTDOWN_GRACE_MS).
 */
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { DestinationStream, Logger } from "pino";
import { modelSources } from "./app/models";
import { startSinks } from "./app/sinks";
import { type Config, loadConfig } from "./config";
import type { InferenceEngine } from "./contracts";
import { SERVER_NAME, SERVER_VERSION } from "./http/model-routes";
import { buildServer } from "./http/server";
import { createEngine } from "./inference";
import { createLogger } from "./logging";
import { createHttpMetrics, createRegistry } from "./metrics";

export interface RunningService {
  readonly url: string;
  readonly engine: InferenceEngine;
  readonly logger: Logger;
  /** host:port of the gRPC control plane, when GRPC_PORT is set. */
  readonly grpcAddress?: string;
  /** Graceful stop; resolves once everything is closed. */
  shutdown(reason: string): Promise<void>;
}

export async function startService(
  config: Config,
  logDestination?: DestinationStream,
): Promise<RunningService> {
  const logger = createLogger({ level: config.LOG_LEVEL }, logDestination);
  const registry = createRegistry();
  const metrics = createHttpMetrics(registry);
  const engine = await createEngine({
    models: await modelSources(config),
    ...(config.INFERENCE_WORKERS > 0 ? { workers: config.INFERENCE_WORKERS } : {}),
    maxBatchSize: config.MAX_BATCH_SIZE,
    maxBatchDelayMicros: config.MAX_BATCH_DELAY_US,
    maxQueueRows: config.MAX_QUEUE_ROWS,
    pollIntervalMs: config.MODEL_POLL_INTERVAL_MS,
    ...(config.MODEL_CONTROL === "explicit" ? { explicitRepository: config.MODEL_REPOSITORY } : {}),
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
  // Loaded only when asked for: the gRPC stack stays out of deployments that do not use it.
  const grpcServer =
    config.GRPC_PORT > 0
      ? await (await import("./grpc/server")).startGrpcServer({
          engine,
          ready: () => !lifecycle.draining && engine.ready(),
          host: config.HOST,
          port: config.GRPC_PORT,
          serverName: SERVER_NAME,
          serverVersion: SERVER_VERSION,
          logger: logger.child({ "log.logger": "grpc" }),
          sinks: sinks.sinks,
          scoreOutput: config.SCORE_OUTPUT,
          labelOutput: config.LABEL_OUTPUT,
          maxMessageBytes: config.BODY_LIMIT_BYTES,
          metrics,
        })
      : undefined;

  let stopping: Promise<void> | undefined;
  const shutdown = (reason: string): Promise<void> => {
    stopping ??= (async () => {
      logger.info({ reason }, "shutting down: readiness false, finishing in-flight requests");
      lifecycle.draining = true;
      // Lets load balancers see the failed readiness before the listener goes away.
      if (config.SHUTDOWN_DELAY_MS > 0) await new Promise((r) => setTimeout(r, config.SHUTDOWN_DELAY_MS));
      // Fastify closes the connections idle at close() only; a response already on its way out then (sent with
      // keep-alive) leaves a socket that turns idle afterwards and would hold close() until the keep-alive
      // timeout. Reap those until the listener is closed.
      const reaper = setInterval(() => app.server.closeIdleConnections(), 100);
      try {
        await Promise.all([app.close(), grpcServer?.close(config.SHUTDOWN_GRACE_MS)]);
      } finally {
        clearInterval(reaper);
      }
      logger.info("listener closed, in-flight requests answered");
      await engine.close();
      logger.info("inference engine closed");
      await sinks.stop();
      logger.info("shutdown complete");
    })();
    return stopping;
  };
  return { url, engine, logger, shutdown, ...(grpcServer ? { grpcAddress: grpcServer.address } : {}) };
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
