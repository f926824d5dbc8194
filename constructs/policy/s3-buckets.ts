import type { PolicyIndex, ResourceView } from "./policy-index";
import { isExpression } from "./values";

/** The bucket-level resources (`aws_s3_bucket_versioning`, …) that configure `bucket`, by reference or literal name. */
export function bucketParts(bucket: ResourceView, index: PolicyIndex, type: string): ResourceView[] {
  return index.referencing(bucket, type, "bucket", "bucket");
}

/**
 * Whether the bucket receives S3 server access logs (it is the `target_bucket` of an `aws_s3_bucket_logging`).
 * Such a bucket is exempt by design from SSE-KMS (log delivery supports only SSE-S3) and from logging itself
 * (a bucket logging into itself loops).
 */
export function isAccessLogTarget(bucket: ResourceView, index: PolicyIndex): boolean {
  const name = bucket.config.bucket;
  return index.ofType("aws_s3_bucket_logging").some((l) => {
    if (l.stack !== bucket.stack) return false;
    const target = l.config.target_bucket;
    if (typeof target !== "string") return false;
    if (target.includes(`\${${bucket.address}.`)) return true;
    return typeof name === "string" && !isExpression(name) && target === name;
  });
}
