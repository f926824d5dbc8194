import type { KafkaTopicInfo, ResolvedAccess } from "./topic-access";

/** What every Kafka mode hands to dependent add-ons (the reference service, MLflow, Airflow). */
export interface KafkaOutputsBase {
  readonly mode: "msk" | "strimzi";
  /** Comma-separated `host:port` list for the TLS (Strimzi) or IAM-over-TLS (MSK) listener. */
  readonly bootstrapServers: string;
  /** Kafka client `security.protocol`. */
  readonly securityProtocol: "SSL" | "SASL_SSL";
  /** Kafka client `sasl.mechanism`, when SASL is used. */
  readonly saslMechanism?: "AWS_MSK_IAM" | "SCRAM-SHA-512";
  /** Every configured topic (platform topics included), by name. */
  readonly topics: Readonly<Record<string, KafkaTopicInfo>>;
  /** Principals from `addons.kafka.access`. */
  readonly principals: readonly string[];
  /**
   * A principal's topics and consumer group prefixes, as its `KafkaUser` ACLs (Strimzi) and
   * `topicAccessStatements` (MSK) grant them; fails naming the principals when it is not in `access`.
   */
  principalAccess(principal: string): ResolvedAccess;
}
