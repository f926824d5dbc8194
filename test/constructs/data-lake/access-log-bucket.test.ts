import { describe, expect, it } from "vitest";
import { AccessLogBucket } from "../../../constructs/data-lake/access-log-bucket";
import { dataOf, onlyResource, synthStack } from "../../support/synth";

describe("AccessLogBucket", () => {
  const sources = ["arn:aws:s3:::ml-raw", "arn:aws:s3:::ml-curated"];
  const json = synthStack((stack) => {
    new AccessLogBucket(stack, "Logs", { bucketName: "ml-access-logs", sourceBucketArns: sources });
  });
  const statements = Object.entries(dataOf(json, "aws_iam_policy_document")).find(([k]) =>
    k.startsWith("Logs_PolicyDocument"),
  )?.[1].statement as Record<string, unknown>[];

  it("uses SSE-S3 (log delivery cannot use SSE-KMS), versioning, public-access blocks and enforced ownership", () => {
    expect(onlyResource(json, "aws_s3_bucket_server_side_encryption_configuration").rule).toEqual([
      {
        apply_server_side_encryption_by_default: { sse_algorithm: "AES256" },
        blocked_encryption_types: ["SSE-C"],
      },
    ]);
    expect(onlyResource(json, "aws_s3_bucket_versioning").versioning_configuration).toEqual({
      status: "Enabled",
    });
    expect(onlyResource(json, "aws_s3_bucket_public_access_block")).toMatchObject({
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    expect(onlyResource(json, "aws_s3_bucket_ownership_controls").rule).toEqual({
      object_ownership: "BucketOwnerEnforced",
    });
    expect(onlyResource(json, "aws_s3_bucket")).toMatchObject({
      force_destroy: false,
      lifecycle: { prevent_destroy: true },
    });
  });

  it("admits only S3 log delivery for the source buckets of this account, over TLS", () => {
    const delivery = statements.find((s) => s.sid === "AllowS3ServerAccessLogDelivery");
    expect(delivery).toMatchObject({
      effect: "Allow",
      actions: ["s3:PutObject"],
      principals: [{ type: "Service", identifiers: ["logging.s3.amazonaws.com"] }],
    });
    const conditions = delivery?.condition as { test: string; variable: string; values: string[] }[];
    expect(conditions).toContainEqual({ test: "ArnLike", variable: "aws:SourceArn", values: sources });
    expect(conditions.find((c) => c.variable === "aws:SourceAccount")?.values[0]).toMatch(
      /^\$\{data\.aws_caller_identity\..+\.account_id\}$/,
    );
    expect(statements.find((s) => s.sid === "DenyInsecureTransport")).toMatchObject({
      effect: "Deny",
      condition: [{ test: "Bool", variable: "aws:SecureTransport", values: ["false"] }],
    });
  });

  it("expires logs after 365 days by default", () => {
    const rules = onlyResource(json, "aws_s3_bucket_lifecycle_configuration").rule as Record<
      string,
      unknown
    >[];
    expect(rules[0]).toMatchObject({ id: "expire-access-logs", expiration: [{ days: 365 }] });
  });

  it("fails when the retention is not a positive integer", () => {
    expect(() =>
      synthStack((stack) => {
        new AccessLogBucket(stack, "Logs", { bucketName: "x", sourceBucketArns: [], retentionInDays: 0 });
      }),
    ).toThrow(/accessLogRetentionInDays 0 is invalid/);
  });
});
