import { z } from "zod";
import { addOnConfigSection, parseAddOnConfig } from "../../core/addon-definition";
import { CHARTS } from "../../core/charts";
import { helmConfigSchema } from "../../core/helm-config";
import { cpuQuantity, memoryQuantity, movedKeys, positiveInt, storageQuantity } from "../../primitives";

/**
 * Configuration of the Kafka add-on (`addons.kafka` in the platform configuration): MSK or Strimzi, the topics
 * and who may use which topic. Cross-field checks quote the offending value and name the field.
 */

/** Kafka's own topic name rule (`Topic.validate`): 1-249 of `[a-zA-Z0-9._-]`, not `.` or `..`. */
export const KAFKA_TOPIC_NAME = /^[a-zA-Z0-9._-]{1,249}$/;

/** Why a topic name is invalid for Kafka, or undefined when it is fine. */
export function topicNameProblem(name: string): string | undefined {
  if (name === "." || name === "..") return `topic name ${JSON.stringify(name)} is reserved by Kafka`;
  if (!KAFKA_TOPIC_NAME.test(name)) {
    return `topic name ${JSON.stringify(name)} is invalid: Kafka allows 1-249 characters of a-z, A-Z, 0-9, '.', '_' and '-'`;
  }
  if (name.startsWith("__")) {
    return `topic name ${JSON.stringify(name)} starts with "__", which Kafka reserves for internal topics`;
  }
  return undefined;
}

/** Periods and underscores collide in Kafka's metric names, so Kafka refuses such pairs. */
export function topicCollisionKey(name: string): string {
  return name.replace(/\./g, "_");
}

const CLOUDWATCH_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

const DURATION = /^(\d+)(ms|s|m|h|d)$/;
const DURATION_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const BYTES = /^(\d+)(B|KiB|MiB|GiB|TiB)$/;
const BYTES_FACTOR: Record<string, number> = {
  B: 1,
  KiB: 1024,
  MiB: 1024 ** 2,
  GiB: 1024 ** 3,
  TiB: 1024 ** 4,
};

/** `"7d"` → 604800000; `"infinite"` → -1 (Kafka's "keep forever"). */
export function retentionMs(value: string): number {
  if (value === "infinite") return -1;
  const m = DURATION.exec(value);
  if (!m)
    throw new Error(`retention ${JSON.stringify(value)} is not a duration like "7d", "12h" or "infinite"`);
  return Number(m[1]) * DURATION_MS[m[2]];
}

/** `"10GiB"` → 10737418240; `"unlimited"` → -1. */
export function retentionBytes(value: string): number {
  if (value === "unlimited") return -1;
  const m = BYTES.exec(value);
  if (!m)
    throw new Error(`retentionBytes ${JSON.stringify(value)} is not a size like "10GiB" or "unlimited"`);
  return Number(m[1]) * BYTES_FACTOR[m[2]];
}

const quoted = (v: unknown) => JSON.stringify(v);

const duration = z.string().refine((v) => v === "infinite" || (DURATION.test(v) && retentionMs(v) > 0), {
  error: (iss) =>
    `retention ${quoted(iss.input)} is not a positive duration like "30m", "12h", "7d" (units ms, s, m, h, d) or "infinite"`,
  params: { formatted: true },
});

const size = z.string().refine((v) => v === "unlimited" || (BYTES.test(v) && retentionBytes(v) > 0), {
  error: (iss) =>
    `retentionBytes ${quoted(iss.input)} is not a positive size like "512MiB" or "10GiB" (units B, KiB, MiB, GiB, TiB) or "unlimited"`,
  params: { formatted: true },
});

// Record keys are checked in `kafkaConfigProblems`: zod reports a bad record key only as "Invalid key".
const topicName = z.string();

/** Principals become KafkaUser names and IAM policy names: DNS labels. */
export const PRINCIPAL_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

const clusterName = z.string().regex(PRINCIPAL_NAME, "expected a DNS label (a-z, 0-9, '-')").max(40);

const topicConfigKey = z
  .string()
  .regex(/^[a-z]+(\.[a-z]+)*$/, "expected a Kafka topic config key like max.message.bytes");

/** Topic settings the typed fields own; `config` must not repeat them. */
export const TYPED_TOPIC_CONFIG_KEYS = [
  "retention.ms",
  "retention.bytes",
  "cleanup.policy",
  "min.insync.replicas",
] as const;

