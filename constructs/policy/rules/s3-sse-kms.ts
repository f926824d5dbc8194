import { bucketParts, isAccessLogTarget } from "../s3-buckets";
import type { PolicyRule } from "../types";
import { blocks, path } from "../values";

export const s3SseKms: PolicyRule = {
  id: "MLOPS-S3-001",
  severity: "error",
  message: "S3 bucket is not encrypted with a KMS key (SSE-KMS)",
  explanation:
    "SSE-KMS puts reads behind a key policy and CloudTrail-logged key use; SSE-S3 only protects the disks. Add an " +
    "aws_s3_bucket_server_side_encryption_configuration with sse_algorithm aws:kms and a customer key. Built-in " +
    "exemption: a bucket that receives S3 server access logs may use SSE-S3 (AES256), the only encryption S3 log " +
    "delivery supports.",
  appliesTo: ["aws_s3_bucket"],
  check(bucket, ctx) {
    const sse = bucketParts(bucket, ctx.index, "aws_s3_bucket_server_side_encryption_configuration");
    if (sse.length === 0) return [{ detail: "no aws_s3_bucket_server_side_encryption_configuration for it" }];
    const algorithms = sse.flatMap((s) =>
      blocks(s.config.rule).map((r) => path(r, "apply_server_side_encryption_by_default", "sse_algorithm")),
    );
    const kms = sse.flatMap((s) =>
      blocks(s.config.rule).map((r) =>
        path(r, "apply_server_side_encryption_by_default", "kms_master_key_id"),
      ),
    );
    if (algorithms.some((a) => a === "aws:kms" || a === "aws:kms:dsse")) {
      if (kms.some((k) => typeof k === "string" && k.length > 0)) return [];
      return [
        { detail: "sse_algorithm is aws:kms but kms_master_key_id is not set (the AWS-managed aws/s3 key)" },
      ];
    }
    if (algorithms.includes("AES256") && isAccessLogTarget(bucket, ctx.index)) return [];
    return [{ detail: `sse_algorithm is ${JSON.stringify(algorithms[0] ?? null)}, expected aws:kms` }];
  },
};
