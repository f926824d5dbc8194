import { z } from "zod";
import { addOnConfigSection, parseAddOnConfig } from "../../../core/addon-definition";
import { CHARTS } from "../../../core/charts";
import { helmConfigSchema } from "../../../core/helm-config";
import { boundedInt, cpuQuantity, memoryQuantity } from "../../../primitives";

/**
 * Configuration of the log collector (`addons.logging.collector`): one Fluent Bit DaemonSet shipping every
 * container's log to the logging add-on's backend (ECK's Elasticsearch or Amazon OpenSearch Service).
 */

const RETRY_FOREVER = "no_limits";

/**
 * Why the release cannot wait for ready pods: they start once their Secrets exist (Elasticsearch mode) and are
 * ready once the backend answers, and both the Secrets and Elasticsearch (a custom resource) come after the
 * add-ons' releases; an OpenSearch domain refuses writes until its role mapping is applied after deploy.
 */
export const COLLECTOR_NO_WAIT =
  "the collector's pods start once their Secrets exist and are ready once the backend answers, and both are applied after the add-ons";

/** `Retry_Limit`: retry until delivered, or drop a chunk after this many failed attempts. */
export type RetryLimit = typeof RETRY_FOREVER | number;
const MIB: Readonly<Record<string, number>> = { Ki: 1 / 1024, Mi: 1, Gi: 1024, Ti: 1024 * 1024 };

/** MiB of a memory quantity the schema accepted (`512Mi`, `1Gi`). */
export function quantityMiB(quantity: string): number {
  const m = /^(\d+)(Ki|Mi|Gi|Ti)$/.exec(quantity);
  return m ? Number(m[1]) * (MIB[m[2] as string] as number) : Number.NaN;
}

const namespaceName = z
  .string()
  .max(63)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "expected a Kubernetes namespace name (a-z, 0-9, '-')");

export const CollectorResourcesSchema = z
  .strictObject({
    cpuRequest: cpuQuantity.default("100m").describe("CPU request of each collector pod."),
    memoryRequest: memoryQuantity.default("128Mi").describe("Memory request of each collector pod."),
    memoryLimit: memoryQuantity
      .default("512Mi")
      .describe("Memory limit of each collector pod; at least twice memBufLimitMiB."),
  })
  .prefault({})
  .describe("Resources of the Fluent Bit container (one pod per node).");

export const CollectorConfigSchema = z
  .strictObject({
    resources: CollectorResourcesSchema,
    bufferSizeMiB: boundedInt("bufferSizeMiB", 64, 102_400, {
      min: "a few seconds of a busy node",
      max: "100 GiB of the node's root volume",
    })
      .default(2048)
      .describe(
        "Node disk the output may fill with chunks it could not deliver yet (`storage.total_limit_size` of the " +
          "output, in the hostPath buffer): an outage of the backend is survived while its logs fit; beyond it " +
          "the oldest chunks are dropped first.",
      ),
    memBufLimitMiB: boundedInt("memBufLimitMiB", 16, 2048, { min: "8 chunks of 2 MiB" })
      .default(64)
      .describe(
        "Memory the buffered chunks may take: `storage.max_chunks_up` = this / 2 MiB (Fluent Bit's chunk " +
          "size). Chunks beyond it stay on disk only until they are delivered, so reading never pauses and " +
          "nothing is lost. (`Mem_Buf_Limit` would bound memory buffering only, which the collector does not use.)",
      ),
    retryLimit: z
      .union([z.string(), z.number()])
      .superRefine((v, ctx) => {
        if (v === RETRY_FOREVER || (Number.isInteger(v) && Number(v) >= 1 && Number(v) <= 1000)) return;
        ctx.addIssue({
          code: "custom",
          message: `got ${JSON.stringify(v)}; expected "${RETRY_FOREVER}" or an integer from 1 to 1000`,
          params: { formatted: true },
        });
      })
      .transform((v) => v as RetryLimit)
      .default(RETRY_FOREVER)
      .describe(
        `Times a chunk is retried before it is dropped (\`Retry_Limit\`). "${RETRY_FOREVER}" (default) retries ` +
          "until the backend is back, so a restart or an outage loses nothing while bufferSizeMiB lasts; a " +
          "number drops a chunk after that many failures even with disk left.",
      ),
    excludedNamespaces: z
      .array(namespaceName)
      .default([])
      .describe(
        "Namespaces whose containers' logs are not collected (their files are never read). Default: none, " +
          "every container on every node.",
      ),
    helm: helmConfigSchema(CHARTS.fluentBit, {
      valuesCheck: "Tests check every key against the chart's reference values.yaml.",
      noWaitReason: COLLECTOR_NO_WAIT,
    }),
  })
  .superRefine((c, ctx) => {
    const limit = quantityMiB(c.resources.memoryLimit);
    if (limit < 2 * c.memBufLimitMiB) {
      ctx.addIssue({
        code: "custom",
        path: ["memBufLimitMiB"],
        message: `got ${c.memBufLimitMiB} with resources.memoryLimit ${JSON.stringify(c.resources.memoryLimit)}; expected at most half the memory limit (${Math.floor(limit / 2)}), which also holds Kubernetes metadata, the output's requests and TLS`,
        params: { formatted: true },
      });
    }
    const seen = new Set<string>();
    c.excludedNamespaces.forEach((ns, i) => {
      if (seen.has(ns)) {
        ctx.addIssue({
          code: "custom",
          path: ["excludedNamespaces", i],
          message: `got ${JSON.stringify(ns)} twice; expected each namespace once`,
          params: { formatted: true },
        });
      }
      seen.add(ns);
    });
  })
  .prefault({})
  .describe(
    "The log collector: Fluent Bit on every node, with a filesystem buffer so a backend restart loses no logs.",
  );

/** The schema the logging add-on composes as `addons.logging.collector`. */
export const collectorConfigSchema = CollectorConfigSchema;
export type CollectorConfig = z.output<typeof CollectorConfigSchema>;
export type CollectorConfigInput = z.input<typeof CollectorConfigSchema>;

/** The section as it sits in the platform configuration, for messages naming `addons.logging.collector.<key>`. */
export const COLLECTOR_CONFIG = addOnConfigSection({
  key: "logging.collector",
  title: "log collector",
  schema: CollectorConfigSchema,
});

/** Parses `addons.logging.collector` given in code, every problem named by its path and the value found. */
export function parseCollectorConfig(input: CollectorConfigInput | CollectorConfig = {}): CollectorConfig {
  return parseAddOnConfig(COLLECTOR_CONFIG, input);
}
