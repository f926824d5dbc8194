import type { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import type { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { Construct } from "constructs";
import { AwsContext } from "../core/aws-context";
import type { StatefulProtectionProps } from "../core/stateful";
import type { Tags } from "../core/tags";
import { attachBucketPolicy, denyInsecureTransport, hardenedBucket } from "./hardened-bucket";

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
  /** The policy admitting `logging.s3.amazonaws.com`: S3 refuses logging configurations targeting the bucket before it exists. */
  readonly policy: S3BucketPolicy;

  constructor(scope: Construct, id: string, props: AccessLogBucketProps) {
    super(scope, id);
    const aws = AwsContext.of(this);
    const retentionInDays = props.retentionInDays ?? 365;
    if (!Number.isInteger(retentionInDays) || retentionInDays < 1) {
      throw new Error(
        `DataLake: accessLogRetentionInDays ${retentionInDays} is invalid: expected an integer >= 1`,
      );
    }
    const hardened = hardenedBucket(this, {
      bucketName: props.bucketName,
      preventDestroy: props.preventDestroy,
      tags: props.tags,
      encryption: {
        applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" },
        blockedEncryptionTypes: ["SSE-C"],
      },
    });
    const bucket = hardened.bucket;
    this.resource = bucket;
    this.bucketName = bucket.bucket;
    this.bucketArn = bucket.arn;

    this.policy = attachBucketPolicy(this, hardened, [
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
      denyInsecureTransport(bucket.arn),
    ]);

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
