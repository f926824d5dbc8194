import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { FlowLog } from "@cdktf/provider-aws/lib/flow-log";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { Construct } from "constructs";
import { AwsContext } from "../core/aws-context";
import { KmsKey } from "../core/kms-key";
import { mergeTags, type Tags } from "../core/tags";
import { LOG_RETENTION_DAYS } from "../primitives";

/** Retention values CloudWatch Logs accepts (PutRetentionPolicy). */
export const FLOW_LOG_RETENTION_DAYS = LOG_RETENTION_DAYS;

export interface VpcFlowLogProps {
  readonly vpcId: string;
  /** Used in the log group name `/aws/vpc-flow-logs/<name>`, the role name and `Name` tags. */
  readonly name: string;
  /** One of FLOW_LOG_RETENTION_DAYS. @default 365 */
  readonly retentionInDays?: number;
  /** Bring-your-own key for the log group; its policy must admit CloudWatch Logs. @default - a KmsKey is created */
  readonly kmsKeyArn?: string;
  /** `prevent_destroy` on the created key. @default true */
  readonly preventDestroy?: boolean;
  readonly tags?: Tags;
}

/**
 * VPC flow logs of ALL traffic into a KMS-encrypted CloudWatch log group, delivered by a role that only
 * the flow-logs service of this account can assume and that can only write to that log group.
 */
export class VpcFlowLog extends Construct {
  readonly logGroupName: string;
  readonly logGroupArn: string;
  readonly kmsKeyArn: string;
  readonly roleArn: string;
  readonly kmsKey?: KmsKey;

  constructor(scope: Construct, id: string, props: VpcFlowLogProps) {
    super(scope, id);
    const aws = AwsContext.of(this);
    const retentionInDays = props.retentionInDays ?? 365;
    if (!(LOG_RETENTION_DAYS as readonly number[]).includes(retentionInDays)) {
      throw new Error(
        `flowLogRetentionInDays ${retentionInDays} is not a CloudWatch Logs retention: expected one of ${FLOW_LOG_RETENTION_DAYS.join(", ")}`,
      );
    }

    if (props.kmsKeyArn) {
      this.kmsKeyArn = props.kmsKeyArn;
    } else {
      this.kmsKey = new KmsKey(this, "Key", {
        description: `VPC flow logs of ${props.name}`,
        aliasName: `${props.name}-vpc-flow-logs`,
        allowCloudWatchLogs: true,
        preventDestroy: props.preventDestroy,
        tags: props.tags,
      });
      this.kmsKeyArn = this.kmsKey.keyArn;
    }

    const logGroup = new CloudwatchLogGroup(this, "LogGroup", {
      name: `/aws/vpc-flow-logs/${props.name}`,
      retentionInDays,
      kmsKeyId: this.kmsKeyArn,
      tags: mergeTags(props.tags),
    });
    this.logGroupName = logGroup.name;
    this.logGroupArn = logGroup.arn;

    const trust = new DataAwsIamPolicyDocument(this, "TrustPolicy", {
      statement: [
        {
          effect: "Allow",
          actions: ["sts:AssumeRole"],
          principals: [{ type: "Service", identifiers: ["vpc-flow-logs.amazonaws.com"] }],
          condition: [
            { test: "StringEquals", variable: "aws:SourceAccount", values: [aws.accountId] },
            {
              test: "ArnLike",
              variable: "aws:SourceArn",
              values: [aws.arn("ec2", "vpc-flow-log/*")],
            },
          ],
        },
      ],
    });
    const role = new IamRole(this, "Role", {
      // IAM is global: the region keeps networks of the same name in several regions apart.
      name: `${props.name}-vpc-flow-logs-${aws.region}`,
      assumeRolePolicy: trust.json,
      tags: mergeTags(props.tags),
    });
    // The log group's `arn` has no `:*` suffix; streams live under `<arn>:log-stream:*`.
    const delivery = new DataAwsIamPolicyDocument(this, "DeliveryPolicy", {
      statement: [
        {
          sid: "WriteFlowLogs",
          effect: "Allow",
          actions: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
          resources: [logGroup.arn, `${logGroup.arn}:*`],
        },
        {
          // DescribeLogGroups has no resource-level scoping below the account's log groups.
          sid: "FindLogGroup",
          effect: "Allow",
          actions: ["logs:DescribeLogGroups"],
          resources: [aws.arn("logs", "log-group:*")],
        },
      ],
    });
    const rolePolicy = new IamRolePolicy(this, "RolePolicy", {
      name: "flow-log-delivery",
      role: role.name,
      policy: delivery.json,
    });
    this.roleArn = role.arn;

    new FlowLog(this, "Resource", {
      vpcId: props.vpcId,
      trafficType: "ALL",
      logDestinationType: "cloud-watch-logs",
      logDestination: logGroup.arn,
      iamRoleArn: role.arn,
      tags: mergeTags(props.tags, { Name: props.name }),
      // Delivery uses the role's policy, which the role ARN does not order before the flow log.
      dependsOn: [rolePolicy],
    });
  }
}
