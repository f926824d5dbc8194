/**
 * What the log backend's data plane is built from: one set of options shared by the index template, the
 * lifecycle policy and the ingest pipeline, so their names and index pattern cannot drift apart.
 */

/** Which search engine receives the documents: ECK runs Elasticsearch, `opensearch-service` runs OpenSearch. */
export type LogBackendFlavor = "elasticsearch" | "opensearch";

export interface LogBackendOptions {
  /** Days a log index is kept before it is deleted (whole days, at least 1). */
  readonly retentionInDays: number;
  /**
   * Prefix of the container log indices; the collector writes one index a day, `<prefix>-YYYY.MM.DD`.
   * @default "logs-containers"
   */
  readonly indexPrefix?: string;
  /** @default 1 */
  readonly shards?: number;
  /** @default 1 */
  readonly replicas?: number;
  /**
   * Config path named in errors, so a bad value points at the user's config.
   * @default "logging"
   */
  readonly configPath?: string;
}

export interface ResolvedLogBackend {
  readonly retentionInDays: number;
  readonly indexPrefix: string;
  readonly indexPattern: string;
  readonly shards: number;
  readonly replicas: number;
  /** Name of the index template, the lifecycle policy and the ingest pipeline alike. */
  readonly name: string;
}

/** Lower-case, no leading `-_+`, none of the characters Elasticsearch and OpenSearch forbid in index names. */
const INDEX_PREFIX = /^[a-z0-9][a-z0-9._-]*$/;

function wholeAtLeast(path: string, value: number, min: number, what: string): number {
  if (!Number.isInteger(value) || value < min) {
    throw new Error(
      `${path}: ${JSON.stringify(value)} is not ${what}; expected a whole number of at least ${min}`,
    );
  }
  return value;
}

/** Fills the defaults and rejects what neither engine would accept, naming the config path and the value. */
export function resolveLogBackend(options: LogBackendOptions): ResolvedLogBackend {
  const path = options.configPath ?? "logging";
  const retentionInDays = wholeAtLeast(
    `${path}.retentionInDays`,
    options.retentionInDays,
    1,
    "a retention in days",
  );
  const indexPrefix = options.indexPrefix ?? "logs-containers";
  if (!INDEX_PREFIX.test(indexPrefix) || indexPrefix.length > 200) {
    throw new Error(
      `${path}.indexPrefix: ${JSON.stringify(indexPrefix)} is not an index name prefix; expected lower-case ` +
        "letters, digits, '.', '_' or '-', starting with a letter or digit, at most 200 characters",
    );
  }
  return {
    retentionInDays,
    indexPrefix,
    indexPattern: `${indexPrefix}-*`,
    shards: wholeAtLeast(`${path}.shards`, options.shards ?? 1, 1, "a shard count"),
    replicas: wholeAtLeast(`${path}.replicas`, options.replicas ?? 1, 0, "a replica count"),
    name: indexPrefix,
  };
}
