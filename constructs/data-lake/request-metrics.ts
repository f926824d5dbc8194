import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { S3BucketMetric } from "@cdktf/provider-aws/lib/s3-bucket-metric";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicPolicy } from "@cdktf/provider-aws/lib/sns-topic-policy";
import { type ITerraformDependable, Token } from "cdktf";
import { Construct } from "constructs";
import { AwsContext } from "../core/aws-context";
import type { Tags } from "../core/tags";
import { ARN } from "../primitives";

/** Name of the request-metrics configuration covering the whole bucket (the alarm's FilterId). */
export const ENTIRE_BUCKET_METRIC = "EntireBucket";

/** CloudWatch alarms on S3 request metrics of the lake buckets. S3 bills request metrics per bucket. */
export interface DataLakeRequestMetricsProps {
  /** 4xx responses per bucket within 5 minutes at which the alarm fires. @default 10 */
  readonly accessDeniedThreshold?: number;
  /**
   * Bring-your-own SNS topic for the alarms; its policy (and key policy, if encrypted) must let
   * `cloudwatch.amazonaws.com` publish. @default - a topic encrypted with the lake key is created
   */
  readonly alarmTopicArn?: string;
}

/** Throws naming the prop and its value when the request-metrics settings are unusable. */
export function validateRequestMetrics(props: DataLakeRequestMetricsProps): void {
  const threshold = props.accessDeniedThreshold;
  if (threshold !== undefined && !(Number.isFinite(threshold) && threshold >= 1)) {
    throw new Error(
      `DataLake: requestMetrics.accessDeniedThreshold ${threshold} is invalid: expected a number >= 1 (4xx responses per 5 minutes)`,
    );
  }
  const arn = props.alarmTopicArn;
  if (arn !== undefined && !Token.isUnresolved(arn) && !ARN.snsTopic.test(arn)) {
    throw new Error(
      `DataLake: requestMetrics.alarmTopicArn "${arn}" is not an SNS topic ARN: expected arn:<partition>:sns:<region>:<account>:<topic>`,
    );
  }
}

export interface DataLakeAlarmTopicProps {
  readonly topicName: string;
  /** Key encrypting the topic; its policy must admit `cloudwatch.amazonaws.com` (Decrypt, GenerateDataKey*). */
  readonly kmsKeyArn: string;
  readonly tags?: Tags;
}

/** The SNS topic the lake's alarms publish to: KMS-encrypted, publishable by CloudWatch of this account only. */
export class DataLakeAlarmTopic extends Construct {
  readonly topicArn: string;
  /** The policy letting CloudWatch publish: alarms depend on it. */
  readonly policy: SnsTopicPolicy;

  constructor(scope: Construct, id: string, props: DataLakeAlarmTopicProps) {
    super(scope, id);
    const aws = AwsContext.of(this);
    const topic = new SnsTopic(this, "Resource", {
      name: props.topicName,
      kmsMasterKeyId: props.kmsKeyArn,
      tags: props.tags ? { ...props.tags } : undefined,
    });
    this.topicArn = topic.arn;
    const policy = new DataAwsIamPolicyDocument(this, "PolicyDocument", {
      statement: [
        {
          sid: "CloudWatchAlarms",
          effect: "Allow",
          principals: [{ type: "Service", identifiers: ["cloudwatch.amazonaws.com"] }],
          actions: ["sns:Publish"],
          resources: [topic.arn],
          // Only alarms of this account: another account's alarm could otherwise publish here.
          condition: [{ test: "StringEquals", variable: "aws:SourceAccount", values: [aws.accountId] }],
        },
      ],
    });
    this.policy = new SnsTopicPolicy(this, "Policy", { arn: topic.arn, policy: policy.json });
  }
}

export interface BucketAccessDeniedAlarmProps {
  /** Zone name, for the alarm's name and description. */
  readonly zone: string;
  /** Alarm names are unique per account and region. */
  readonly alarmName: string;
  readonly bucketName: string;
  readonly threshold: number;
  readonly alarmTopicArn: string;
  /**
   * What the alarm's actions need first: the topic policy admitting CloudWatch (an alarm firing before it
   * exists fails to publish). @default []
   */
  readonly dependsOn?: readonly ITerraformDependable[];
  readonly tags?: Tags;
}

/**
 * Request metrics for one whole bucket and an alarm on their `4xxErrors`. S3 publishes no AccessDenied-only
 * metric: `4xxErrors` counts every 4xx. For a private bucket reached only through IAM, 403 AccessDenied
 * dominates, but 404 NoSuchKey (and other 4xx) count too, so a client probing missing keys can also fire it.
 */
export class BucketAccessDeniedAlarm extends Construct {
  readonly alarm: CloudwatchMetricAlarm;

  constructor(scope: Construct, id: string, props: BucketAccessDeniedAlarmProps) {
    super(scope, id);
    const metric = new S3BucketMetric(this, "Metric", {
      bucket: props.bucketName,
      name: ENTIRE_BUCKET_METRIC, // no filter: every request to the bucket
    });
    const actions = [props.alarmTopicArn];
    this.alarm = new CloudwatchMetricAlarm(this, "Alarm", {
      alarmName: props.alarmName,
      alarmDescription: `4xx responses (mostly 403 AccessDenied; 404 counts too) of data lake zone "${props.zone}" reached ${props.threshold} in 5 minutes`,
      namespace: "AWS/S3",
      metricName: "4xxErrors",
      dimensions: { BucketName: props.bucketName, FilterId: metric.name },
      statistic: "Sum",
      period: 300,
      evaluationPeriods: 1,
      threshold: props.threshold,
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      // No requests means no data points, which is not a spike.
      treatMissingData: "notBreaching",
      alarmActions: actions,
      okActions: actions,
      dependsOn: [...(props.dependsOn ?? [])],
      tags: props.tags ? { ...props.tags } : undefined,
    });
  }
}
