import FORCE_NEW from "./force-new.json" with { type: "json" };
import type { Entry, Json } from "./model";
import { isObject, type JsonPath, schemaPath } from "./values";

/**
 * Which resources hold data (their loss is a risk) and which attribute changes replace a resource. The force-new
 * table (force-new.json) names its source and provider versions.
 */

/** Resource types that hold data or everything else depends on, whatever their lifecycle says. */
const STATEFUL_TYPES = new Set([
  "aws_db_instance",
  "aws_rds_cluster",
  "aws_rds_cluster_instance",
  "aws_msk_cluster",
  "aws_msk_serverless_cluster",
  "aws_kms_key",
  "aws_eks_cluster",
  "aws_ebs_volume",
  "aws_efs_file_system",
  "aws_s3_bucket",
  "aws_dynamodb_table",
  "aws_elasticache_replication_group",
  "aws_opensearch_domain",
  "aws_glue_catalog_database",
  "aws_ecr_repository",
  "aws_secretsmanager_secret",
  "kubernetes_persistent_volume_claim_v1",
  "kubernetes_persistent_volume_v1",
  "kubernetes_stateful_set_v1",
  // A namespace's deletion deletes everything in it, claims included.
  "kubernetes_namespace_v1",
]);

/** Custom resources that own data: Strimzi's Kafka, its node pools and topics, ECK's Elasticsearch, claims. */
const STATEFUL_KINDS = new Set([
  "Kafka",
  "KafkaNodePool",
  "KafkaTopic",
  "Elasticsearch",
  "PersistentVolumeClaim",
  "StatefulSet",
  "Namespace",
]);

/** Charts whose release owns stateful workloads or their claims. */
const STATEFUL_CHARTS = [
  /kafka/,
  /elasticsearch|eck-stack|opensearch/,
  /postgres|mysql|mariadb|redis|minio|mongodb/,
  /kube-prometheus-stack|prometheus|loki|tempo|mimir/,
  /mlflow|airflow/,
];

/** Why the entry holds data, or undefined when it does not. */
export function statefulReason(e: Entry | undefined): string | undefined {
  if (e?.mode !== "managed") return undefined;
  const lifecycle = e.attrs.lifecycle;
  if (isObject(lifecycle) && lifecycle.prevent_destroy === true) return "lifecycle.prevent_destroy is set";
  if (STATEFUL_TYPES.has(e.type)) return `${e.type} holds data or state`;
  if (e.type === "kubernetes_manifest") {
    const manifest = e.attrs.manifest;
    const kind = isObject(manifest) ? manifest.kind : undefined;
    if (typeof kind === "string" && STATEFUL_KINDS.has(kind)) return `a ${kind} holds data`;
  }
  if (e.type === "helm_release" && typeof e.attrs.chart === "string") {
    const chart = e.attrs.chart;
    if (STATEFUL_CHARTS.some((re) => re.test(chart))) return `chart ${chart} runs stateful workloads`;
  }
  return undefined;
}

const TABLE = FORCE_NEW.resources as Record<string, readonly string[]>;

/** Attributes of `type` that force a new resource (dotted, without list indexes). */
export function forceNewAttributes(type: string): readonly string[] {
  if (TABLE[type]) return TABLE[type];
  if (/^kubernetes_.*_v\d+$/.test(type)) return FORCE_NEW.kubernetesMetadata;
  return [];
}

/** Whether a change at `path` of a `type` resource forces its replacement (per the table). */
export function forcesReplacement(type: string, path: JsonPath): boolean {
  const p = schemaPath(path);
  return forceNewAttributes(type).some((a) => p === a || p.startsWith(`${a}.`));
}

/** The provider versions the table was read for, for the report. */
export const FORCE_NEW_SOURCE: Record<string, { version: string; source: string }> = FORCE_NEW.providers;

export type { Json };
