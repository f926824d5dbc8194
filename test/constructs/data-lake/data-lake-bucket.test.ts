import { describe, expect, it } from "vitest";
import { DataLakeBucket, type DataLakeBucketProps } from "../../../constructs/data-lake/data-lake-bucket";
import { dataOf, onlyResource, type SynthJson, synthStack } from "../../support/synth";

const KEY = "arn:aws:kms:eu-west-1:123456789012:key/lake";

function synthBucket(props: Partial<DataLakeBucketProps> = {}): SynthJson {
  return synthStack((stack) => {
    new DataLakeBucket(stack, "Raw", {
      zone: "raw",
      bucketName: "ml-raw-123456789012-eu-west-1",
      kmsKeyArn: KEY,
      accessLogBucketName: "ml-access-logs",
      accessLogPrefix: "raw/",
      ...props,
    });
  });
}

interface Condition {
  test: string;
  variable: string;
  values: string[];
}
interface Statement {
  sid: string;
  effect: string;
  actions: string[];
  resources: string[];
  condition?: Condition[];
}

/**
 * Reference IAM semantics for the operators the policy uses (IAM docs, "condition operators"): a negated
 * operator is true when the key is missing; Bool is false when it is missing; Null "false" = key present.
 */
function conditionHolds(c: Condition, request: Record<string, string>): boolean {
  const value = request[c.variable];
  switch (c.test) {
    case "StringNotEquals":
      return value === undefined || !c.values.includes(value);
    case "Null":
      return (value === undefined) === (c.values[0] === "true");
    case "Bool":
      return value !== undefined && c.values.includes(value);
    case "NumericLessThan":
      return value !== undefined && Number(value) < Number(c.values[0]);
    default:
      throw new Error(`operator ${c.test} not modelled`);
  }
}

function deniedBy(statements: Statement[], action: string, request: Record<string, string>): string[] {
  return statements
    .filter((s) => s.effect === "Deny" && s.actions.some((a) => a === action || a === "s3:*"))
    .filter((s) => (s.condition ?? []).every((c) => conditionHolds(c, request)))
    .map((s) => s.sid);
}

