import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import { SqsQueuePolicy } from "@cdktf/provider-aws/lib/sqs-queue-policy";
import { Construct } from "constructs";
import { KmsKey } from "../../core/kms-key";
import { mergeTags, type Tags } from "../../core/tags";

/** How long an unread interruption message is kept: the template's 300 s (a warning older than that is moot). */
export const INTERRUPTION_MESSAGE_RETENTION_SECONDS = 300;

/**
 * The events Karpenter reacts to, keyed by the template's rule names (the rules' construct ids). Each is the
 * rule's EventBridge pattern, exactly as in Karpenter's v1.14.1 CloudFormation template.
 */
export const INTERRUPTION_EVENT_PATTERNS = {
  ScheduledChangeRule: { source: ["aws.health"], "detail-type": ["AWS Health Event"] },
  SpotInterruptionRule: { source: ["aws.ec2"], "detail-type": ["EC2 Spot Instance Interruption Warning"] },
  RebalanceRule: { source: ["aws.ec2"], "detail-type": ["EC2 Instance Rebalance Recommendation"] },
  InstanceStateChangeRule: { source: ["aws.ec2"], "detail-type": ["EC2 Instance State-change Notification"] },
  CapacityReservationInterruptionRule: {
    source: ["aws.ec2"],
    "detail-type": ["EC2 Capacity Reservation Instance Interruption Warning"],
  },
} as const;

export type InterruptionRuleName = keyof typeof INTERRUPTION_EVENT_PATTERNS;

/** Rule name prefixes (`name_prefix`, at most 38 characters). */
const RULE_PREFIXES: Record<InterruptionRuleName, string> = {
  ScheduledChangeRule: "karpenter-scheduled-change-",
  SpotInterruptionRule: "karpenter-spot-interruption-",
  RebalanceRule: "karpenter-rebalance-",
  InstanceStateChangeRule: "karpenter-instance-state-",
  CapacityReservationInterruptionRule: "karpenter-capacity-reservation-",
};

/** The template's target id, kept so the rules read the same in the console. */
export const INTERRUPTION_TARGET_ID = "KarpenterInterruptionQueueTarget";

export interface KarpenterInterruptionQueueProps {
  /** Cluster the queue serves: in the key's description and alias. */
  readonly clusterName: string;
  /** `prevent_destroy` on the queue's key. @default true */
  readonly preventDestroy?: boolean;
  readonly tags?: Tags;
}

/**
 * The queue Karpenter reads interruption events from (chart `settings.interruptionQueue`) and the EventBridge
 * rules that fill it. Two deliberate departures from the template: the queue is encrypted with its own
 * customer key (SSE-KMS) instead of SSE-SQS, which EventBridge can deliver to only because the key policy
 * admits `events.amazonaws.com` (for this account); and the queue policy admits only EventBridge, and only for
 * these rules (`aws:SourceArn`), where the template lets `events.amazonaws.com` and `sqs.amazonaws.com` send
 * from anywhere. The queue itself has no `prevent_destroy`: its messages live five minutes.
 */
export class KarpenterInterruptionQueue extends Construct {
  readonly queue: SqsQueue;
  readonly key: KmsKey;
  readonly rules: Readonly<Record<InterruptionRuleName, CloudwatchEventRule>>;
  readonly queueArn: string;
  readonly queueName: string;
  readonly queueUrl: string;
  readonly keyArn: string;

  constructor(scope: Construct, id: string, props: KarpenterInterruptionQueueProps) {
    super(scope, id);
    const tags = mergeTags(props.tags);

    this.key = new KmsKey(this, "Key", {
      description: `Karpenter interruption queue of EKS ${props.clusterName}`,
      aliasName: `karpenter/${props.clusterName}/interruption`,
      allowServicePrincipals: ["events.amazonaws.com"],
      preventDestroy: props.preventDestroy,
      tags,
    });
    this.keyArn = this.key.keyArn;

    this.queue = new SqsQueue(this, "Queue", {
      namePrefix: "karpenter-interruption-",
      messageRetentionSeconds: INTERRUPTION_MESSAGE_RETENTION_SECONDS,
      kmsMasterKeyId: this.key.keyArn,
      tags,
    });
    this.queueArn = this.queue.arn;
    this.queueName = this.queue.name;
    this.queueUrl = this.queue.url;

    const rules = {} as Record<InterruptionRuleName, CloudwatchEventRule>;
    for (const [name, pattern] of Object.entries(INTERRUPTION_EVENT_PATTERNS) as [
      InterruptionRuleName,
      object,
    ][]) {
      const rule = new CloudwatchEventRule(this, name, {
        namePrefix: RULE_PREFIXES[name],
        description: `Karpenter interruption handling (${props.clusterName})`,
        eventPattern: JSON.stringify(pattern),
        tags,
      });
      new CloudwatchEventTarget(this, `${name}Target`, {
        rule: rule.name,
        targetId: INTERRUPTION_TARGET_ID,
        arn: this.queue.arn,
      });
      rules[name] = rule;
    }
    this.rules = rules;

    const policy = new DataAwsIamPolicyDocument(this, "QueuePolicyDocument", {
      statement: [
        {
          sid: "EventBridgeRules",
          effect: "Allow",
          principals: [{ type: "Service", identifiers: ["events.amazonaws.com"] }],
          actions: ["sqs:SendMessage"],
          resources: [this.queue.arn],
          condition: [
            { test: "ArnEquals", variable: "aws:SourceArn", values: Object.values(rules).map((r) => r.arn) },
          ],
        },
        {
          sid: "DenyHTTP",
          effect: "Deny",
          principals: [{ type: "*", identifiers: ["*"] }],
          actions: ["sqs:*"],
          resources: [this.queue.arn],
          condition: [{ test: "Bool", variable: "aws:SecureTransport", values: ["false"] }],
        },
      ],
    });
    new SqsQueuePolicy(this, "QueuePolicy", { queueUrl: this.queue.url, policy: policy.json });
  }
}
