import { z } from "zod";
import { addOnConfigSection, parseAddOnConfig } from "../../core/addon-definition";
import { CHARTS } from "../../core/charts";
import { helmConfigSchema } from "../../core/helm-config";
import { IngressSchema } from "../../core/ingress";
import { boundedInt, cpuQuantity, memoryQuantity, memoryQuantityMi, positiveInt } from "../../primitives";
import { resolveLogBackend } from "./backend";
import { collectorConfigSchema } from "./collector/config";
import { ELASTIC_STACK_VERSION } from "./names";
import { openSearchServiceConfigSchema } from "./opensearch-service/config";

/**
 * Configuration of the logging add-on (`addons.logging`): where container logs go (`mode`), how long they are
 * kept, and the Elasticsearch cluster ECK runs in mode "eck". Cross-field checks name the field and the value.
 */

const quoted = (v: unknown) => JSON.stringify(v);

export const LOGGING_MODES = ["eck", "opensearch-service"] as const;
export type LoggingMode = (typeof LOGGING_MODES)[number];

/** Elasticsearch node roles the kit lets a node set take (the data tiers count as data roles). */
export const NODE_ROLES = [
  "master",
  "data",
  "data_content",
  "data_hot",
  "data_warm",
  "data_cold",
  "ingest",
  "ml",
  "remote_cluster_client",
  "transform",
] as const;
export type NodeRole = (typeof NODE_ROLES)[number];
export const isDataRole = (r: NodeRole) => r === "data" || r.startsWith("data_");

/** JVM heap as `-Xmx` takes it: whole megabytes or gigabytes. */
const HEAP = /^([1-9]\d*)(m|g)$/;
/** Above ~31 GiB the JVM loses compressed object pointers: a bigger heap holds fewer objects. */
export const MAX_HEAP_MI = 31 * 1024;

/** `"4Gi"` → 4096 (MiB). */
export function memoryMi(quantity: string): number {
  return memoryQuantityMi(quantity);
}

/** `"2g"` → 2048 (MiB). */
export function heapMi(heap: string): number {
  const m = HEAP.exec(heap);
  return m ? Number(m[1]) * (m[2] === "g" ? 1024 : 1) : Number.NaN;
}

/**
 * Elastic's rule: half the container memory for the heap (the rest is Lucene's file cache and off-heap
 * buffers), at most ~31 GiB. Returned in `m` so it is exact for any memory size.
 */
