import {
  DataAwsIamPolicyDocument,
  type DataAwsIamPolicyDocumentStatement,
} from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { ServiceAccountV1 } from "@cdktf/provider-kubernetes/lib/service-account-v1";
import { Construct } from "constructs";
import type { AddOnContext } from "../../../core/addon";
import { AwsContext } from "../../../core/aws-context";
import type { IServiceAccountRole } from "../../../core/cluster-contract";
import { mergeTags } from "../../../core/tags";
import {
  attachBucketPolicy,
  denyInsecureTransport,
  hardenedBucket,
} from "../../../data-lake/hardened-bucket";
import { MAX_BUCKET_NAME_LENGTH, maxBucketNameLength } from "../../../data-lake/naming";
import { suppress } from "../../../policy/suppressions";
import { ELASTICSEARCH_SERVICE_ACCOUNT } from "../names";

/** Zone-like part of the bucket name: `<prefix>-es-snapshots-<account>-<region>`. */
export const SNAPSHOT_BUCKET_PART = "es-snapshots";

/** What repository-s3 needs: list and locate the bucket, read/write/delete snapshot files, multipart uploads. */
export function snapshotStatements(
  bucketArn: string,
  kmsKeyArn: string,
): DataAwsIamPolicyDocumentStatement[] {
  return [
    {
      sid: "SnapshotBucket",
      effect: "Allow",
      actions: ["s3:ListBucket", "s3:GetBucketLocation", "s3:ListBucketMultipartUploads"],
      resources: [bucketArn],
    },
    {
      sid: "SnapshotObjects",
      effect: "Allow",
      actions: [
        "s3:GetObject",
        "s3:PutObject",
        "s3:DeleteObject",
        "s3:AbortMultipartUpload",
        "s3:ListMultipartUploadParts",
      ],
      resources: [`${bucketArn}/*`],
    },
    {
      // SSE-KMS with a bucket key: data keys for writes, decrypt for reads; only through S3 in this region.
      sid: "SnapshotKey",
      effect: "Allow",
      actions: ["kms:GenerateDataKey", "kms:Decrypt"],
      resources: [kmsKeyArn],
      condition: [{ test: "StringLike", variable: "kms:ViaService", values: ["s3.*.amazonaws.com"] }],
    },
  ];
}

export interface SnapshotStorageProps {
  readonly context: AddOnContext;
  /** Namespace of Elasticsearch, whose service account the role trusts. */
  readonly namespace: string;
}

/**
 * The snapshot bucket of the ECK cluster: the kit's hardened bucket (SSE-KMS under the platform key, versioned,
 * public access blocked, TLS only, prevent_destroy unless sandbox), and the IRSA role of Elasticsearch's
 * service account allowed exactly that bucket and key. No static keys anywhere.
 */
export class SnapshotStorage extends Construct {
  readonly bucketName: string;
  readonly bucketArn: string;
  readonly role: IServiceAccountRole;
  readonly serviceAccount: ServiceAccountV1;

  constructor(scope: Construct, id: string, props: SnapshotStorageProps) {
    super(scope, id);
    const { context } = props;
    const prefix = context.platform.prefix;
    if (maxBucketNameLength(prefix, SNAPSHOT_BUCKET_PART) > MAX_BUCKET_NAME_LENGTH) {
      throw new Error(
        `add-on logging: the snapshot bucket "${prefix}-${SNAPSHOT_BUCKET_PART}-<account>-<region>" can exceed ${MAX_BUCKET_NAME_LENGTH} characters; shorten the platform name or environment, or set addons.logging.eck.snapshots.enabled: false`,
      );
    }
    const aws = AwsContext.of(this);
    const kmsKeyArn = context.cluster.kmsKeyArn;
    const bucketScope = new Construct(this, "Bucket");
    const hardened = hardenedBucket(bucketScope, {
      bucketName: `${prefix}-${SNAPSHOT_BUCKET_PART}-${aws.accountId}-${aws.region}`,
      preventDestroy: context.cluster.preventDestroy,
      tags: mergeTags(context.platform.tags, context.cluster.tags, { "mlops.io/component": "logging" }),
      encryption: {
        applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: kmsKeyArn },
        bucketKeyEnabled: true,
        blockedEncryptionTypes: ["SSE-C"],
      },
    });
    attachBucketPolicy(bucketScope, hardened, [denyInsecureTransport(hardened.bucket.arn)]);
    new S3BucketLifecycleConfiguration(bucketScope, "Lifecycle", {
      bucket: hardened.bucket.id,
      rule: [
        {
          // SLM deletes snapshot files it no longer needs; versioning keeps them a week for recovery.
          id: "expire-noncurrent-versions",
          status: "Enabled",
          filter: [{}],
          noncurrentVersionExpiration: [{ noncurrentDays: 7 }],
          expiration: [{ expiredObjectDeleteMarker: true }],
        },
        {
          id: "abort-incomplete-multipart-uploads",
          status: "Enabled",
          filter: [{}],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: 7 }],
        },
      ],
    });
    suppress(
      bucketScope,
      "MLOPS-S3-005",
      "Elasticsearch snapshot bucket: written only by the cluster's IRSA role; the data lake's access-log bucket admits only the lake's own buckets, so it has no access-log target yet",
    );
    this.bucketName = hardened.bucket.bucket;
    this.bucketArn = hardened.bucket.arn;

    const policy = new DataAwsIamPolicyDocument(this, "RolePolicyDocument", {
      statement: snapshotStatements(this.bucketArn, kmsKeyArn),
    });
    this.role = context.cluster.serviceAccountRole("logging-snapshots", {
      namespace: props.namespace,
      serviceAccount: ELASTICSEARCH_SERVICE_ACCOUNT,
      mode: "irsa",
      inlinePolicies: { "elasticsearch-snapshots": policy.json },
    });
    this.serviceAccount = new ServiceAccountV1(this, "ServiceAccount", {
      provider: context.cluster.kubernetesProvider,
      metadata: {
        name: ELASTICSEARCH_SERVICE_ACCOUNT,
        namespace: props.namespace,
        annotations: { "eks.amazonaws.com/role-arn": this.role.roleArn },
      },
      // Elasticsearch gets only its projected STS token (see the Elasticsearch pod template), no API token.
      automountServiceAccountToken: false,
    });
  }
}
