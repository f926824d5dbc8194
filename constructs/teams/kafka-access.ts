import type { DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { Manifest } from "@cdktf/provider-kubernetes/lib/manifest";
import type { KubernetesProvider } from "@cdktf/provider-kubernetes/lib/provider";
import { Construct } from "constructs";
import { type MskClusterRef, mskAccessStatements, mskResourceArn } from "../addons/kafka/msk-access";
import {
  bootstrapAddress,
  kafkaAcl,
  kafkaUserResource,
  type StrimziAuthentication,
  type StrimziNames,
} from "../addons/kafka/strimzi-resources";
import { type EnvVar, SERVICE_KAFKA_ENV } from "../addons/serving/access/env";
import {
  type CredentialsNamespace,
  deliverKafkaCredentials,
  type StrimziCredentials,
} from "../addons/serving/access/kafka-credentials";
import type { AwsContext } from "../core/aws-context";
import { teamKafkaTopicPrefix, teamNamespace } from "./naming";

/** What a team may do on the platform's Kafka, whichever the mode. */
export interface TeamKafkaGrant {
  /** Topics the team creates, reads and writes: `team.<name>.`. */
  readonly topicPrefix: string;
  /** Consumer groups the team uses: `team.<name>.`. */
  readonly groupPrefix: string;
  /** Platform topics the team only reads (the predictions topic where `readPredictions`). */
  readonly readTopics: readonly string[];
}

export interface TeamKafkaGrantOptions {
  /** Read the platform's predictions topic (`teams.<name>.kafka.readPredictions`). @default false */
  readonly readPredictions?: boolean;
  /** Name of the platform's predictions topic. @default - required when readPredictions */
  readonly predictionsTopic?: string;
}

/** The team's grant: its own prefix for topics and groups, and the predictions topic only when allowed. */
export function teamKafkaGrant(team: string, options: TeamKafkaGrantOptions = {}): TeamKafkaGrant {
  if (options.readPredictions && !options.predictionsTopic) {
    throw new Error(
      `Team "${team}": kafka.readPredictions is true but the platform has no predictions topic (predictionsTopic is ${JSON.stringify(options.predictionsTopic)}): expected the topic's name`,
    );
  }
  const prefix = teamKafkaTopicPrefix(team);
  return {
    topicPrefix: prefix,
    groupPrefix: prefix,
    readTopics: options.readPredictions ? [options.predictionsTopic as string] : [],
  };
}

/** Operations on the team's own topics: Strimzi's ACL names (Create and DescribeConfigs for its admin client). */
export const TEAM_TOPIC_OPERATIONS = ["Read", "Write", "Create", "Describe", "DescribeConfigs"] as const;

export interface TeamKafkaUserProps extends TeamKafkaGrantOptions {
  readonly team: string;
  readonly environment: string;
  /** The platform's Kafka namespace and `Kafka` resource name. */
  readonly kafka: StrimziNames;
  /** The cluster's listener authentication (`addons.kafka.strimzi.authentication`). */
  readonly authentication: StrimziAuthentication;
}

/** The team environment's `KafkaUser` `team-<name>-<env>`: prefixed ACLs on its topics and groups. */
export function teamKafkaUserResource(props: TeamKafkaUserProps): Record<string, unknown> {
  const grant = teamKafkaGrant(props.team, props);
  return kafkaUserResource(props.kafka, teamNamespace(props.team, props.environment), props.authentication, [
    kafkaAcl("topic", grant.topicPrefix, TEAM_TOPIC_OPERATIONS, "prefix"),
    kafkaAcl("group", grant.groupPrefix, ["Read", "Describe"], "prefix"),
    ...grant.readTopics.map((topic) => kafkaAcl("topic", topic, ["Read", "Describe"])),
  ]);
}

export interface TeamStrimziKafkaAccessProps extends TeamKafkaUserProps {
  /** The kubernetes provider of the team's stack. */
  readonly provider: KubernetesProvider;
  /** The team environment's namespace (the credentials' destination). */
  readonly namespace: CredentialsNamespace;
  /** What must exist before the Role in the Kafka namespace. @default [] */
  readonly kafkaNamespaceDependsOn?: CredentialsNamespace["dependsOn"];
}

/**
 * The team environment on the platform's Strimzi Kafka: its `KafkaUser` in the Kafka namespace, and its Secret and
 * the cluster CA copied into the team's namespace by External Secrets (the kit's one delivery: a SecretStore whose
 * reader may `get` exactly those two Secrets), so no secret value passes through Terraform.
 */
export class TeamStrimziKafkaAccess extends Construct {
  readonly kafkaUser: Manifest;
  /** The KafkaUser's name: the SCRAM user name or the TLS certificate's CN. */
  readonly userName: string;
  readonly credentials: StrimziCredentials;
  /**
   * A client's whole Kafka environment in the reference service's variable names (bootstrap address, security
   * protocol, SASL mechanism, then the credentials' user and mounted files): what a team workload sets.
   */
  readonly clientEnv: readonly EnvVar[];

  constructor(scope: Construct, id: string, props: TeamStrimziKafkaAccessProps) {
    super(scope, id);
    const manifest = (mid: string, m: Record<string, unknown>) =>
      new Manifest(this, mid, { provider: props.provider, manifest: m });
    const user = teamKafkaUserResource(props);
    this.userName = (user.metadata as { name: string }).name;
    this.kafkaUser = manifest("KafkaUser", user);
    this.credentials = deliverKafkaCredentials({
      scope: this,
      provider: props.provider,
      manifest,
      kafkaNamespace: { name: props.kafka.namespace, dependsOn: props.kafkaNamespaceDependsOn },
      targetNamespace: props.namespace,
      principal: this.userName,
      sourceClusterCaSecretName: `${props.kafka.cluster}-cluster-ca-cert`,
      scram: props.authentication === "scram-sha-512",
      idPrefix: "",
    });
    const scram = props.authentication === "scram-sha-512";
    this.clientEnv = [
      { name: SERVICE_KAFKA_ENV.brokers, value: bootstrapAddress(props.kafka) },
      { name: SERVICE_KAFKA_ENV.securityProtocol, value: scram ? "SASL_SSL" : "SSL" },
      ...(scram ? [{ name: SERVICE_KAFKA_ENV.saslMechanism, value: "SCRAM-SHA-512" }] : []),
      ...this.credentials.env,
    ];
  }
}

export interface TeamMskStatementsProps extends TeamKafkaGrantOptions {
  readonly team: string;
  readonly cluster: MskClusterRef;
  /** The team stack's account, partition and region (topic and group ARNs). */
  readonly aws: Pick<AwsContext, "arn">;
}

/**
 * The same grant on MSK, as IAM statements for the team's workload role: connect to the cluster, create, read and
 * write topics `team.<name>.*`, groups `team.<name>.*`, read the predictions topic only where allowed.
 */
export function teamMskStatements(props: TeamMskStatementsProps): DataAwsIamPolicyDocumentStatement[] {
  const grant = teamKafkaGrant(props.team, props);
  const own = `${grant.topicPrefix}*`;
  return mskAccessStatements({
    clusterArn: props.cluster.clusterArn,
    resourceArn: (type, name) => mskResourceArn(props.aws, props.cluster, type, name),
    readTopics: [own, ...grant.readTopics],
    writeTopics: [own],
    createTopics: [own],
    groups: [`${grant.groupPrefix}*`],
  });
}
