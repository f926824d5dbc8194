import type { PolicyRule } from "../types";
import { block, isTrue } from "../values";

export const STATEFUL_TYPES = [
  "aws_s3_bucket",
  "aws_db_instance",
  "aws_rds_cluster",
  "aws_msk_cluster",
  "aws_kms_key",
  "aws_glue_catalog_database",
  "aws_eks_cluster",
  "aws_dynamodb_table",
  "aws_efs_file_system",
  "aws_ecr_repository",
];

export const statefulPreventDestroy: PolicyRule = {
  id: "MLOPS-STATE-001",
  severity: "error",
  message: "Stateful resource can be destroyed by a plan",
  explanation:
    "A rename or a removed construct turns into a destroy of data (buckets, databases, Kafka, keys, the catalog, " +
    "the cluster, image repositories). Set lifecycle.prevent_destroy (the kit's protectStateful does) so such a plan fails. Only a " +
    "configuration with sandbox: true turns this off, for throw-away environments.",
  appliesTo: STATEFUL_TYPES,
  check(view, ctx) {
    if (ctx.sandbox) return [];
    return isTrue(block(view.config.lifecycle)?.prevent_destroy)
      ? []
      : [{ detail: "lifecycle.prevent_destroy is not set and the configuration is not a sandbox" }];
  },
};
