import { bucketParts } from "../s3-buckets";
import type { PolicyRule } from "../types";
import { isTrue } from "../values";

const SETTINGS = [
  "block_public_acls",
  "block_public_policy",
  "ignore_public_acls",
  "restrict_public_buckets",
];

export const s3PublicAccessBlock: PolicyRule = {
  id: "MLOPS-S3-003",
  severity: "error",
  message: "S3 bucket does not block all four kinds of public access",
  explanation:
    "The bucket-level public access block stops a mistaken ACL or policy from publishing data. Add an " +
    "aws_s3_bucket_public_access_block with block_public_acls, block_public_policy, ignore_public_acls and " +
    "restrict_public_buckets all true.",
  appliesTo: ["aws_s3_bucket"],
  check(bucket, ctx) {
    const blocks = bucketParts(bucket, ctx.index, "aws_s3_bucket_public_access_block");
    if (blocks.length === 0) return [{ detail: "no aws_s3_bucket_public_access_block for it" }];
    const missing = SETTINGS.filter((s) => !blocks.some((b) => isTrue(b.config[s])));
    return missing.length === 0 ? [] : [{ detail: `not true: ${missing.join(", ")}` }];
  },
};
