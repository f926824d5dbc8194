/**
 * The prediction sinks behind the HTTP layer: the drift monitors and the Kafka feedback loop, each optional,
 * both on the service's metrics Registry.
 */
import type { Logger } from "pino";
import type { Registry } from "prom-client";
import type { Config } from "../config";
import type { PredictionSink } from "../contracts";
import { DriftMonitors, type MonitoredEngine, type MonitorSettings } from "../drift";
import { FeedbackLoop, type KafkaSecurity, type KafkaTlsFiles } from "../feedback";

export interface Sinks {
  readonly sinks: PredictionSink[];
  readonly drift: DriftMonitors | undefined;
  stop(): Promise<void>;
}

/** Rows between evaluations, or the timer alone when DRIFT_EVALUATE_EVERY_ROWS=0 (both 0: the monitor's default). */
export function driftSettings(config: Config): MonitorSettings {
  const rows = config.DRIFT_EVALUATE_EVERY_ROWS;
  const intervalMs = config.DRIFT_INTERVAL_MS;
  const windowSize = config.DRIFT_WINDOW_SIZE;
  // Row-triggered evaluations scale with traffic (a KS sort per feature each time); the timer bounds them.
  if (rows > 0) return { windowSize, evaluateEvery: rows, intervalMs };
  return intervalMs > 0
    ? { windowSize, evaluateEvery: Number.MAX_SAFE_INTEGER, intervalMs }
    : { windowSize, intervalMs };
}

/** The loop's security settings from the (already cross-checked) KAFKA_* variables. */
export function kafkaSecurity(config: Config): KafkaSecurity {
  const tls: KafkaTlsFiles = {
    ...(config.KAFKA_SSL_CA_FILE ? { caFile: config.KAFKA_SSL_CA_FILE } : {}),
    ...(config.KAFKA_SSL_CERT_FILE ? { certFile: config.KAFKA_SSL_CERT_FILE } : {}),
    ...(config.KAFKA_SSL_KEY_FILE ? { keyFile: config.KAFKA_SSL_KEY_FILE } : {}),
  };
  switch (config.KAFKA_SECURITY_PROTOCOL) {
    case "PLAINTEXT":
      return { protocol: "PLAINTEXT" };
    case "SSL":
      return { protocol: "SSL", tls };
    case "SASL_SSL":
      return {
        protocol: "SASL_SSL",
        tls,
        sasl:
          config.KAFKA_SASL_MECHANISM === "OAUTHBEARER"
            ? { mechanism: "OAUTHBEARER", region: config.AWS_REGION }
            : {
                mechanism: "SCRAM-SHA-512",
                username: config.KAFKA_SASL_USERNAME,
                passwordFile: config.KAFKA_SASL_PASSWORD_FILE,
              },
      };
  }
}

export async function startSinks(
  config: Config,
  engine: MonitoredEngine,
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
      security: kafkaSecurity(config),
      createTopics: config.KAFKA_CREATE_TOPICS,
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
    drift = new DriftMonitors({
      engine,
      registry,
      logger: logger.child({ "log.logger": "drift" }),
      settings: driftSettings(config),
      onStatusChange: (e) => feedback?.publishDrift({ ...e }),
    });
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