export function heapFromMemory(memory: string): string {
  return `${Math.min(Math.floor(memoryMi(memory) / 2), MAX_HEAP_MI)}m`;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export const NodeSetSchema = z
  .strictObject({
    count: positiveInt("count", 50).default(3).describe("Elasticsearch nodes (pods) in this set."),
    storageGiB: positiveInt("storageGiB", 16384).default(100).describe("Encrypted gp3 volume per node, GiB."),
    cpu: cpuQuantity.default("1").describe("CPU request per node (no CPU limit: no throttled GC pauses)."),
    memory: memoryQuantity.default("4Gi").describe("Memory request and limit per node."),
    heap: z
      .string()
      .regex(HEAP, 'expected a JVM heap size such as "2g" or "1536m"')
      .optional()
      .describe("JVM heap (`-Xms`/`-Xmx`). Default: half of memory, at most 31g."),
    roles: z
      .array(z.enum(NODE_ROLES))
      .min(1)
      .default(["master", "data", "ingest"])
      .describe("Elasticsearch node roles (`node.roles`)."),
  })
  .describe("One Elasticsearch node set (a StatefulSet spread over the zones).");
export type NodeSetConfig = z.output<typeof NodeSetSchema>;

const resources = (cpu: string, memory: string) =>
  z
    .strictObject({
      cpu: cpuQuantity.default(cpu).describe("CPU request."),
      memory: memoryQuantity.default(memory).describe("Memory request and limit."),
    })
    .default({ cpu, memory });

/** SLM cron: seconds, minutes, hours, day of month, month, day of week (and year), Quartz style. */
const SLM_CRON = /^\S+( \S+){5,6}$/;

export const SnapshotsSchema = z
  .strictObject({
    enabled: z
      .boolean()
      .default(true)
      .describe(
        "Snapshots to a dedicated S3 bucket (KMS, versioned, private) through IRSA, on an SLM schedule.",
      ),
    repository: z
      .string()
      .regex(DNS_LABEL, "expected a repository name of a-z, 0-9 and '-'")
      .max(60)
      .default("s3-snapshots")
      .describe("Name of the snapshot repository in Elasticsearch."),
    schedule: z
      .string()
      .regex(SLM_CRON, 'expected an SLM cron expression such as "0 30 1 * * ?" (sec min hour dom month dow)')
      .default("0 30 1 * * ?")
      .describe("When the SLM policy snapshots the log indices (UTC, Quartz cron)."),
    expireAfterDays: positiveInt("expireAfterDays", 3650)
      .default(30)
      .describe("Snapshots older than this are deleted by SLM retention (keeping at least 5)."),
  })
  .describe("Snapshots of the log indices.");

export const KibanaSchema = z
  .strictObject({
    replicas: positiveInt("replicas", 10)
      .optional()
      .describe('Kibana pods. Default: 2 when the platform environment is "prod" or "production", else 1.'),
    resources: resources("500m", "1Gi").describe("Kibana container resources."),
    ingress: IngressSchema.optional().describe(
      "An ALB in front of Kibana (internal by default, HTTPS to ECK's self-signed certificate; needs addons.awsLoadBalancerController). Default: none (port-forward).",
    ),
  })
  .describe("Kibana: login through Elasticsearch's native realm (the elastic user); no anonymous access.");

const DEFAULT_NODE_SETS = { default: NodeSetSchema.parse({}) };

export const EckSchema = z
  .strictObject({
    version: z
      .string()
      .regex(/^(8|9)\.\d+\.\d+$/, 'expected an Elasticsearch 8.x or 9.x version such as "9.5.0"')
      .default(ELASTIC_STACK_VERSION)
      .describe(`Elasticsearch and Kibana version. Default: ${ELASTIC_STACK_VERSION}.`),
    nodeSets: z
      .record(z.string(), NodeSetSchema)
      .default(DEFAULT_NODE_SETS)
      .describe("Elasticsearch node sets by name (a DNS label of at most 23 characters)."),
    kibana: KibanaSchema.prefault({}),
    snapshots: SnapshotsSchema.prefault({}),
    operator: z
      .strictObject({ resources: resources("100m", "256Mi").describe("Operator container resources.") })
      .prefault({})
      .describe("The ECK operator."),
  })
  .describe('Mode "eck": the ECK operator, Elasticsearch and Kibana in the cluster.');

export const LoggingConfigSchema = z
  .strictObject({
    enabled: z
      .boolean()
      .default(false)
      .describe("Collect every container's logs into a search engine (needs addons.externalSecrets)."),
    mode: z
      .enum(LOGGING_MODES)
      .default("eck")
      .describe(
        '"eck": Elasticsearch and Kibana in the cluster (ECK, Elastic License 2.0); "opensearch-service": Amazon OpenSearch Service.',
      ),
    retentionInDays: positiveInt("retentionInDays", 3650)
      .default(30)
      .describe("Days a log index is kept before the lifecycle policy deletes it (at least 1)."),
    indexPrefix: z
      .string()
      .default("logs-containers")
      .describe("Prefix of the daily indices `<prefix>-YYYY.MM.DD`."),
    shards: positiveInt("shards", 64).default(1).describe("Primary shards per daily index."),
    replicas: boundedInt("replicas", 0, 5)
      .default(1)
      .describe("Replica shards per primary; needs replicas + 1 data nodes."),
    eck: EckSchema.prefault({}),
    collector: collectorConfigSchema,
    openSearchService: openSearchServiceConfigSchema
      .prefault({})
      .describe(openSearchServiceConfigSchema.description as string),
    helm: helmConfigSchema(CHARTS.eckOperator, {
      valuesCheck: 'Keys are checked against its values.yaml. Mode "eck" only.',
    }),
  })
  .superRefine((c, ctx) => {
    for (const p of loggingConfigProblems(c))
      ctx.addIssue({ code: "custom", path: p.path, message: p.message, params: { formatted: true } });
  })
  .describe("Logs: every container's logs, parsed, searchable, kept for retentionInDays.");

export type LoggingConfigInput = z.input<typeof LoggingConfigSchema>;
export type LoggingConfig = z.output<typeof LoggingConfigSchema>;

interface Problem {
  path: (string | number)[];
  message: string;
}

/** Data nodes the configured node sets provide. */
export function dataNodeCount(nodeSets: Readonly<Record<string, NodeSetConfig>>): number {
  return Object.values(nodeSets)
    .filter((s) => s.roles.some(isDataRole))
    .reduce((n, s) => n + s.count, 0);
}

function loggingConfigProblems(c: LoggingConfig): Problem[] {
  const out: Problem[] = [];
  // The backend's own rules (index prefix, counts): one rule, one message, whichever way it is called.
  try {
    resolveLogBackend({ ...c, configPath: "" });
  } catch (e) {
    const m = /^\.(\w+): (.*)$/s.exec((e as Error).message);
    out.push(m ? { path: [m[1]], message: m[2] } : { path: [], message: (e as Error).message });
  }
  if (c.mode !== "eck") {
    if (c.eck.kibana.ingress) {
      out.push({
        path: ["eck", "kibana", "ingress"],
        message: `Kibana runs only in mode "eck" (mode is ${quoted(c.mode)}: the domain serves its own OpenSearch Dashboards); remove the ingress`,
      });
    }
    return out;
  }
  const sets = c.eck.nodeSets;
  const names = Object.keys(sets);
  if (names.length === 0) out.push({ path: ["eck", "nodeSets"], message: "expected at least one node set" });
  for (const name of names) {
    // ECK names the StatefulSet `<cluster>-es-<set>`; pod names must stay below 63 characters.
    if (!DNS_LABEL.test(name) || name.length > 23) {
      out.push({
        path: ["eck", "nodeSets", name],
        message: `node set name ${quoted(name)} is invalid; expected a DNS label (a-z, 0-9, '-') of at most 23 characters`,
      });
    }
    const s = sets[name];
    if (s.heap !== undefined && heapMi(s.heap) >= memoryMi(s.memory)) {
      out.push({
        path: ["eck", "nodeSets", name, "heap"],
        message: `heap ${quoted(s.heap)} is not below memory ${quoted(s.memory)}; Elasticsearch needs memory beyond the heap (about half)`,
      });
    } else if (s.heap !== undefined && heapMi(s.heap) > MAX_HEAP_MI) {
      out.push({
        path: ["eck", "nodeSets", name, "heap"],
        message: `heap ${quoted(s.heap)} is above 31g; the JVM then loses compressed pointers`,
      });
    }
  }
  if (names.length === 0) return out;
  const roles = new Set(Object.values(sets).flatMap((s) => s.roles));
  if (!roles.has("master")) {
    out.push({
      path: ["eck", "nodeSets"],
      message: `no node set has the "master" role (sets: ${names.join(", ")}); the cluster cannot elect a master`,
    });
  }
  if (!roles.has("ingest")) {
    out.push({
      path: ["eck", "nodeSets"],
      message: `no node set has the "ingest" role (sets: ${names.join(", ")}); the kit's ingest pipeline parses every log line`,
    });
  }
  const data = dataNodeCount(sets);
  if (data < c.replicas + 1) {
    out.push({
      path: ["eck", "nodeSets"],
      message: `the node sets have ${data} data node${data === 1 ? "" : "s"} in total, fewer than replicas + 1 = ${c.replicas + 1}: the index template asks for ${c.replicas} replica${c.replicas === 1 ? "" : "s"} of each shard, and Elasticsearch allocates each copy on a different data node, so the indices would stay yellow; add data nodes or lower addons.logging.replicas`,
    });
  }
  return out;
}

/** `addons.logging`: the section the platform schema and the add-on's registry entry share. */
export const LOGGING_CONFIG = addOnConfigSection({
  key: "logging",
  title: "Logging",
  schema: LoggingConfigSchema,
});

/** Parses `addons.logging`, listing every problem with its path and the value found. */
export function parseLoggingConfig(input: LoggingConfigInput | LoggingConfig): LoggingConfig {
  return parseAddOnConfig(LOGGING_CONFIG, input);
}
