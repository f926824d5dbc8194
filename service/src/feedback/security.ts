/**
 * How the feedback loop authenticates to Kafka and verifies the brokers: TLS with a CA file (Strimzi's cluster
 * CA) or Node's public CAs (MSK), an optional client certificate (Strimzi mTLS users), and SASL SCRAM-SHA-512
 * (Strimzi SCRAM users) or OAUTHBEARER with an AWS IAM token (MSK). Files are read again for every new
 * connection (kafkajs copies the TLS options and reads the SASL password when it connects), so rotated
 * Secrets take effect without a restart.
 */
import { readFileSync } from "node:fs";
import type { ConnectionOptions } from "node:tls";
import type { OauthbearerProviderResponse, SASLOptions } from "kafkajs";
import { mskIamTokenProvider } from "./msk-iam";

export interface KafkaTlsFiles {
  /** PEM CA certificates the brokers' chains must end in; omitted: Node's public CAs. */
  readonly caFile?: string;
  /** PEM client certificate and key, for brokers that authenticate clients by certificate (mTLS). */
  readonly certFile?: string;
  readonly keyFile?: string;
}

export type KafkaSasl =
  | { readonly mechanism: "SCRAM-SHA-512"; readonly username: string; readonly passwordFile: string }
  | {
      readonly mechanism: "OAUTHBEARER";
      /** Region the MSK IAM token is signed for. */
      readonly region: string;
      /** Replaces the AWS-signed token (tests); default: MSK IAM from the default credential chain. */
      readonly tokenProvider?: () => Promise<OauthbearerProviderResponse>;
    };

export type KafkaSecurity =
  | { readonly protocol: "PLAINTEXT" }
  | { readonly protocol: "SSL"; readonly tls?: KafkaTlsFiles }
  | { readonly protocol: "SASL_SSL"; readonly tls?: KafkaTlsFiles; readonly sasl: KafkaSasl };

export interface KafkaClientSecurity {
  readonly ssl?: ConnectionOptions | boolean;
  readonly sasl?: SASLOptions;
}

/** The SCRAM password as mounted: a Secret key holds no newline, a hand-written file often ends with one. */
export function readPasswordFile(path: string): string {
  const password = readFileSync(path, "utf8").replace(/\r?\n$/, "");
  if (password === "") throw new Error(`the SCRAM password file ${path} is empty`);
  return password;
}

/** A property read from its file each time kafkajs copies the options (once per new connection). */
function fromFile<T extends object>(target: T, key: string, path: string | undefined): T {
  if (path) Object.defineProperty(target, key, { enumerable: true, get: () => readFileSync(path, "utf8") });
  return target;
}

export function kafkaClientSecurity(security: KafkaSecurity | undefined): KafkaClientSecurity {
  if (security === undefined || security.protocol === "PLAINTEXT") return {};
  const files = security.tls ?? {};
  const ssl: ConnectionOptions = {};
  fromFile(ssl, "ca", files.caFile);
  fromFile(ssl, "cert", files.certFile);
  fromFile(ssl, "key", files.keyFile);
  if (security.protocol === "SSL") return { ssl };
  const sasl = security.sasl;
  if (sasl.mechanism === "SCRAM-SHA-512") {
    const options = { mechanism: "scram-sha-512", username: sasl.username } as SASLOptions & {
      password: string;
    };
    Object.defineProperty(options, "password", {
      enumerable: true,
      get: () => readPasswordFile(sasl.passwordFile),
    });
    return { ssl, sasl: options };
  }
  return {
    ssl,
    sasl: {
      mechanism: "oauthbearer",
      oauthBearerProvider: sasl.tokenProvider ?? mskIamTokenProvider({ region: sasl.region }),
    },
  };
}

/** What went wrong talking to Kafka, for a log line that says what to check. */
export interface KafkaProblem {
  readonly kind: "authentication" | "tls" | "authorization" | "other";
  readonly hint?: string;
}

const TLS_CODES = /^(UNABLE_TO_|SELF_SIGNED_|DEPTH_ZERO_|CERT_|ERR_TLS_|ERR_SSL_)/;
const AUTHORIZATION = new Set([
  "TOPIC_AUTHORIZATION_FAILED",
  "GROUP_AUTHORIZATION_FAILED",
  "CLUSTER_AUTHORIZATION_FAILED",
  "TRANSACTIONAL_ID_AUTHORIZATION_FAILED",
]);

