import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import type { DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { MskCluster } from "@cdktf/provider-aws/lib/msk-cluster";
import { MskConfiguration } from "@cdktf/provider-aws/lib/msk-configuration";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { Token } from "cdktf";
import { Construct } from "constructs";
import { AwsContext } from "../../core/aws-context";
import { protectStateful } from "../../core/stateful";
import { mergeTags, type Tags } from "../../core/tags";
import type { KafkaConfig } from "./config";
import { type MskResourceType, mskAccessStatements, mskResourceArn } from "./msk-access";
import { reads, resolveAccess, type TopicSelector, writes } from "./topic-access";

/** MSK ports: IAM over TLS for clients, and the open-monitoring JMX and node exporters for Prometheus. */
export const MSK_PORTS = { iamTls: 9098, jmxExporter: 11001, nodeExporter: 11002 } as const;

export interface MskKafkaClusterProps {
  readonly config: KafkaConfig;
  /** `<name>-<environment>`, prefix of the cluster, configuration, log group and security group names. */
  readonly namePrefix: string;
  readonly vpcId: string;
  /** Client subnets: brokers are spread evenly over them. */
  readonly subnetIds: readonly string[];
  /** The only security group admitted: the EKS cluster security group its nodes carry. */
  readonly clientSecurityGroupId: string;
  /** The platform KMS key: data at rest and the broker log group. */
  readonly kmsKeyArn: string;
  readonly preventDestroy?: boolean;
  readonly tags?: Tags;
}

function invalid(field: string, value: unknown, expected: string): Error {
  return new Error(`Invalid addons.kafka.${field}: got ${JSON.stringify(value)}; expected ${expected}.`);
}

/** Throws when a set count is above the limit it depends on (`what` names the limit in the message). */
function atMost(field: string, value: number | undefined, limit: number, what: string): void {
  if (value !== undefined && value > limit) throw invalid(field, value, `at most ${what} ${limit}`);
}

/**
 * A provisioned MSK cluster that only the EKS cluster's nodes can reach: IAM client authentication over TLS
 * (no unauthenticated or plaintext access), TLS between brokers, data and logs encrypted with the platform key,
 * and open monitoring for Prometheus.
 *
 * Topics: the AWS provider (21.x) has no MSK topic resource, and Terraform cannot reach a private MSK cluster's
 * Kafka API; so topics are declared (`config.topics`, exposed as `topics` outputs) but not created here. With
 * `auto.create.topics.enable=false` something in the VPC must create them (see README.md here).
 */
export class MskKafkaCluster extends Construct {
  readonly cluster: MskCluster;
  readonly configuration: MskConfiguration;
  readonly logGroup: CloudwatchLogGroup;
  readonly securityGroup: SecurityGroup;
  readonly brokerCount: number;
  readonly defaultReplicationFactor: number;
  readonly minInsyncReplicas: number;
  private readonly aws: AwsContext;
  private readonly config: KafkaConfig;
  /** `<prefix>-kafka`, known at synth (the resource attribute would be a cross-stack token). */
  readonly clusterName: string;

  constructor(scope: Construct, id: string, props: MskKafkaClusterProps) {
    super(scope, id);
    const { config } = props;
    const msk = config.msk;
    this.config = config;
    this.aws = AwsContext.of(this);
    const subnets = props.subnetIds;
    const subnetsKnown = !subnets.some((s) => Token.isUnresolved(s));
    if (subnetsKnown && (subnets.length < 2 || subnets.length > 3)) {
      throw invalid(
        "msk (private subnets)",
        subnets,
        "2 or 3 private subnets in distinct AZs, as MSK requires",
      );
    }
    this.brokerCount = msk.brokerCount ?? subnets.length;
    if (subnetsKnown && this.brokerCount % subnets.length !== 0) {
      throw invalid(
        "msk.brokerCount",
        this.brokerCount,
        `a multiple of the private subnet count ${subnets.length} (MSK spreads brokers evenly over the subnets)`,
      );
    }
    this.defaultReplicationFactor = msk.defaultReplicationFactor ?? Math.min(3, this.brokerCount);
    this.minInsyncReplicas = msk.minInsyncReplicas ?? Math.max(1, this.defaultReplicationFactor - 1);
    atMost(
      "msk.defaultReplicationFactor",
      this.defaultReplicationFactor,
      this.brokerCount,
      "the broker count",
    );
    for (const [name, t] of Object.entries(config.topics)) {
      const rf = t.replicationFactor ?? this.defaultReplicationFactor;
      atMost(`topics.${name}.minInsyncReplicas`, t.minInsyncReplicas, rf, "the replication factor");
    }
    atMost(
      "msk.minInsyncReplicas",
      this.minInsyncReplicas,
      this.defaultReplicationFactor,
      "the replication factor",
    );
    for (const [name, t] of Object.entries(config.topics)) {
      atMost(
        `topics.${name}.replicationFactor`,
        t.replicationFactor,
        this.brokerCount,
        "the MSK broker count",
      );
    }

    const tags = mergeTags(props.tags, { "mlops.io/component": "kafka" });
    this.clusterName = `${props.namePrefix}-kafka`;

    this.securityGroup = new SecurityGroup(this, "SecurityGroup", {
      name: `${this.clusterName}-brokers`,
      description: "MSK brokers: IAM/TLS clients and Prometheus scrapes from the EKS cluster only",
      vpcId: props.vpcId,
      // No egress rules: brokers answer on established connections and start none of their own.
      tags: { ...tags, Name: `${this.clusterName}-brokers` },
    });
    const ingress = [
      ["IamTls", MSK_PORTS.iamTls, "Kafka clients, IAM authentication over TLS"],
      ["JmxExporter", MSK_PORTS.jmxExporter, "Prometheus JMX exporter"],
      ["NodeExporter", MSK_PORTS.nodeExporter, "Prometheus node exporter"],
    ] as const;
    for (const [rid, port, description] of ingress) {
      new VpcSecurityGroupIngressRule(this, `Ingress${rid}`, {
        securityGroupId: this.securityGroup.id,
        referencedSecurityGroupId: props.clientSecurityGroupId,
        ipProtocol: "tcp",
        fromPort: port,
        toPort: port,
        description: `${description} from the EKS cluster security group`,
        tags,
      });
    }

    this.logGroup = new CloudwatchLogGroup(this, "BrokerLogs", {
      name: `/aws/msk/${this.clusterName}`,
      retentionInDays: msk.logRetentionInDays,
      kmsKeyId: props.kmsKeyArn,
      tags,
    });

    const serverProperties: Record<string, string | number | boolean> = {
      "auto.create.topics.enable": false,
      "delete.topic.enable": true,
      "default.replication.factor": this.defaultReplicationFactor,
      "min.insync.replicas": this.minInsyncReplicas,
      "offsets.topic.replication.factor": this.defaultReplicationFactor,
      "transaction.state.log.replication.factor": this.defaultReplicationFactor,
      "transaction.state.log.min.isr": this.minInsyncReplicas,
      "unclean.leader.election.enable": false,
      ...msk.serverProperties,
    };
    this.configuration = new MskConfiguration(this, "Configuration", {
      name: `${this.clusterName}-config`,
      description: "Broker defaults of the platform Kafka cluster",
      kafkaVersions: [msk.kafkaVersion],
      serverProperties: Object.entries(serverProperties)
        .map(([k, v]) => `${k}=${v}`)
        .join("\n"),
    });

    this.cluster = new MskCluster(this, "Cluster", {
      clusterName: this.clusterName,
      kafkaVersion: msk.kafkaVersion,
      numberOfBrokerNodes: this.brokerCount,
      brokerNodeGroupInfo: {
        instanceType: msk.instanceType,
        clientSubnets: [...subnets],
        securityGroups: [this.securityGroup.id],
        storageInfo: { ebsStorageInfo: { volumeSize: msk.ebsVolumeSizeInGiB } },
        connectivityInfo: { publicAccess: { type: "DISABLED" } },
      },
      configurationInfo: { arn: this.configuration.arn, revision: this.configuration.latestRevision },
      encryptionInfo: {
        encryptionAtRestKmsKeyArn: props.kmsKeyArn,
        encryptionInTransit: { clientBroker: "TLS", inCluster: true },
      },
      clientAuthentication: { sasl: { iam: true, scram: false }, unauthenticated: false },
      loggingInfo: { brokerLogs: { cloudwatchLogs: { enabled: true, logGroup: this.logGroup.name } } },
      openMonitoring: {
        prometheus: {
          jmxExporter: { enabledInBroker: true },
          nodeExporter: { enabledInBroker: true },
        },
      },
      enhancedMonitoring: msk.enhancedMonitoring,
      tags,
    });
    protectStateful(this.cluster, { preventDestroy: props.preventDestroy });
  }

  get clusterArn(): string {
    return this.cluster.arn;
  }

  /** Bootstrap brokers for IAM authentication over TLS (`host:9098,…`). */
  get bootstrapBrokersSaslIam(): string {
    return this.cluster.bootstrapBrokersSaslIam;
  }

  /** `arn:…:kafka:<region>:<account>:<type>/<cluster name>/<cluster uuid>/<name>`, the MSK IAM resource ARNs. */
  resourceArn(type: MskResourceType, name: string): string {
    return mskResourceArn(
      this.aws,
      { clusterName: this.clusterName, clusterUuid: this.cluster.clusterUuid },
      type,
      name,
    );
  }

  /**
   * IAM statements that let a workload use exactly its topics: connect, describe/read or write the named
   * topics and, for a principal from `access` that reads, its consumer groups (`groupPrefixes`, default the
   * principal name). An explicit topic map grants no consumer group; the caller adds its own.
   */
  topicAccessStatements(selector: TopicSelector): DataAwsIamPolicyDocumentStatement[] {
    const access = resolveAccess(this.config, selector);
    const entries = Object.entries(access.topics);
    const readTopics = entries.filter(([, a]) => reads(a)).map(([t]) => t);
    return mskAccessStatements({
      clusterArn: this.clusterArn,
      resourceArn: (type, name) => this.resourceArn(type, name),
      readTopics,
      writeTopics: entries.filter(([, a]) => writes(a)).map(([t]) => t),
      groups: readTopics.length > 0 ? access.groupPrefixes.map((g) => `${g}*`) : [],
    });
  }

  /** The same statements as an IAM policy JSON document, e.g. for `ServiceAccountRole.inlinePolicies`. */
  topicAccessPolicy(selector: TopicSelector): string {
    return JSON.stringify({
      Version: "2012-10-17",
      Statement: this.topicAccessStatements(selector).map((s) => ({
        Sid: s.sid,
        Effect: s.effect,
        Action: s.actions,
        Resource: s.resources,
      })),
    });
  }
}
