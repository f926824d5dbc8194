import type { DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import type { AddOn, AddOnContext } from "../../core/addon";
import type { AddOnDefinition } from "../../core/addon-definition";
import { KAFKA_CONFIG, type KafkaConfig, type KafkaConfigInput, parseKafkaConfig } from "./config";
import { MskKafkaCluster } from "./msk-cluster";
import { mskPrometheusEgress, mskScrapeConfigs, mskScrapeTargets } from "./msk-monitoring";
import type { KafkaOutputsBase } from "./outputs";
import { StrimziKafkaAddOn, type StrimziKafkaOutputs } from "./strimzi";
import { resolveAccess, type TopicSelector, topicInfos } from "./topic-access";

/** What the MSK mode hands to dependent add-ons. */
export interface MskKafkaOutputs extends KafkaOutputsBase {
  readonly mode: "msk";
  readonly cluster: MskKafkaCluster;
  readonly clusterArn: string;
  readonly securityGroupId: string;
  /** IAM statements granting exactly a principal's (or the given) topics; compose into a role's policy. */
  topicAccessStatements(selector: TopicSelector): DataAwsIamPolicyDocumentStatement[];
  /** The same as an IAM policy JSON document (e.g. `ServiceAccountRole` `inlinePolicies`). */
  topicAccessPolicy(selector: TopicSelector): string;
}

export type KafkaOutputs = MskKafkaOutputs | StrimziKafkaOutputs;

/** Amazon MSK in the platform's private subnets, reachable only from the EKS cluster. */
export class MskKafkaAddOn implements AddOn<MskKafkaOutputs> {
  readonly id: string = "kafka";

  constructor(private readonly config: KafkaConfig) {}

  deploy(context: AddOnContext): MskKafkaOutputs {
    const cluster = new MskKafkaCluster(context.scope, "Msk", {
      config: this.config,
      namePrefix: context.platform.prefix,
      vpcId: context.platform.vpcId,
      subnetIds: context.platform.privateSubnetIds,
      clientSecurityGroupId: context.cluster.clusterSecurityGroupId,
      kmsKeyArn: context.cluster.kmsKeyArn,
      preventDestroy: context.cluster.preventDestroy,
      tags: { ...context.platform.tags, ...context.cluster.tags },
    });
    if (context.has("monitoring")) {
      const targets = mskScrapeTargets(context.scope, cluster.clusterArn);
      for (const m of mskScrapeConfigs(targets, cluster.clusterName))
        context.manifest(`ScrapeConfig-${(m.metadata as { name: string }).name}`, m);
      context.manifest("PrometheusMskEgress", mskPrometheusEgress(context.platform.vpcCidr));
    }
    return {
      mode: "msk",
      bootstrapServers: cluster.bootstrapBrokersSaslIam,
      securityProtocol: "SASL_SSL",
      saslMechanism: "AWS_MSK_IAM",
      topics: topicInfos(this.config, cluster.defaultReplicationFactor),
      principals: Object.keys(this.config.access),
      principalAccess: (principal) => resolveAccess(this.config, principal),
      cluster,
      clusterArn: cluster.clusterArn,
      securityGroupId: cluster.securityGroup.id,
      topicAccessStatements: (selector) => cluster.topicAccessStatements(selector),
      topicAccessPolicy: (selector) => cluster.topicAccessPolicy(selector),
    };
  }
}

/**
 * The Kafka add-on (id `kafka`) for the configured mode. Takes `addons.kafka` as written (defaults applied
 * here) or already parsed; bad configuration fails here with every problem listed.
 */
export function kafkaAddOn(config: KafkaConfigInput | KafkaConfig = {}): AddOn<KafkaOutputs> {
  return kafkaDefinition.create(parseKafkaConfig(config));
}

/** The registry entry: `addons.kafka` switches it on; `mode` picks MSK or Strimzi. */
export const kafkaDefinition = {
  id: "kafka",
  config: KAFKA_CONFIG,
  create: (config: KafkaConfig): AddOn<KafkaOutputs> =>
    config.mode === "msk" ? new MskKafkaAddOn(config) : new StrimziKafkaAddOn(config),
} satisfies AddOnDefinition<typeof KAFKA_CONFIG>;
