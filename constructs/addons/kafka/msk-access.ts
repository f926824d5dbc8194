import type { DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import type { AwsContext } from "../../core/aws-context";

/** MSK resource types a workload's IAM statements name besides the cluster. */
export type MskResourceType = "topic" | "group";

/** Where an MSK cluster's topic and group ARNs live: its name and UUID (the `cluster_uuid` attribute). */
export interface MskClusterRef {
  readonly clusterArn: string;
  readonly clusterName: string;
  readonly clusterUuid: string;
}

/**
 * `arn:…:kafka:<region>:<account>:<type>/<cluster name>/<cluster uuid>/<name>`, the MSK IAM resource ARN of a topic
 * or consumer group; `name` may end in `*` to cover a prefix.
 */
export function mskResourceArn(
  aws: Pick<AwsContext, "arn">,
  cluster: Pick<MskClusterRef, "clusterName" | "clusterUuid">,
  type: MskResourceType,
  name: string,
): string {
  return aws.arn("kafka", `${type}/${cluster.clusterName}/${cluster.clusterUuid}/${name}`);
}

/** What a workload may do on an MSK cluster; topic and group names may end in `*` (a prefix). */
export interface MskAccessInput {
  readonly clusterArn: string;
  /** The topic or group ARN for a name (see `mskResourceArn`). */
  readonly resourceArn: (type: MskResourceType, name: string) => string;
  readonly readTopics?: readonly string[];
  readonly writeTopics?: readonly string[];
  /** Topics the workload may create and whose configuration it may describe (Strimzi's Create, DescribeConfigs). */
  readonly createTopics?: readonly string[];
  /** Consumer groups the workload may join and commit offsets in. */
  readonly groups?: readonly string[];
}

/**
 * IAM statements for exactly the given topics and groups: connect (and idempotent writes when it writes), then one
 * statement per kind of use. The one mapping of Kafka operations to MSK IAM actions in the kit.
 */
export function mskAccessStatements(input: MskAccessInput): DataAwsIamPolicyDocumentStatement[] {
  const arns = (type: MskResourceType, names: readonly string[] = []) =>
    names.map((n) => input.resourceArn(type, n));
  const readTopics = arns("topic", input.readTopics);
  const writeTopics = arns("topic", input.writeTopics);
  const createTopics = arns("topic", input.createTopics);
  const groups = arns("group", input.groups);
  const connect = ["kafka-cluster:Connect", "kafka-cluster:DescribeCluster"];
  if (writeTopics.length > 0) connect.push("kafka-cluster:WriteDataIdempotently");
  const uses: [sid: string, actions: string[], resources: string[]][] = [
    ["ReadTopics", ["kafka-cluster:DescribeTopic", "kafka-cluster:ReadData"], readTopics],
    ["ConsumerGroups", ["kafka-cluster:DescribeGroup", "kafka-cluster:AlterGroup"], groups],
    ["WriteTopics", ["kafka-cluster:DescribeTopic", "kafka-cluster:WriteData"], writeTopics],
    [
      "CreateTopics",
      [
        "kafka-cluster:CreateTopic",
        "kafka-cluster:DescribeTopic",
        "kafka-cluster:DescribeTopicDynamicConfiguration",
      ],
      createTopics,
    ],
  ];
  const statements: DataAwsIamPolicyDocumentStatement[] = [
    { sid: "Connect", effect: "Allow", actions: connect, resources: [input.clusterArn] },
  ];
  for (const [sid, actions, resources] of uses) {
    if (resources.length > 0) statements.push({ sid, effect: "Allow", actions, resources });
  }
  return statements;
}