export const KafkaTopicSchema = z
  .strictObject({
    partitions: positiveInt("partitions", 10_000).default(6).describe("Number of partitions (≥ 1)."),
    replicationFactor: positiveInt("replicationFactor", 32_767)
      .optional()
      .describe("Replicas of each partition; at most the broker count. Default: the cluster's default."),
    minInsyncReplicas: positiveInt("minInsyncReplicas")
      .optional()
      .describe("`min.insync.replicas` of the topic; at most `replicationFactor`. Default: the cluster's."),
    retention: duration
      .default("7d")
      .describe('How long records are kept: a duration like "12h", "7d", or "infinite".'),
    retentionBytes: size
      .optional()
      .describe('Size cap per partition, like "10GiB", or "unlimited". Default: no cap.'),
    cleanupPolicy: z
      .enum(["delete", "compact", "compact,delete"])
      .default("delete")
      .describe("`cleanup.policy`: delete old segments, compact by key, or both."),
    config: z
      .record(topicConfigKey, z.union([z.string(), z.number(), z.boolean()]))
      .default({})
      .describe("Other Kafka topic configs (e.g. `max.message.bytes`); not the ones the typed fields set."),
  })
  .describe("A Kafka topic.");

const TopicAccessSchema = z.enum(["read", "write", "readwrite"]);

export const KafkaAccessSchema = z
  .strictObject({
    topics: z
      .record(topicName, TopicAccessSchema)
      .describe('Topics this principal uses, each "read", "write" or "readwrite".'),
    groupPrefixes: z
      .array(
        z.string().regex(/^[a-zA-Z0-9._-]+$/, "expected a consumer group prefix of a-z, A-Z, 0-9, . _ -"),
      )
      .optional()
      .describe("Consumer group name prefixes the principal may use. Default: the principal name."),
  })
  .describe("One client principal (workload) and the topics it may use.");

const PoolSchema = (role: string, defaultReplicas: number, defaultSize: string) =>
  z
    .strictObject({
      replicas: positiveInt("replicas", 100).default(defaultReplicas).describe(`Number of ${role} nodes.`),
      storageSize: storageQuantity
        .default(defaultSize)
        .describe("Size of each node's persistent volume (gp3, kept when the node is deleted)."),
      storageClass: z.string().min(1).default("gp3").describe("StorageClass of the volumes."),
      cpu: cpuQuantity.default("500m").describe("CPU request per node."),
      memory: memoryQuantity.default("2Gi").describe("Memory request and limit per node."),
    })
    .describe(`The ${role} node pool.`);

export const StrimziSchema = z
  .strictObject({
    clusterName: clusterName.default("platform").describe("Name of the `Kafka` resource."),
    kafkaVersion: z
      .string()
      .regex(/^\d+\.\d+\.\d+$/, 'expected a Kafka version like "4.1.1"')
      .optional()
      .describe("Kafka version. Default: the operator's default for its pinned release."),
    dualRole: z
      .boolean()
      .default(false)
      .describe("One pool of nodes that are both controllers and brokers (small setups)."),
    brokers: PoolSchema("broker", 3, "100Gi").prefault({}),
    controllers: PoolSchema("controller", 3, "20Gi")
      .prefault({})
      .describe("The KRaft controller pool (ignored when `dualRole`)."),
    authentication: z
      .enum(["tls", "scram-sha-512"])
      .default("tls")
      .describe("Client authentication on the TLS listener (port 9093): mutual TLS or SCRAM-SHA-512."),
    defaultReplicationFactor: positiveInt("defaultReplicationFactor")
      .default(3)
      .describe("`default.replication.factor` (also for internal topics)."),
    minInsyncReplicas: positiveInt("minInsyncReplicas").default(2).describe("`min.insync.replicas`."),
    operatorReplicas: positiveInt("operatorReplicas", 3).default(1).describe("Cluster operator replicas."),
    kafkaExporter: z
      .strictObject({
        cpu: cpuQuantity.default("50m").describe("CPU request."),
        memory: memoryQuantity.default("128Mi").describe("Memory request and limit."),
      })
      .prefault({})
      .describe(
        "Kafka Exporter (consumer lag of the principals' groups, topic offsets); runs only with the monitoring add-on.",
      ),
  })
  .describe("In-cluster Kafka with the Strimzi operator (KRaft, node pools).");
movedKeys(StrimziSchema, { helmValues: "addons.kafka.helm.values" });

