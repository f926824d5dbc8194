import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey as AwsKmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { Construct } from "constructs";
import { AwsContext } from "./aws-context";
import { protectStateful } from "./stateful";
import type { Tags } from "./tags";

/** What a service or role needs to encrypt and decrypt data under a key (EBS volumes, AWS services). */
export const KMS_DATA_KEY_ACTIONS: readonly string[] = [
  "kms:Encrypt",
  "kms:Decrypt",
  "kms:ReEncrypt*",
  "kms:GenerateDataKey*",
  "kms:DescribeKey",
];

export interface KmsKeyProps {
  /** Human-readable purpose, shown in the KMS console. @default - "Managed by the MLOps platform kit" */
  readonly description?: string;
  /** Alias without the `alias/` prefix. @default - no alias */
  readonly aliasName?: string;
  /** Waiting period before a scheduled deletion completes. @default 30 */
  readonly deletionWindowInDays?: number;
  /** Lets CloudWatch Logs in this region encrypt log groups of this account with the key. @default false */
  readonly allowCloudWatchLogs?: boolean;
  /** AWS service principals (e.g. `s3.amazonaws.com`) allowed to use the key on behalf of this account. @default [] */
  readonly allowServicePrincipals?: readonly string[];
  /**
   * Lets EC2 Auto Scaling's service-linked role use the key, which it needs to launch instances whose root volumes
   * are encrypted with it (managed node groups). IAM policies cannot grant this: the role is AWS-managed.
   * @default false
   */
  readonly allowAutoScaling?: boolean;
  /** `lifecycle.prevent_destroy`: losing a key makes everything it encrypted unreadable. @default true */
  readonly preventDestroy?: boolean;
  readonly tags?: Tags;
}

/**
 * A customer-managed, symmetric KMS key with yearly rotation and a key policy that keeps administration with
 * the account (IAM decides who else may use it) and admits only the listed AWS services.
 */
export class KmsKey extends Construct {
  readonly resource: AwsKmsKey;
  readonly keyArn: string;
  readonly keyId: string;
  readonly alias?: KmsAlias;

  constructor(scope: Construct, id: string, props: KmsKeyProps = {}) {
    super(scope, id);
    const aws = AwsContext.of(this);
    const statements: NonNullable<ConstructorParameters<typeof DataAwsIamPolicyDocument>[2]>["statement"] = [
      {
        sid: "AccountAdministration",
        effect: "Allow",
        actions: ["kms:*"],
        resources: ["*"],
        principals: [{ type: "AWS", identifiers: [`arn:${aws.partition}:iam::${aws.accountId}:root`] }],
      },
    ];
    if (props.allowCloudWatchLogs) {
      statements.push({
        sid: "CloudWatchLogs",
        effect: "Allow",
        actions: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
        resources: ["*"],
        principals: [{ type: "Service", identifiers: [`logs.${aws.region}.${aws.dnsSuffix}`] }],
        condition: [
          {
            test: "ArnLike",
            variable: "kms:EncryptionContext:aws:logs:arn",
            values: [`arn:${aws.partition}:logs:${aws.region}:${aws.accountId}:*`],
          },
        ],
      });
    }
    if (props.allowServicePrincipals && props.allowServicePrincipals.length > 0) {
      statements.push({
        sid: "AwsServices",
        effect: "Allow",
        actions: [...KMS_DATA_KEY_ACTIONS],
        resources: ["*"],
        principals: [{ type: "Service", identifiers: [...props.allowServicePrincipals] }],
        condition: [{ test: "StringEquals", variable: "aws:SourceAccount", values: [aws.accountId] }],
      });
    }
    if (props.allowAutoScaling) {
      const asg = [
        `arn:${aws.partition}:iam::${aws.accountId}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`,
      ];
      statements.push(
        {
          sid: "AutoScalingUse",
          effect: "Allow",
          actions: [...KMS_DATA_KEY_ACTIONS],
          resources: ["*"],
          principals: [{ type: "AWS", identifiers: asg }],
        },
        {
          sid: "AutoScalingGrants",
          effect: "Allow",
          actions: ["kms:CreateGrant"],
          resources: ["*"],
          principals: [{ type: "AWS", identifiers: asg }],
          condition: [{ test: "Bool", variable: "kms:GrantIsForAWSResource", values: ["true"] }],
        },
      );
    }
    const policy = new DataAwsIamPolicyDocument(this, "Policy", { statement: statements });

    this.resource = new AwsKmsKey(this, "Resource", {
      description: props.description ?? "Managed by the MLOps platform kit",
      enableKeyRotation: true,
      keyUsage: "ENCRYPT_DECRYPT",
      customerMasterKeySpec: "SYMMETRIC_DEFAULT",
      deletionWindowInDays: props.deletionWindowInDays ?? 30,
      policy: policy.json,
      tags: props.tags ? { ...props.tags } : undefined,
    });
    protectStateful(this.resource, { preventDestroy: props.preventDestroy });
    this.keyArn = this.resource.arn;
    this.keyId = this.resource.keyId;

    if (props.aliasName) {
      this.alias = new KmsAlias(this, "Alias", {
        name: `alias/${props.aliasName}`,
        targetKeyId: this.resource.keyId,
      });
    }
  }
}
