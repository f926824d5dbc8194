import { bucketParts, isAccessLogTarget } from "../s3-buckets";
import type { PolicyRule } from "../types";

export const s3AccessLogging: PolicyRule = {
  id: "MLOPS-S3-005",
  severity: "error",
  message: "S3 bucket has no server access logging",
  explanation:
    "Access logs are the record of who read or changed data, needed for incident response. Add an " +
    "aws_s3_bucket_logging that delivers to the platform's access-log bucket. Built-in exemption: the access-log " +
    "bucket itself (the target_bucket of another bucket's logging) does not log into itself.",
  appliesTo: ["aws_s3_bucket"],
  check(bucket, ctx) {
    if (bucketParts(bucket, ctx.index, "aws_s3_bucket_logging").length > 0) return [];
    if (isAccessLogTarget(bucket, ctx.index)) return [];
    return [{ detail: "no aws_s3_bucket_logging for it" }];
  },
};