export const MskSchema = z
  .strictObject({
    kafkaVersion: z
      .string()
      .regex(/^\d+\.\d+\.(\d+|x)(\.kraft)?$/, 'expected an MSK Kafka version like "3.9.x" or "3.7.x.kraft"')
      .default("3.9.x")
      .describe("MSK Kafka version."),
    instanceType: z
      .string()
      .regex(/^(kafka|express)\.[a-z0-9]+\.[a-z0-9]+$/, 'expected an MSK broker type like "kafka.m7g.large"')
      .default("kafka.m7g.large")
      .describe("Broker instance type."),
    brokerCount: positiveInt("brokerCount", 90)
      .optional()
      .describe("Broker nodes; a multiple of the private subnet count. Default: one per private subnet."),
    ebsVolumeSizeInGiB: positiveInt("ebsVolumeSizeInGiB", 16_384)
      .default(100)
      .describe("EBS volume per broker (GiB)."),
    defaultReplicationFactor: positiveInt("defaultReplicationFactor")
      .optional()
      .describe("`default.replication.factor`. Default: min(3, broker count)."),
    minInsyncReplicas: positiveInt("minInsyncReplicas")
      .optional()
      .describe("`min.insync.replicas`. Default: replication factor - 1 (at least 1)."),
    enhancedMonitoring: z
      .enum(["DEFAULT", "PER_BROKER", "PER_TOPIC_PER_BROKER", "PER_TOPIC_PER_PARTITION"])
      .default("PER_BROKER")
      .describe("CloudWatch metric level."),
    logRetentionInDays: z
      .number()
      .refine((v) => (CLOUDWATCH_RETENTION_DAYS as readonly number[]).includes(v), {
        error: (iss) =>
          `logRetentionInDays ${quoted(iss.input)} is not a CloudWatch Logs retention period (one of ${CLOUDWATCH_RETENTION_DAYS.join(", ")})`,
        params: { formatted: true },
      })
      .default(90)
      .describe("Retention of the broker log group."),
    serverProperties: z
      .record(topicConfigKey, z.union([z.string(), z.number(), z.boolean()]))
      .default({})
      .describe("Extra `server.properties` of the MSK configuration."),
  })
  .describe("Amazon MSK (provisioned), IAM authentication, TLS only.");

/** Topics the reference inference service uses; always present, overridable by name. */
export const PLATFORM_TOPICS = {
  predictions: { partitions: 12, retention: "7d" },
  outcomes: { partitions: 12, retention: "7d" },
  drift: { partitions: 3, retention: "30d" },
} as const satisfies Record<string, z.input<typeof KafkaTopicSchema>>;

const KafkaConfigObject = z.strictObject({
  enabled: z.boolean().default(false).describe("Install Kafka."),
  mode: z
    .enum(["msk", "strimzi"], {
      error: (iss) => `unknown Kafka mode ${quoted(iss.input)}; expected "msk" or "strimzi"`,
    })
    .default("strimzi")
    .describe('"msk": Amazon MSK; "strimzi": Kafka in the cluster with the Strimzi operator.'),
  msk: MskSchema.prefault({}),
  strimzi: StrimziSchema.prefault({}),
  helm: helmConfigSchema(CHARTS.strimziKafkaOperator, {
    valuesCheck: 'Keys are checked against it. Mode "strimzi" only: MSK installs no chart.',
  }),
  topics: z
    .record(topicName, KafkaTopicSchema)
    .default({})
    .describe(
      "Topics by name, added to (or overriding) the platform topics predictions, outcomes and drift.",
    ),
  access: z
    .record(z.string(), KafkaAccessSchema)
    .default({
      "inference-service": { topics: { predictions: "write", outcomes: "read", drift: "write" } },
    })
    .describe("Client principals and their topics; the reference inference service by default."),
});

type Issue = { path: (string | number)[]; message: string };