describe("DataLakeBucket", () => {
  const json = synthBucket();
  const bucketKey = Object.keys(json.resource?.aws_s3_bucket ?? {})[0];
  const bucketId = `\${aws_s3_bucket.${bucketKey}.id}`;
  const bucketArn = `\${aws_s3_bucket.${bucketKey}.arn}`;
  const policyDoc = Object.values(dataOf(json, "aws_iam_policy_document"))[0].statement as Statement[];

  it("names the bucket, keeps force_destroy off and protects it", () => {
    expect(onlyResource(json, "aws_s3_bucket")).toMatchObject({
      bucket: "ml-raw-123456789012-eu-west-1",
      force_destroy: false,
      lifecycle: { prevent_destroy: true },
    });
  });

  it("encrypts with SSE-KMS under the customer key with a bucket key and blocks SSE-C", () => {
    expect(onlyResource(json, "aws_s3_bucket_server_side_encryption_configuration")).toEqual({
      bucket: bucketId,
      rule: [
        {
          apply_server_side_encryption_by_default: { sse_algorithm: "aws:kms", kms_master_key_id: KEY },
          bucket_key_enabled: true,
          blocked_encryption_types: ["SSE-C"],
        },
      ],
    });
  });

  it("enables versioning, all four public-access blocks and enforced ownership", () => {
    expect(onlyResource(json, "aws_s3_bucket_versioning")).toEqual({
      bucket: bucketId,
      versioning_configuration: { status: "Enabled" },
    });
    expect(onlyResource(json, "aws_s3_bucket_public_access_block")).toEqual({
      bucket: bucketId,
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    expect(onlyResource(json, "aws_s3_bucket_ownership_controls")).toEqual({
      bucket: bucketId,
      rule: { object_ownership: "BucketOwnerEnforced" },
    });
  });

  it("denies non-TLS access to the bucket and its objects", () => {
    const tls = policyDoc.find((s) => s.sid === "DenyInsecureTransport");
    expect(tls).toMatchObject({
      effect: "Deny",
      actions: ["s3:*"],
      resources: [bucketArn, `${bucketArn}/*`],
      condition: [{ test: "Bool", variable: "aws:SecureTransport", values: ["false"] }],
    });
    const policy = onlyResource(json, "aws_s3_bucket_policy");
    expect(policy.bucket).toBe(bucketId);
    expect(policy.depends_on).toHaveLength(1);
  });

  it("lets puts relying on default encryption through and denies the wrong encryption or key", () => {
    const tls = { "aws:SecureTransport": "true", "s3:TlsVersion": "1.3" };
    const sse = "s3:x-amz-server-side-encryption";
    const keyId = "s3:x-amz-server-side-encryption-aws-kms-key-id";
    expect(deniedBy(policyDoc, "s3:PutObject", tls)).toEqual([]);
    expect(deniedBy(policyDoc, "s3:PutObject", { ...tls, [sse]: "aws:kms" })).toEqual([]);
    expect(deniedBy(policyDoc, "s3:PutObject", { ...tls, [sse]: "aws:kms", [keyId]: KEY })).toEqual([]);
    expect(deniedBy(policyDoc, "s3:PutObject", { ...tls, [sse]: "AES256" })).toEqual([
      "DenyNonKmsEncryption",
    ]);
    expect(
      deniedBy(policyDoc, "s3:PutObject", { ...tls, [sse]: "aws:kms", [keyId]: `${KEY}-other` }),
    ).toEqual(["DenyOtherKmsKeys"]);
    expect(
      deniedBy(policyDoc, "s3:PutObject", {
        ...tls,
        "s3:x-amz-server-side-encryption-customer-algorithm": "AES256",
      }),
    ).toEqual(["DenyCustomerProvidedKeys"]);
    expect(deniedBy(policyDoc, "s3:GetObject", { "aws:SecureTransport": "false" })).toEqual([
      "DenyInsecureTransport",
    ]);
  });

  it("expires noncurrent versions after 90 days and aborts multipart uploads after 7 by default", () => {
    const lifecycle = onlyResource(json, "aws_s3_bucket_lifecycle_configuration");
    expect(lifecycle.rule).toEqual([
      {
        id: "expire-noncurrent-versions",
        status: "Enabled",
        filter: [{}],
        noncurrent_version_expiration: [{ noncurrent_days: 90 }],
        expiration: [{ expired_object_delete_marker: true }],
      },
      {
        id: "abort-incomplete-multipart-uploads",
        status: "Enabled",
        filter: [{}],
        abort_incomplete_multipart_upload: [{ days_after_initiation: 7 }],
      },
    ]);
  });

  it("adds tiering and expiry rules when asked", () => {
    const custom = synthBucket({
      noncurrentVersionExpirationInDays: 30,
      transitionToIntelligentTieringAfterDays: 0,
      expirationInDays: 400,
    });
    const rules = onlyResource(custom, "aws_s3_bucket_lifecycle_configuration").rule as Record<
      string,
      unknown
    >[];
    expect(rules).toContainEqual(
      expect.objectContaining({ noncurrent_version_expiration: [{ noncurrent_days: 30 }] }),
    );
    expect(rules).toContainEqual(
      expect.objectContaining({ transition: [{ days: 0, storage_class: "INTELLIGENT_TIERING" }] }),
    );
    expect(rules).toContainEqual(expect.objectContaining({ expiration: [{ days: 400 }] }));
  });

  it("logs server access to the log bucket under the zone prefix", () => {
    expect(onlyResource(json, "aws_s3_bucket_logging")).toMatchObject({
      bucket: bucketId,
      target_bucket: "ml-access-logs",
      target_prefix: "raw/",
    });
  });

  it("is destroyable in sandboxes when preventDestroy is false", () => {
    const bucket = onlyResource(synthBucket({ preventDestroy: false }), "aws_s3_bucket");
    expect(bucket.force_destroy).toBe(true);
    expect(bucket.lifecycle).toBeUndefined();
  });

  it("fails when lifecycle days are invalid", () => {
    expect(() => synthBucket({ noncurrentVersionExpirationInDays: 0 })).toThrow(
      /zone "raw": noncurrentVersionExpirationInDays 0 is invalid: expected an integer >= 1/,
    );
    expect(() => synthBucket({ transitionToIntelligentTieringAfterDays: 30, expirationInDays: 30 })).toThrow(
      /expirationInDays 30 must be greater than transitionToIntelligentTieringAfterDays 30/,
    );
  });
});
