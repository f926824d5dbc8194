/**
 * The reference service's Kafka settings the access wiring fills in: the names are the service's own
 * (`service/src/config.ts`), kept here in one place so the serving add-on and the contract test that boots the
 * service from the synthesized manifest read the same list. The access tests load the wiring's environment
 * through the service's own `loadConfig`, so a variable renamed on either side fails them.
 */
export const SERVICE_KAFKA_ENV = {
  brokers: "KAFKA_BROKERS",
  clientId: "KAFKA_CLIENT_ID",
  predictionsTopic: "KAFKA_PREDICTIONS_TOPIC",
  outcomesTopic: "KAFKA_OUTCOMES_TOPIC",
  driftTopic: "KAFKA_DRIFT_TOPIC",
  securityProtocol: "KAFKA_SECURITY_PROTOCOL",
  saslMechanism: "KAFKA_SASL_MECHANISM",
  saslUsername: "KAFKA_SASL_USERNAME",
  saslPasswordFile: "KAFKA_SASL_PASSWORD_FILE",
  sslCaFile: "KAFKA_SSL_CA_FILE",
  sslCertFile: "KAFKA_SSL_CERT_FILE",
  sslKeyFile: "KAFKA_SSL_KEY_FILE",
  /** Off: the platform owns the topics (KafkaTopics, or created by hand on MSK) and grants no Create. */
  createTopics: "KAFKA_CREATE_TOPICS",
  /**
   * The region the MSK IAM signer signs its OAUTHBEARER token for (the AWS SDK's variable too). Set by the
   * serving pod for its S3 client, so `servingAccess` does not emit it (env entries are keyed by name).
   */
  awsRegion: "AWS_REGION",
} as const;

/**
 * The service's name for each SASL mechanism the Kafka add-on reports: MSK IAM is SASL/OAUTHBEARER with a token
 * signed by AWS's signer library (`AWS_MSK_IAM` is the Java client's name for it).
 */
export const SERVICE_SASL_MECHANISM = {
  "SCRAM-SHA-512": "SCRAM-SHA-512",
  AWS_MSK_IAM: "OAUTHBEARER",
} as const;

/**
 * Where the delivered Secrets are mounted. Under `/var/run/secrets` like the service account token: a mount,
 * so the read-only root filesystem does not matter.
 */
export const KAFKA_MOUNTS = {
  clusterCa: "/var/run/secrets/kafka/cluster-ca",
  user: "/var/run/secrets/kafka/user",
} as const;

/** Keys of the Strimzi Secrets the access wiring copies (Strimzi's user and cluster CA Secrets hold more). */
export const STRIMZI_SECRET_KEYS = {
  /** `<cluster>-cluster-ca-cert`: the CA the brokers' certificates chain to. */
  clusterCa: "ca.crt",
  /** SCRAM-SHA-512 user: the generated password. */
  password: "password",
  /** mTLS user: the client certificate and its private key (PEM). */
  userCert: "user.crt",
  userKey: "user.key",
} as const;

/** The platform topics the reference service writes and reads; its ACLs and IAM grants must cover them. */
export const SERVICE_TOPICS = {
  write: ["predictions", "drift"],
  read: ["outcomes"],
} as const;

/** The service's consumer group is `<KAFKA_CLIENT_ID>-outcomes` (service/src/feedback/options.ts). */
export const consumerGroupOf = (clientId: string) => `${clientId}-outcomes`;

// Type aliases, not interfaces: they are then assignable to the engines' `Record<string, unknown>` pod fields.

/** A container `env` entry, in the Kubernetes API's shape (what KServe/Seldon custom resources take). */
export type EnvVar = {
  readonly name: string;
  readonly value: string;
};

/** A Secret volume, in the Kubernetes API's shape. */
export type SecretVolume = {
  readonly name: string;
  readonly secret: {
    readonly secretName: string;
    /** Owner and group read: the pod's `fsGroup` makes the files readable by its non-root user. */
    readonly defaultMode: number;
    readonly items: readonly { readonly key: string; readonly path: string }[];
  };
};

export type VolumeMount = {
  readonly name: string;
  readonly mountPath: string;
  readonly readOnly: true;
};

/** What a container gets: environment, Secret volumes and where they are mounted. */
export interface PodWiring {
  /** Container environment: Kafka bootstrap, client id, topics, security protocol, SASL, file paths. */
  readonly env: readonly EnvVar[];
  /** Secret volumes (Strimzi: the cluster CA and the user's credentials). */
  readonly volumes: readonly SecretVolume[];
  readonly volumeMounts: readonly VolumeMount[];
}
