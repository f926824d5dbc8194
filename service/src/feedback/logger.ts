/**
 * Logging for the feedback loop. The service's pino logger satisfies `FeedbackLogger`. kafkajs logs through
 * `kafkaLogCreator`: while a broker is down it reports every failed connection attempt, so its errors are
 * logged as warnings (the loop itself reports delivery failures and recovery) and repeats are rate-limited.
 */
import { type logCreator, logLevel } from "kafkajs";

type LogMethod = (obj: object, msg?: string) => void;

export interface FeedbackLogger {
  readonly debug: LogMethod;
  readonly info: LogMethod;
  readonly warn: LogMethod;
  readonly error: LogMethod;
}

export const silentLogger: FeedbackLogger = { debug() {}, info() {}, warn() {}, error() {} };

/**
 * Messages kafkajs logs that do not apply here. The idempotent producer's retries are limited on purpose:
 * the loop resends a failed batch unchanged, so broker-side sequence numbers still deduplicate it.
 */
const EXPECTED = new Set(["Limiting retries for the idempotent producer may invalidate EoS guarantees"]);

const MAX_KEYS = 1000;

export function kafkaLogCreator(logger: FeedbackLogger, repeatIntervalMs = 30_000): logCreator {
  const lastLogged = new Map<string, { at: number; suppressed: number }>();
  return () =>
    ({ namespace, level, log }) => {
      const {
        message,
        timestamp: _timestamp,
        logger: _logger,
        stack: _stack,
        ...extra
      } = log as typeof log & {
        stack?: string;
      };
      const method: keyof FeedbackLogger = EXPECTED.has(message) || level >= logLevel.INFO ? "debug" : "warn";
      // Numbers vary between repeats ("Restarting the consumer in 2373ms"), so they do not make a new key.
      if (method === "debug") {
        logger.debug({ component: "kafkajs", namespace, ...extra }, message);
        return;
      }
      // Numbers vary between repeats ("Restarting the consumer in 2373ms"), so they do not make a new key.
      const key = `${namespace}|${message.replace(/\d+(\.\d+)?/g, "#")}|${String(extra.broker ?? "")}`;
      const now = Date.now();
      const seen = lastLogged.get(key);
      if (seen && now - seen.at < repeatIntervalMs) {
        seen.suppressed++;
        return;
      }
      if (lastLogged.size >= MAX_KEYS) lastLogged.clear();
      lastLogged.set(key, { at: now, suppressed: 0 });
      const suppressed = seen?.suppressed ? { suppressedRepeats: seen.suppressed } : {};
      logger[method]({ component: "kafkajs", namespace, ...extra, ...suppressed }, message);
    };
}