/** Cross-field checks, on the config after defaults and platform topics were applied. */
export function kafkaConfigProblems(c: z.output<typeof KafkaConfigObject>): Issue[] {
  const out: Issue[] = [];
  const brokers =
    c.mode === "strimzi" ? c.strimzi.brokers.replicas : (c.msk.brokerCount as number | undefined);
  const brokerField = c.mode === "strimzi" ? "strimzi.brokers.replicas" : "msk.brokerCount";
  const clusterRf =
    c.mode === "strimzi" ? c.strimzi.defaultReplicationFactor : c.msk.defaultReplicationFactor;
  const clusterMinIsr = c.mode === "strimzi" ? c.strimzi.minInsyncReplicas : c.msk.minInsyncReplicas;
  const modeKey = c.mode;
  const { values, ...release } = c.helm;
  if (
    c.mode === "msk" &&
    (Object.keys(values).length > 0 || Object.values(release).some((v) => v !== undefined))
  ) {
    out.push({
      path: ["helm"],
      message:
        'helm is set but mode is "msk", which installs no Helm chart; the block configures the Strimzi operator\'s release (mode "strimzi")',
    });
  }

  const seen = new Map<string, string>();
  for (const [name, t] of Object.entries(c.topics)) {
    const nameProblem = topicNameProblem(name);
    if (nameProblem) out.push({ path: ["topics", name], message: nameProblem });
    const key = topicCollisionKey(name);
    const other = seen.get(key);
    if (other !== undefined) {
      out.push({
        path: ["topics", name],
        message: `topic ${quoted(name)} collides with ${quoted(other)}: Kafka treats '.' and '_' alike in metric names`,
      });
    }
    seen.set(key, name);
    if (brokers !== undefined && t.replicationFactor !== undefined && t.replicationFactor > brokers) {
      out.push({
        path: ["topics", name, "replicationFactor"],
        message: `replicationFactor ${t.replicationFactor} of topic ${quoted(name)} is above the broker count ${brokers} (${brokerField})`,
      });
    }
    const rf = t.replicationFactor ?? clusterRf ?? (brokers !== undefined ? Math.min(3, brokers) : undefined);
    if (t.minInsyncReplicas !== undefined && rf !== undefined && t.minInsyncReplicas > rf) {
      out.push({
        path: ["topics", name, "minInsyncReplicas"],
        message: `min.insync.replicas ${t.minInsyncReplicas} of topic ${quoted(name)} is above its replication factor ${rf}; producers with acks=all could never write`,
      });
    }
    for (const k of Object.keys(t.config)) {
      if ((TYPED_TOPIC_CONFIG_KEYS as readonly string[]).includes(k)) {
        out.push({
          path: ["topics", name, "config", k],
          message: `config key ${quoted(k)} of topic ${quoted(name)} is set by a typed field (retention, retentionBytes, cleanupPolicy, minInsyncReplicas); use that instead`,
        });
      }
    }
  }
  if (brokers !== undefined && clusterRf !== undefined && clusterRf > brokers) {
    out.push({
      path: [modeKey, "defaultReplicationFactor"],
      message: `defaultReplicationFactor ${clusterRf} is above the broker count ${brokers} (${brokerField})`,
    });
  }
  const effectiveRf = clusterRf ?? (brokers !== undefined ? Math.min(3, brokers) : undefined);
  if (clusterMinIsr !== undefined && effectiveRf !== undefined && clusterMinIsr > effectiveRf) {
    out.push({
      path: [modeKey, "minInsyncReplicas"],
      message: `min.insync.replicas ${clusterMinIsr} is above the replication factor ${effectiveRf}; producers with acks=all could never write`,
    });
  }
  if (c.mode === "strimzi") {
    const pool = c.strimzi.dualRole ? "brokers" : "controllers";
    const voters = c.strimzi[pool].replicas;
    if (voters % 2 === 0) {
      out.push({
        path: ["strimzi", pool, "replicas"],
        message: `${pool}.replicas ${voters} is even${c.strimzi.dualRole ? " (dual-role nodes are the KRaft controllers)" : ""}; a KRaft quorum needs an odd number of controllers (1, 3, 5)`,
      });
    }
  }
  for (const [principal, a] of Object.entries(c.access)) {
    if (!PRINCIPAL_NAME.test(principal) || principal.length > 63) {
      out.push({
        path: ["access", principal],
        message: `principal name ${quoted(principal)} is not a DNS label (a-z, 0-9, '-', at most 63 characters); it names a KafkaUser and an IAM policy`,
      });
    }
    for (const topic of Object.keys(a.topics)) {
      if (!(topic in c.topics)) {
        out.push({
          path: ["access", principal, "topics", topic],
          message: `principal ${quoted(principal)} refers to topic ${quoted(topic)}, which is not configured (topics: ${Object.keys(c.topics).join(", ")})`,
        });
      }
    }
  }
  return out;
}

export const KafkaConfigSchema = KafkaConfigObject.transform((c) => ({
  ...c,
  // Parse the platform topics with the same schema so they get every default.
  topics: {
    ...Object.fromEntries(
      Object.entries(PLATFORM_TOPICS).map(([n, t]) => [n, KafkaTopicSchema.parse(t)] as const),
    ),
    ...c.topics,
  },
}))
  .superRefine((c, ctx) => {
    for (const p of kafkaConfigProblems(c)) {
      ctx.addIssue({ code: "custom", path: p.path, message: p.message, params: { formatted: true } });
    }
  })
  .describe("Kafka: Amazon MSK or Strimzi, topics and per-principal access.");

export type KafkaConfigInput = z.input<typeof KafkaConfigSchema>;
export type KafkaConfig = z.output<typeof KafkaConfigSchema>;
export type KafkaTopicConfig = z.output<typeof KafkaTopicSchema>;
export type KafkaAccessConfig = z.output<typeof KafkaAccessSchema>;
export type TopicAccess = z.output<typeof TopicAccessSchema>;

/** `addons.kafka`: the section the platform schema and the add-on's registry entry share. */
export const KAFKA_CONFIG = addOnConfigSection({ key: "kafka", title: "Kafka", schema: KafkaConfigSchema });

/** Parses (or re-checks) `addons.kafka`, with errors naming `addons.kafka.<path>` and the value. */
export function parseKafkaConfig(input: KafkaConfigInput | KafkaConfig): KafkaConfig {
  return parseAddOnConfig(KAFKA_CONFIG, input);
}
