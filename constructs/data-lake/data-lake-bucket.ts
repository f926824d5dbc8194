import type { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import {
  S3BucketLifecycleConfiguration,
  type S3BucketLifecycleConfigurationRule,
} from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { S3BucketLoggingA } from "@cdktf/provider-aws/lib/s3-bucket-logging";
import type { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import type { StatefulProtectionProps } from "../core/stateful";
import type { Tags } from "../core/tags";
import { attachBucketPolicy, denyInsecureTransport, hardenedBucket } from "./hardened-bucket";

/** Lifecycle settings of one zone; all days are counted by S3 from object creation / becoming noncurrent. */
export interface DataLakeZoneProps {
  /** Days a replaced or deleted version is kept. @default 90 */
  readonly noncurrentVersionExpirationInDays?: number;
  /** Moves current objects to S3 Intelligent-Tiering after this many days. @default - no transition */
  readonly transitionToIntelligentTieringAfterDays?: number;
  /** Expires current objects after this many days (they become noncurrent, then expire as above). @default - never */
  readonly expirationInDays?: number;
  /** Added to the zone's bucket and Glue database after the lake's tags. @default {} */
  readonly tags?: Tags;
}

export interface DataLakeBucketProps extends DataLakeZoneProps, StatefulProtectionProps {
  /** Zone name, used in error messages. */
  readonly zone: string;
  readonly bucketName: string;
  /** Customer-managed key for SSE-KMS; the policy denies puts naming another key. */
  readonly kmsKeyArn: string;
  /** Bucket receiving server access logs. */
  readonly accessLogBucketName: string;
  /** Key prefix of this bucket's access logs in the log bucket. */
  readonly accessLogPrefix: string;
  /**
   * What must exist before logging is switched on: the log bucket's policy admitting S3 log delivery (S3 checks
   * it and refuses the configuration with InvalidTargetBucketForLogging). @default []
   */
  readonly accessLogDependsOn?: readonly ITerraformDependable[];
  /** @default 7 */
  readonly abortIncompleteMultipartUploadAfterDays?: number;
}

/**
 * One hardened data-lake bucket: SSE-KMS with a bucket key under the lake key (SSE-C blocked), versioning,
 * all public-access blocks, ACLs disabled, TLS-only and right-key-only bucket policy, lifecycle rules and
 * server access logging.
 */
export class DataLakeBucket extends Construct {
  readonly resource: S3Bucket;
  readonly bucketName: string;
  readonly bucketArn: string;

  constructor(scope: Construct, id: string, props: DataLakeBucketProps) {
    super(scope, id);
    validateZoneLifecycle(props.zone, props);
    const hardened = hardenedBucket(this, {
      bucketName: props.bucketName,
      preventDestroy: props.preventDestroy,
      tags: props.tags,
      encryption: {
        applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: props.kmsKeyArn },
        bucketKeyEnabled: true, // one data key per bucket instead of per object: far fewer KMS calls
        blockedEncryptionTypes: ["SSE-C"],
      },
    });
    const bucket = hardened.bucket;
    this.resource = bucket;
    this.bucketName = bucket.bucket;
    this.bucketArn = bucket.arn;

    const everyone = [{ type: "*", identifiers: ["*"] }];
    const objects = `${bucket.arn}/*`;
    attachBucketPolicy(this, hardened, [
      denyInsecureTransport(bucket.arn),
      {
        sid: "DenyOutdatedTls",
        effect: "Deny",
        principals: everyone,
        actions: ["s3:*"],
        resources: [bucket.arn, objects],
        condition: [{ test: "NumericLessThan", variable: "s3:TlsVersion", values: ["1.2"] }],
      },
      // The two denies below only fire when the client SENDS the header (Null = false). Puts without
      // encryption headers are allowed and get the bucket default (SSE-KMS with the lake key); so do
      // UploadPart calls, which carry no encryption headers at all.
      {
        sid: "DenyNonKmsEncryption",
        effect: "Deny",
        principals: everyone,
        actions: ["s3:PutObject"],
        resources: [objects],
        condition: [
          { test: "StringNotEquals", variable: "s3:x-amz-server-side-encryption", values: ["aws:kms"] },
          { test: "Null", variable: "s3:x-amz-server-side-encryption", values: ["false"] },
        ],
      },
      {
        // Clients naming a key must use the full key ARN (S3 compares the header as sent).
        sid: "DenyOtherKmsKeys",
        effect: "Deny",
        principals: everyone,
        actions: ["s3:PutObject"],
        resources: [objects],
        condition: [
          {
            test: "StringNotEquals",
            variable: "s3:x-amz-server-side-encryption-aws-kms-key-id",
            values: [props.kmsKeyArn],
          },
          { test: "Null", variable: "s3:x-amz-server-side-encryption-aws-kms-key-id", values: ["false"] },
        ],
      },
      {
        // SSE-C uses other headers than the two above; also blocked in the encryption configuration.
        sid: "DenyCustomerProvidedKeys",
        effect: "Deny",
        principals: everyone,
        actions: ["s3:PutObject"],
        resources: [objects],
        condition: [
          {
            test: "Null",
            variable: "s3:x-amz-server-side-encryption-customer-algorithm",
            values: ["false"],
          },
        ],
      },
    ]);

    const rules: S3BucketLifecycleConfigurationRule[] = [
      {
        id: "expire-noncurrent-versions",
        status: "Enabled",
        filter: [{}],
        noncurrentVersionExpiration: [{ noncurrentDays: props.noncurrentVersionExpirationInDays ?? 90 }],
        // Once all versions of a key are gone, its lone delete marker is removed too.
        expiration: [{ expiredObjectDeleteMarker: true }],
      },
      {
        id: "abort-incomplete-multipart-uploads",
        status: "Enabled",
        filter: [{}],
        abortIncompleteMultipartUpload: [
          { daysAfterInitiation: props.abortIncompleteMultipartUploadAfterDays ?? 7 },
        ],
      },
    ];
    if (props.transitionToIntelligentTieringAfterDays !== undefined) {
      rules.push({
        id: "intelligent-tiering",
        status: "Enabled",
        filter: [{}],
        transition: [
          { days: props.transitionToIntelligentTieringAfterDays, storageClass: "INTELLIGENT_TIERING" },
        ],
      });
    }
    if (props.expirationInDays !== undefined) {
      rules.push({
        id: "expire-current-versions",
        status: "Enabled",
        filter: [{}],
        expiration: [{ days: props.expirationInDays }],
      });
    }
    new S3BucketLifecycleConfiguration(this, "Lifecycle", { bucket: bucket.id, rule: rules });

    new S3BucketLoggingA(this, "Logging", {
      bucket: bucket.id,
      targetBucket: props.accessLogBucketName,
      targetPrefix: props.accessLogPrefix,
      // Date-partitioned keys let Athena prune access logs by day.
      targetObjectKeyFormat: { partitionedPrefix: { partitionDateSource: "EventTime" } },
      dependsOn: [...(props.accessLogDependsOn ?? [])],
    });
  }
}

/** Throws naming the zone, the prop and its value when lifecycle days are not usable by S3. */
export function validateZoneLifecycle(
  zone: string,
  props: DataLakeZoneProps & { abortIncompleteMultipartUploadAfterDays?: number },
): void {
  const checks: [string, number | undefined, number][] = [
    ["noncurrentVersionExpirationInDays", props.noncurrentVersionExpirationInDays, 1],
    ["transitionToIntelligentTieringAfterDays", props.transitionToIntelligentTieringAfterDays, 0],
    ["expirationInDays", props.expirationInDays, 1],
    ["abortIncompleteMultipartUploadAfterDays", props.abortIncompleteMultipartUploadAfterDays, 1],
  ];
  for (const [name, value, min] of checks) {
    if (value !== undefined && (!Number.isInteger(value) || value < min)) {
      throw new Error(`DataLake zone "${zone}": ${name} ${value} is invalid: expected an integer >= ${min}`);
    }
  }
  const tiering = props.transitionToIntelligentTieringAfterDays;
  if (tiering !== undefined && props.expirationInDays !== undefined && props.expirationInDays <= tiering) {
    throw new Error(
      `DataLake zone "${zone}": expirationInDays ${props.expirationInDays} must be greater than transitionToIntelligentTieringAfterDays ${tiering}, or objects expire before they are tiered`,
    );
  }
}
