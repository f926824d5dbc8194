import { bucketParts } from "../s3-buckets";
import type { PolicyRule } from "../types";
import { path } from "../values";

export const s3Versioning: PolicyRule = {
  id: "MLOPS-S3-002",
  severity: "error",
  message: "S3 bucket versioning is not enabled",
  explanation:
    "Versioning keeps overwritten and deleted objects recoverable (datasets, models, logs). Add an " +
    "aws_s3_bucket_versioning with versioning_configuration.status Enabled; expire noncurrent versions with a " +
    "lifecycle rule to bound cost.",
  appliesTo: ["aws_s3_bucket"],
  check(bucket, ctx) {
    const v = bucketParts(bucket, ctx.index, "aws_s3_bucket_versioning");
    if (v.some((x) => path(x.config, "versioning_configuration", "status") === "Enabled")) return [];
    return [
      {
        detail:
          v.length === 0
            ? "no aws_s3_bucket_versioning for it"
            : `versioning status is ${JSON.stringify(path(v[0].config, "versioning_configuration", "status"))}`,
      },
    ];
  },
};
