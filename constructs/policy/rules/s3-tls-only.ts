import { policyDocument } from "../iam-documents";
import { bucketParts } from "../s3-buckets";
import type { PolicyRule } from "../types";

export const s3TlsOnly: PolicyRule = {
  id: "MLOPS-S3-004",
  severity: "error",
  message: "S3 bucket policy does not deny requests without TLS",
  explanation:
    "Without a deny on aws:SecureTransport=false, a client can read or write objects over plain HTTP. Attach an " +
    "aws_s3_bucket_policy with a Deny statement for all principals, action s3:*, on the bucket and its objects, " +
    'conditioned on Bool aws:SecureTransport = "false".',
  appliesTo: ["aws_s3_bucket"],
  check(bucket, ctx) {
    const policies = bucketParts(bucket, ctx.index, "aws_s3_bucket_policy");
    if (policies.length === 0) return [{ detail: "no aws_s3_bucket_policy for it" }];
    for (const p of policies) {
      const doc = policyDocument(p, p.config.policy, ctx.index);
      if (!doc) continue;
      const ok = doc.statements.some(
        (s) =>
          s.effect === "Deny" &&
          s.actions.some((a) => a === "s3:*" || a === "*") &&
          s.conditions.some(
            (c) => c.test === "Bool" && c.variable === "aws:SecureTransport" && c.values.includes("false"),
          ),
      );
      if (ok) return [];
    }
    return [{ detail: "no Deny of s3:* on Bool aws:SecureTransport = false in its bucket policy" }];
  },
};
