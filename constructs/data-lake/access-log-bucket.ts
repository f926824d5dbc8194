import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { Construct } from "constructs";
import { AwsContext } from "../core/aws-context";
import { protectStateful, type StatefulProtectionProps } from "../core/stateful";
import { mergeTags, type Tags } from "../core/tags";

export interface AccessLogBucketProps extends StatefulProtectionProps {
  readonly bucketName: string;
  /** Buckets whose server access logs S3 may deliver here (checked via `aws:SourceArn`). */
  readonly sourceBucketArns: readonly string[];
  /** Days access logs are kept. @default 365 */
  readonly retentionInDays?: number;
  /** Days an overwritten/expired log version is kept. @default 30 */
  readonly noncurrentVersionExpirationInDays?: number;
  readonly tags?: Tags;
}

/**
 * Target of S3 server access logs. SSE-S3, because log delivery cannot write with SSE-KMS; versioned,
 * private, ACLs disabled (delivery is authorized by the bucket policy, not the log-delivery ACL group),
 * TLS-only, and expiring after the retention.
 */
export class AccessLogBucket extends Construct {
  readonly resource: S3Bucket;
  readonly bucketName: string;
  readonly bucketArn: string;

  constructor(scope: Construct, id: string, props: AccessLogBucketProps) {
    super(scope, id);
    const aws = AwsContext.of(this);
    const retentionInDays = props.retentionInDays ?? 365;
    if (!Number.isInteger(retentionInDays) || retentionInDays < 1) {
      throw new Error(
        `DataLake: accessLogRetentionInDays ${retentionInDays} is invalid: expected an integer >= 1`,
      );
    }
    const bucket = new S3Bucket(this, "Resource", {
      bucket: props.bucketName,
      forceDestroy: props.preventDestroy === false,
      tags: mergeTags(props.tags),
    });
    protectStateful(bucket, props);
    this.resource = bucket;
    this.bucketName = bucket.bucket;
    this.bucketArn = bucket.arn;

    new S3BucketServerSideEncryptionConfigurationA(this, "Encryption", {
      bucket: bucket.id,
      rule: [
        { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" }, blockedEncryptionTypes: ["SSE-C"] },
      ],
    });
    new S3BucketVersioningA(this, "Versioning", {
      bucket: bucket.id,
      versioningConfiguration: { status: "Enabled" },
    });
    const publicAccessBlock = new S3BucketPublicAccessBlock(this, "PublicAccessBlock", {
      bucket: bucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    new S3BucketOwnershipControls(this, "OwnershipControls", {
      bucket: bucket.id,
      rule: { objectOwnership: "BucketOwnerEnforced" },
    });

    const policy = new DataAwsIamPolicyDocument(this, "PolicyDocument", {
      statement: [
        {
          sid: "AllowS3ServerAccessLogDelivery",
          effect: "Allow",
          principals: [{ type: "Service", identifiers: ["logging.s3.amazonaws.com"] }],
          actions: ["s3:PutObject"],
          resources: [`${bucket.arn}/*`],
          condition: [
            { test: "StringEquals", variable: "aws:SourceAccount", values: [aws.accountId] },
            { test: "ArnLike", variable: "aws:SourceArn", values: [...props.sourceBucketArns] },
          ],
        },
        {
          sid: "DenyInsecureTransport",
          effect: "Deny",
          principals: [{ type: "*", identifiers: ["*"] }],
          actions: ["s3:*"],
          resources: [bucket.arn, `${bucket.arn}/*`],
          condition: [{ test: "Bool", variable: "aws:SecureTransport", values: ["false"] }],
        },
      ],
    });
    new S3BucketPolicy(this, "Policy", {
      bucket: bucket.id,
      policy: policy.json,
      dependsOn: [publicAccessBlock],
    });

    new S3BucketLifecycleConfiguration(this, "Lifecycle", {
      bucket: bucket.id,
      rule: [
        {
          id: "expire-access-logs",
          status: "Enabled",
          filter: [{}],
          expiration: [{ days: retentionInDays }],
          noncurrentVersionExpiration: [{ noncurrentDays: props.noncurrentVersionExpirationInDays ?? 30 }],
        },
        {
          id: "abort-incomplete-multipart-uploads",
          status: "Enabled",
          filter: [{}],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: 7 }],
        },
      ],
    });
  }
}
