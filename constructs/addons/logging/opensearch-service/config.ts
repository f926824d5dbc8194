import { z } from "zod";
import { addOnConfigSection, parseAddOnConfig } from "../../../core/addon-definition";
import { boundedInt, iamPrincipalArn, logRetentionInDays, positiveInt } from "../../../primitives";

/**
 * `addons.logging.openSearchService`: the Amazon OpenSearch Service domain of the logging add-on's
 * `opensearch-service` mode. Composed into `addons.logging` by the add-on's own schema; every key has a default.
 */

const quoted = (v: unknown) => JSON.stringify(v);

/** Config path named in every error, so a message points at the user's file. */
export const OPENSEARCH_SERVICE_CONFIG_PATH = "addons.logging.openSearchService";

/** `<family>.<size>.search`, the OpenSearch Service spelling of an instance type. */
const INSTANCE_TYPE = /^([a-z][a-z0-9-]*)\.([a-z0-9]+)\.search$/;

/**
 * Families that cannot run this domain: T2 has no encryption at rest, and with it no fine-grained access control
 * (which requires it); T3 has no Auto-Tune and AWS sizes it for test domains only. Both are refused rather than
 * silently weakening the domain.
 */
const REFUSED_FAMILIES: Readonly<Record<string, string>> = {
  t2: "T2 instances do not support encryption at rest, which fine-grained access control requires",
  t3: "T3 instances are burstable test-only types without Auto-Tune; the domain needs a non-burstable type",
};

/** Why an instance type cannot be used, or undefined when it fits. */
export function instanceTypeProblem(value: string): string | undefined {
  const m = INSTANCE_TYPE.exec(value);
  if (!m) {
    return `instance type ${quoted(value)} is not an OpenSearch Service type; expected "<family>.<size>.search" like "r7g.large.search"`;
  }
  const refused = REFUSED_FAMILIES[m[1]];
  return refused ? `instance type ${quoted(value)} is refused: ${refused}` : undefined;
}

const instanceType = z.string().superRefine((v, ctx) => {
  const problem = instanceTypeProblem(v);
  if (problem) ctx.addIssue({ code: "custom", message: problem, params: { formatted: true } });
});

/** AWS accepts a dedicated master count of 3 or 5 (an odd quorum that survives one or two losses). */
export const DEDICATED_MASTER_COUNTS = [3, 5] as const;

export const OpenSearchDedicatedMasterSchema = z
  .strictObject({
    enabled: z
      .boolean()
      .optional()
      .describe(
        'Dedicated master nodes. Default: true when the platform environment is "prod" or "production", false otherwise.',
      ),
    instanceType: instanceType.default("m7g.large.search").describe("Instance type of the master nodes."),
    count: z
      .int()
      .refine((v) => (DEDICATED_MASTER_COUNTS as readonly number[]).includes(v), {
        error: (iss) =>
          `dedicated master count ${quoted(iss.input)} is not 3 or 5; OpenSearch Service needs an odd quorum of 3 or 5 masters`,
        params: { formatted: true },
      })
      .default(3)
      .describe("Master nodes: 3 or 5."),
  })
  .describe("Dedicated master nodes, which keep cluster state off the data nodes.");

export const OpenSearchEbsSchema = z
  .strictObject({
    volumeSizeInGiB: boundedInt("volumeSizeInGiB", 10, 24_576)
      .default(100)
      .describe("gp3 volume per data node (GiB)."),
    iops: boundedInt("iops", 3000, 16_000, { min: "the gp3 baseline" })
      .default(3000)
      .describe("Provisioned gp3 IOPS per volume; 3000 is the included baseline."),
    throughputInMiBps: boundedInt("throughputInMiBps", 125, 1000, { min: "the gp3 baseline" })
      .default(125)
      .describe("Provisioned gp3 throughput per volume (MiB/s); 125 is the included baseline."),
  })
  .describe("The data nodes' EBS gp3 volumes.");

export const openSearchServiceConfigSchema = z
  .strictObject({
    engineVersion: z
      .string()
      .regex(/^OpenSearch_\d+\.\d+$/, {
        error:
          'expected an OpenSearch engine version like "OpenSearch_2.19" (Elasticsearch_* versions are refused: the index template and ISM policy target OpenSearch)',
      })
      .default("OpenSearch_2.19")
      .describe(
        "Engine version; the default matches the OpenSearch 2.19 node the backend round trip is tested on.",
      ),
    instanceType: instanceType.default("r7g.large.search").describe("Data node instance type."),
    instanceCount: positiveInt("instanceCount", 80)
      .optional()
      .describe(
        "Data nodes; a multiple of the availability zone count. Default: one per AZ of the private subnets, at least 2.",
      ),
    dedicatedMaster: OpenSearchDedicatedMasterSchema.prefault({}).describe(
      OpenSearchDedicatedMasterSchema.description as string,
    ),
    ebs: OpenSearchEbsSchema.prefault({}).describe(OpenSearchEbsSchema.description as string),
    logRetentionInDays: logRetentionInDays
      .default(365)
      .describe("Retention of the audit, application and slow log groups in CloudWatch Logs."),
    autoTuneEnabled: z
      .boolean()
      .default(true)
      .describe(
        "Auto-Tune (JVM and queue tuning), applied in the off-peak window without rollback on disable.",
      ),
    masterUserArn: iamPrincipalArn
      .optional()
      .describe(
        "IAM role or user that is the fine-grained access control master user. Default: a role `<prefix>-logs-admin` created for it, assumable by principals of this account that IAM allows. No internal-database user or password is ever set.",
      ),
  })
  .describe(
    "Amazon OpenSearch Service (mode opensearch-service): private subnets, KMS, HTTPS only, fine-grained access control.",
  );

export type OpenSearchServiceConfigInput = z.input<typeof openSearchServiceConfigSchema>;
export type OpenSearchServiceConfig = z.output<typeof openSearchServiceConfigSchema>;

/** The section as a stand-alone `addons.logging.openSearchService`, for parsing in code and in tests. */
const SECTION = addOnConfigSection({
  key: "logging.openSearchService",
  title: "Amazon OpenSearch Service",
  schema: openSearchServiceConfigSchema,
});

/** Parses the section given in code, with errors naming `addons.logging.openSearchService.<key>`. */
export function parseOpenSearchServiceConfig(
  input: OpenSearchServiceConfigInput | OpenSearchServiceConfig = {},
): OpenSearchServiceConfig {
  return parseAddOnConfig(SECTION, input);
}