/** Walks kafkajs's error wrappers (retries exhausted, connection errors) down to the cause. */
function causes(error: unknown): { name?: string; type?: string; code?: string; message?: string }[] {
  const out: { name?: string; type?: string; code?: string; message?: string }[] = [];
  let current: unknown = error;
  for (let depth = 0; current && typeof current === "object" && depth < 6; depth++) {
    const e = current as {
      name?: string;
      type?: string;
      code?: string;
      message?: string;
      originalError?: unknown;
      cause?: unknown;
    };
    out.push(e);
    current = e.originalError ?? e.cause;
  }
  return out;
}

export function classifyKafkaError(error: unknown, security: KafkaSecurity | undefined): KafkaProblem {
  const chain = causes(error);
  const protocol = security?.protocol ?? "PLAINTEXT";
  if (
    chain.some((e) => e.name === "KafkaJSSASLAuthenticationError" || e.type === "SASL_AUTHENTICATION_FAILED")
  ) {
    const sasl = security?.protocol === "SASL_SSL" ? security.sasl : undefined;
    const hint =
      sasl?.mechanism === "OAUTHBEARER"
        ? `MSK refused the IAM token: check the pod's role (IRSA or Pod Identity) allows kafka-cluster:Connect on the cluster and AWS_REGION=${sasl.region} is the cluster's region`
        : `the broker refused the SCRAM login of ${JSON.stringify(sasl?.mechanism === "SCRAM-SHA-512" ? sasl.username : "")}: check KAFKA_SASL_USERNAME and the password in KAFKA_SASL_PASSWORD_FILE (the KafkaUser Secret's password key)`;
    return { kind: "authentication", hint };
  }
  // The broker's TLS alert about our certificate (none, or one it does not trust) arrives as an OpenSSL error.
  if (
    chain.some(
      (e) =>
        /ALERT_(BAD_CERTIFICATE|CERTIFICATE_REQUIRED|UNKNOWN_CA)/.test(e.code ?? "") ||
        /alert (bad certificate|certificate required|unknown ca)/i.test(e.message ?? ""),
    )
  ) {
    return {
      kind: "tls",
      hint: "the broker refused the client certificate: this listener authenticates clients by certificate, so set KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE to a certificate its clients CA signed (Strimzi KafkaUser tls: user.crt, user.key), or use the SCRAM listener",
    };
  }
  if (chain.some((e) => typeof e.code === "string" && TLS_CODES.test(e.code))) {
    return {
      kind: "tls",
      hint: "the broker's TLS certificate was not accepted: check KAFKA_SSL_CA_FILE holds the CA that signed it (Strimzi: the cluster CA's ca.crt) and that KAFKA_BROKERS names a host the certificate covers",
    };
  }
  if (chain.some((e) => e.name === "KafkaJSGroupCoordinatorNotFound")) {
    // kafkajs drops the broker's answer here; with a reachable broker it is most often GROUP_AUTHORIZATION_FAILED
    // (kafkajs logs that just before).
    return {
      kind: "authorization",
      hint: "no coordinator for the consumer group, most often because the ACLs do not grant it: the group is <KAFKA_CLIENT_ID>-outcomes, and the kit's KafkaUser grants Read on groups prefixed with its principal name",
    };
  }
  const type = chain.find((e) => e.type !== undefined && AUTHORIZATION.has(e.type))?.type;
  if (type) {
    return {
      kind: "authorization",
      hint: `${type}: the ACLs of the service's principal do not grant this (the kit's KafkaUser or MSK IAM policy lists its topics and group prefix)`,
    };
  }
  if (
    protocol !== "PLAINTEXT" &&
    chain.some((e) => /ECONNRESET|socket hang up|Connection error/i.test(e.message ?? ""))
  ) {
    return {
      kind: "other",
      hint: "a connection reset during the handshake often means the broker wants a client certificate (KAFKA_SSL_CERT_FILE) or another KAFKA_SECURITY_PROTOCOL",
    };
  }
  return { kind: "other" };
}
