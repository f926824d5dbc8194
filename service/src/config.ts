/**
 * Service configuration from environment variables, validated with zod. A bad value stops startup with a
 * message naming the variable, the value given and what was expected. Every variable is documented in
 * service/README.md.
 */
import { fileURLToPath } from "node:url";
import { z } from "zod";

const DEFAULT_MODEL_REPOSITORY = fileURLToPath(new URL("../models", import.meta.url));

const bool = z.enum(["true", "false", "1", "0"]).transform((v) => v === "true" || v === "1");
const int = (min: number, max: number) =>
  z
    .string()
    .regex(/^-?\d+$/)
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));
const list = z
  .string()
  .transform((v) =>
    v
      .split(",")
      .map((s) => s.trim())
      .filter((s) => s.length > 0),
  )
  .pipe(z.array(z.string().regex(/^[A-Za-z0-9._:-]+$/)));

const sources = z
  .string()
  .transform((v) =>
    v
      .split(",")
      .map((s) => s.trim())
      .filter((s) => s.length > 0)
      .map((pair) => {
        const at = pair.indexOf("=");
        return { name: pair.slice(0, at), source: pair.slice(at + 1) };
      }),
  )
  .pipe(z.array(z.object({ name: z.string().regex(/^[A-Za-z0-9_.-]+$/), source: z.string().min(1) })));

interface VariableSpec<T> {
  readonly schema: z.ZodType<T, string>;
  readonly fallback: string;
  readonly expected: string;
}

function v<T>(schema: z.ZodType<T, string>, fallback: string, expected: string): VariableSpec<T> {
  return { schema, fallback, expected };
}

/** One entry per environment variable: schema, default (as the string the variable would hold), expectation. */
const VARIABLES = {
  HOST: v(z.string().min(1), "127.0.0.1", "an interface address such as 127.0.0.1 or 0.0.0.0"),
  PORT: v(int(0, 65535), "8080", "an integer port between 0 and 65535"),
  MODEL_REPOSITORY: v(z.string().min(1), DEFAULT_MODEL_REPOSITORY, "a model repository path or s3:// URI"),
  MODELS: v(list, "", "a comma-separated list of model names (empty: every model in the repository)"),
  MODEL_SOURCES: v(
    sources,
    "",
    "comma-separated name=source pairs, source a directory, s3://bucket/prefix or models:/<name>@<alias> (overrides MODELS)",
  ),
  BODY_LIMIT_BYTES: v(
    int(1024, 1024 * 1024 * 1024),
    "4194304",
    "an integer number of bytes, 1024..1073741824",
  ),
  LOG_LEVEL: v(
    z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]),
    "info",
    "one of fatal, error, warn, info, debug, trace, silent",
  ),
  LOG_FEATURES: v(bool, "false", "true or false (log request feature values; off by default)"),
  SHUTDOWN_DELAY_MS: v(int(0, 600_000), "0", "an integer number of milliseconds, 0..600000"),
  SHUTDOWN_GRACE_MS: v(int(100, 600_000), "10000", "an integer number of milliseconds, 100..600000"),
  KEEP_ALIVE_TIMEOUT_MS: v(int(0, 600_000), "72000", "an integer number of milliseconds, 0..600000"),
  MODEL_POLL_INTERVAL_MS: v(int(0, 86_400_000), "10000", "an integer number of milliseconds (0: no polling)"),
  INFERENCE_WORKERS: v(
    int(0, 64),
    "0",
    "an integer number of worker threads, 0..64 (0: one per CPU but one, at least 1, leaving a core to the event loop)",
  ),
  MAX_BATCH_SIZE: v(int(1, 4096), "256", "an integer number of rows, 1..4096"),
  MAX_BATCH_DELAY_US: v(int(0, 1_000_000), "500", "an integer number of microseconds, 0..1000000"),
  MAX_QUEUE_ROWS: v(int(1, 10_000_000), "4096", "an integer number of queued rows, 1..10000000"),
  DRIFT_ENABLED: v(bool, "true", "true or false"),
  DRIFT_WINDOW_SIZE: v(int(10, 10_000_000), "1000", "an integer number of rows, 10..10000000"),
  DRIFT_EVALUATE_EVERY_ROWS: v(
    int(0, 10_000_000),
    "0",
    "an integer number of rows, 0..10000000 (0: evaluate on the DRIFT_INTERVAL_MS timer only)",
  ),
  DRIFT_INTERVAL_MS: v(int(0, 86_400_000), "1000", "an integer number of milliseconds (0: no timer)"),
  KAFKA_BROKERS: v(list, "", "a comma-separated list of host:port Kafka brokers (empty: feedback loop off)"),
  KAFKA_CLIENT_ID: v(
    z.string().regex(/^[A-Za-z0-9._-]{1,255}$/),
    "inference-service",
    "a Kafka client id ([A-Za-z0-9._-])",
  ),
  KAFKA_PREDICTIONS_TOPIC: v(
    z.string().regex(/^[A-Za-z0-9._-]{1,249}$/),
    "predictions",
    "a Kafka topic name ([A-Za-z0-9._-], 1-249 chars)",
  ),
  KAFKA_OUTCOMES_TOPIC: v(
    z.string().regex(/^[A-Za-z0-9._-]{1,249}$/),
    "outcomes",
    "a Kafka topic name ([A-Za-z0-9._-], 1-249 chars)",
  ),
  KAFKA_DRIFT_TOPIC: v(
    z.string().regex(/^[A-Za-z0-9._-]{1,249}$/),
    "drift",
    "a Kafka topic name ([A-Za-z0-9._-], 1-249 chars)",
  ),
  KAFKA_BUFFER_SIZE: v(int(1, 10_000_000), "10000", "an integer number of buffered predictions, 1..10000000"),
  KAFKA_FLUSH_TIMEOUT_MS: v(int(0, 600_000), "5000", "an integer number of milliseconds, 0..600000"),
  SCORE_OUTPUT: v(z.string().min(1), "probabilities", "the output tensor name holding class probabilities"),
  LABEL_OUTPUT: v(z.string().min(1), "label", "the output tensor name holding the predicted label"),
} as const;

type Variables = typeof VARIABLES;
export type Config = {
  readonly [K in keyof Variables]: Variables[K] extends VariableSpec<infer T> ? T : never;
};

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n  ${problems.join("\n  ")}`);
    this.name = "ConfigError";
  }
}

/** Every variable with its default and expectation, for the README and error messages. */
export function describeVariables(): { name: string; fallback: string; expected: string }[] {
  return Object.entries(VARIABLES).map(([name, spec]) => ({
    name,
    fallback: spec.fallback,
    expected: spec.expected,
  }));
}

/** Reads and validates the configuration; throws ConfigError listing every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const problems: string[] = [];
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(VARIABLES) as [string, VariableSpec<unknown>][]) {
    const raw = env[name];
    const parsed = spec.schema.safeParse(raw === undefined ? spec.fallback : raw);
    if (parsed.success) out[name] = parsed.data;
    else problems.push(`${name}=${JSON.stringify(raw)}: expected ${spec.expected}`);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return out as Config;
}
