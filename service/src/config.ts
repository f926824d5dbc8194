/**
 * Service configuration from environment variables, validated with zod. A bad value stops startup with a
 * message naming the variable, the value given and what was expected. Every variable is documented in
 * service/README.md.
 */
import { createPrivateKey, X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
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
  GRPC_PORT: v(
    int(0, 65535),
    "0",
    "an integer port between 1 and 65535 for the gRPC control plane (health, metadata, model repository; Seldon Core 2's agent uses it), or 0 for none",
  ),
  MODEL_REPOSITORY: v(z.string().min(1), DEFAULT_MODEL_REPOSITORY, "a model repository path or s3:// URI"),
  MODELS: v(list, "", "a comma-separated list of model names (empty: every model in the repository)"),
  MODEL_SOURCES: v(
    sources,
    "",
    "comma-separated name=source pairs, source a directory, s3://bucket/prefix, models:/<name>@<alias> or models:/<name>/<version> (overrides MODELS)",
  ),
  MODEL_CONTROL: v(
    z.enum(["all", "explicit"]),
    "all",
    "all (serve every configured model from the start) or explicit (start with MODELS only, possibly none; load and unload <MODEL_REPOSITORY>/<name> on request, as Seldon Core 2's agent drives a server)",
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
  KAFKA_SECURITY_PROTOCOL: v(
    z.enum(["PLAINTEXT", "SSL", "SASL_SSL"]),
    "PLAINTEXT",
    "one of PLAINTEXT (local development only), SSL (TLS, with a client certificate for mTLS), SASL_SSL (TLS + SASL)",
  ),
  KAFKA_SASL_MECHANISM: v(
    z.enum(["", "SCRAM-SHA-512", "OAUTHBEARER"]),
    "",
    "SCRAM-SHA-512 (Strimzi KafkaUser), OAUTHBEARER (MSK IAM) or empty (no SASL)",
  ),
  KAFKA_SASL_USERNAME: v(
    z.string().regex(/^[^\s]{0,255}$/),
    "",
    "the SCRAM user name (the KafkaUser's name), no whitespace",
  ),
  KAFKA_SASL_PASSWORD_FILE: v(
    z.string(),
    "",
    "the path of a file holding the SCRAM password (the KafkaUser secret's `password` key, mounted); read again on each new connection",
  ),
  KAFKA_SSL_CA_FILE: v(
    z.string(),
    "",
    "the path of a PEM file of CA certificates the brokers' certificates must chain to (Strimzi: the cluster CA's ca.crt; empty: Node's public CAs, as MSK needs)",
  ),
  KAFKA_SSL_CERT_FILE: v(
    z.string(),
    "",
    "the path of the PEM client certificate for mTLS (Strimzi KafkaUser tls: user.crt), with KAFKA_SSL_KEY_FILE",
  ),
  KAFKA_SSL_KEY_FILE: v(
    z.string(),
    "",
    "the path of the PEM private key of KAFKA_SSL_CERT_FILE (Strimzi KafkaUser tls: user.key)",
  ),
  AWS_REGION: v(
    z.string().regex(/^([a-z]{2}(-[a-z]+)+-\d+)?$/),
    "",
    "an AWS region such as eu-west-1 (MSK IAM signs its OAUTHBEARER token for it)",
  ),
  KAFKA_CREATE_TOPICS: v(
    bool,
    "false",
    "true or false (create missing topics at start, which needs the Create ACL; off: the platform owns the topics)",
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
  if (problems.length === 0) problems.push(...modelControlProblems(out as Config));
  if (problems.length === 0) problems.push(...kafkaSecurityProblems(out as Config));
  if (problems.length > 0) throw new ConfigError(problems);
  return out as Config;
}

/** Explicit model control loads from a local directory by name; other sources cannot be listed that way. */
function modelControlProblems(c: Config): string[] {
  if (c.MODEL_CONTROL !== "explicit") return [];
  const problems: string[] = [];
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(c.MODEL_REPOSITORY) || c.MODEL_REPOSITORY.startsWith("models:/")) {
    problems.push(
      `MODEL_REPOSITORY=${JSON.stringify(c.MODEL_REPOSITORY)}: expected a local directory with MODEL_CONTROL=explicit`,
    );
  }
  if (c.MODEL_SOURCES.length > 0) {
    problems.push(
      `MODEL_SOURCES=${JSON.stringify(c.MODEL_SOURCES.map((m) => `${m.name}=${m.source}`).join(","))}: expected empty with MODEL_CONTROL=explicit (models come from MODEL_REPOSITORY by name)`,
    );
  }
  return problems;
}

/**
 * Cross-variable rules of the Kafka security settings, and the files they name (read only when the feedback
 * loop is on, so that a mounted secret missing at startup stops the service with its variable named).
 */
function kafkaSecurityProblems(c: Config): string[] {
  const problems: string[] = [];
  const show = (name: keyof Config) => `${name}=${JSON.stringify(c[name])}`;
  const protocol = c.KAFKA_SECURITY_PROTOCOL;
  const mechanism = c.KAFKA_SASL_MECHANISM;
  if (protocol === "SASL_SSL" && mechanism === "") {
    problems.push(
      `${show("KAFKA_SASL_MECHANISM")}: expected SCRAM-SHA-512 or OAUTHBEARER with KAFKA_SECURITY_PROTOCOL=SASL_SSL`,
    );
  }
  if (protocol !== "SASL_SSL" && mechanism !== "") {
    // SASL without TLS would send the MSK token, or the SCRAM exchange, in clear text: not offered.
    problems.push(
      `${show("KAFKA_SASL_MECHANISM")}: expected empty unless KAFKA_SECURITY_PROTOCOL=SASL_SSL (it is ${protocol})`,
    );
  }
  const scram = protocol === "SASL_SSL" && mechanism === "SCRAM-SHA-512";
  for (const name of ["KAFKA_SASL_USERNAME", "KAFKA_SASL_PASSWORD_FILE"] as const) {
    if (scram && c[name] === "")
      problems.push(`${show(name)}: expected a value with KAFKA_SASL_MECHANISM=SCRAM-SHA-512`);
    if (!scram && c[name] !== "")
      problems.push(`${show(name)}: expected empty unless KAFKA_SASL_MECHANISM=SCRAM-SHA-512`);
  }
  if (protocol === "SASL_SSL" && mechanism === "OAUTHBEARER" && c.AWS_REGION === "") {
    problems.push(
      `${show("AWS_REGION")}: expected the MSK cluster's region with KAFKA_SASL_MECHANISM=OAUTHBEARER`,
    );
  }
  for (const name of ["KAFKA_SSL_CA_FILE", "KAFKA_SSL_CERT_FILE", "KAFKA_SSL_KEY_FILE"] as const) {
    if (protocol === "PLAINTEXT" && c[name] !== "") {
      problems.push(
        `${show(name)}: expected empty with KAFKA_SECURITY_PROTOCOL=PLAINTEXT (TLS settings need SSL or SASL_SSL)`,
      );
    }
  }
  if ((c.KAFKA_SSL_CERT_FILE === "") !== (c.KAFKA_SSL_KEY_FILE === "")) {
    const missing = c.KAFKA_SSL_CERT_FILE === "" ? "KAFKA_SSL_CERT_FILE" : "KAFKA_SSL_KEY_FILE";
    problems.push(
      `${show(missing)}: expected a file path, since a client certificate and its key go together`,
    );
  }
  if (problems.length > 0 || c.KAFKA_BROKERS.length === 0) return problems;
  const checkFile = (name: keyof Config, what: string, parse: (text: string) => void) => {
    const path = c[name];
    if (typeof path !== "string" || path === "") return;
    try {
      parse(readFileSync(path, "utf8"));
    } catch (error) {
      problems.push(`${show(name)}: expected a readable file holding ${what} (${(error as Error).message})`);
    }
  };
  checkFile("KAFKA_SASL_PASSWORD_FILE", "the SCRAM password", (t) => {
    if (t.trim() === "") throw new Error("the file is empty");
  });
  checkFile("KAFKA_SSL_CA_FILE", "PEM CA certificates", (t) => new X509Certificate(t));
  checkFile("KAFKA_SSL_CERT_FILE", "a PEM certificate", (t) => new X509Certificate(t));
  checkFile("KAFKA_SSL_KEY_FILE", "a PEM private key", (t) => createPrivateKey(t));
  return problems;
}
