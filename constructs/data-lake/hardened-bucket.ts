import {
  DataAwsIamPolicyDocument,
  type DataAwsIamPolicyDocumentStatement,
} from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import {
  S3BucketServerSideEncryptionConfigurationA,
  type S3BucketServerSideEncryptionConfigurationRuleA,
} from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import type { Construct } from "constructs";
import { protectStateful, type StatefulProtectionProps } from "../core/stateful";
import { mergeTags, type Tags } from "../core/tags";

export interface HardenedBucketProps extends StatefulProtectionProps {
  readonly bucketName: string;
  /** Default encryption of the bucket (SSE-S3 or SSE-KMS); differs per bucket kind. */
  readonly encryption: S3BucketServerSideEncryptionConfigurationRuleA;
  readonly tags?: Tags;
}

export interface HardenedBucket {
  readonly bucket: S3Bucket;
  /** The bucket policy must depend on it: S3 rejects concurrent changes to the policy and the block. */
  readonly publicAccessBlock: S3BucketPublicAccessBlock;
}

/**
 * The hardening every kit bucket shares, created under `scope` with the construct ids the buckets have
 * always had ("Resource", "Encryption", "Versioning", "PublicAccessBlock", "OwnershipControls"): stateful
 * protection, default encryption, versioning, all public-access blocks and ACLs disabled.
 */
export function hardenedBucket(scope: Construct, props: HardenedBucketProps): HardenedBucket {
  const bucket = new S3Bucket(scope, "Resource", {
    bucket: props.bucketName,
    forceDestroy: props.preventDestroy === false,
    tags: mergeTags(props.tags),
  });
  protectStateful(bucket, props);
  new S3BucketServerSideEncryptionConfigurationA(scope, "Encryption", {
    bucket: bucket.id,
    rule: [props.encryption],
  });
  new S3BucketVersioningA(scope, "Versioning", {
    bucket: bucket.id,
    versioningConfiguration: { status: "Enabled" },
  });
  const publicAccessBlock = new S3BucketPublicAccessBlock(scope, "PublicAccessBlock", {
    bucket: bucket.id,
    blockPublicAcls: true,
    blockPublicPolicy: true,
    ignorePublicAcls: true,
    restrictPublicBuckets: true,
  });
  new S3BucketOwnershipControls(scope, "OwnershipControls", {
    bucket: bucket.id,
    rule: { objectOwnership: "BucketOwnerEnforced" },
  });
  return { bucket, publicAccessBlock };
}

/** Denies any request to the bucket or its objects over plain HTTP. */
export function denyInsecureTransport(bucketArn: string): DataAwsIamPolicyDocumentStatement {
  return {
    sid: "DenyInsecureTransport",
    effect: "Deny",
    principals: [{ type: "*", identifiers: ["*"] }],
    actions: ["s3:*"],
    resources: [bucketArn, `${bucketArn}/*`],
    condition: [{ test: "Bool", variable: "aws:SecureTransport", values: ["false"] }],
  };
}

/** The bucket policy ("PolicyDocument" + "Policy"), applied after the public-access block. */
export function attachBucketPolicy(
  scope: Construct,
  { bucket, publicAccessBlock }: HardenedBucket,
  statement: DataAwsIamPolicyDocumentStatement[],
): S3BucketPolicy {
  const policy = new DataAwsIamPolicyDocument(scope, "PolicyDocument", { statement });
  return new S3BucketPolicy(scope, "Policy", {
    bucket: bucket.id,
    policy: policy.json,
    // S3 rejects concurrent changes to the policy and the public-access block.
    dependsOn: [publicAccessBlock],
  });
}
