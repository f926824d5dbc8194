import { Construct } from "constructs";
import type { AddOnContext } from "../../core/addon";
import type { PlatformNamespace } from "../../core/platform-namespace";
import type { KafkaOutputs } from "../kafka/addon";
import { type StrimziKafkaOutputs, strimziAuthentication } from "../kafka/strimzi";
import {
  brokerPodLabels,
  type KafkaAclResourceType,
  kafkaAcl,
  kafkaUserResource,
  TLS_LISTENER_PORT,
} from "../kafka/strimzi-resources";
import { STRIMZI_SECRET_KEYS } from "./access/env";
import { type StrimziCredentials, strimziCredentials } from "./access/kafka-credentials";

/**
 * Seldon Core 2's dataflow (scheduler, model and pipeline gateways, dataflow engine: its pipelines) on the
 * platform's Strimzi Kafka. Seldon creates its topics itself (`<topicPrefix>.<namespace>.model.<m>.inputs`, …, and
 * the dataflow engine's Kafka Streams topics prefixed by its application id), so its principal `seldon` is a
 * KafkaUser of its own with prefix ACLs on `seldon` topics and groups, not one of `addons.kafka.access` (whose
 * ACLs are literal topics the platform declares). Its credentials and the cluster CA reach the serving namespace,
 * where the runtime runs, through the serving access construct's ESO delivery (no secret value in Terraform);
 * Seldon's components read them there by Secret name (security.kafka.*.secret): the data key is the basename of
 * the matching path value (components/tls: `filepath.Base(path)`).
 *
 * MSK with IAM: Seldon 2.10's Kafka clients know SASL PLAIN/SCRAM and OAUTHBEARER with an OIDC client secret
 * (`KAFKA_CLIENT_OAUTH_*`), not AWS_MSK_IAM, so on MSK Seldon runs without its dataflow (models and experiments
 * work; pipelines need Kafka). `seldonKafkaWiring` returns undefined then.
 */

/** The KafkaUser Seldon's components connect as, and the prefix of its topics and consumer groups. */
export const SELDON_KAFKA_PRINCIPAL = "seldon";
export const SELDON_KAFKA_PREFIX = "seldon";
/** The cluster CA's copy in the serving namespace (the model servers' own copy is `kafka-cluster-ca`). */
export const SELDON_KAFKA_CA_SECRET = "seldon-kafka-cluster-ca";

/** Where Seldon's components write what they read from the Secrets (their basenames are the Secrets' keys). */
export const SELDON_KAFKA_PATHS = {
  password: `/tmp/sasl/kafka/client/${STRIMZI_SECRET_KEYS.password}`,
  userKey: `/tmp/certs/kafka/client/${STRIMZI_SECRET_KEYS.userKey}`,
  userCert: `/tmp/certs/kafka/client/${STRIMZI_SECRET_KEYS.userCert}`,
  // The client store also wants a "CA" from the user Secret; it is used only when no broker CA is given (one
  // always is), so the user's own certificate stands in, written to a path of its own.
  clientCa: `/tmp/certs/kafka/client-ca/${STRIMZI_SECRET_KEYS.userCert}`,
  brokerCa: `/tmp/certs/kafka/broker/${STRIMZI_SECRET_KEYS.clusterCa}`,
} as const;

/**
 * The runtime's components that open Kafka connections, by the name Seldon's operator gives their Deployment or
 * StatefulSet and their pods' `app.kubernetes.io/name` label (SeldonConfig `default`): the dataflow engine
 * (Kafka Streams), the model and pipeline gateways, and the scheduler (all four mount `seldon-kafka`'s
 * kafka.json; the scheduler manages the pipelines' topics).
 */
export const SELDON_KAFKA_COMPONENTS = [
  "seldon-dataflow-engine",
  "seldon-modelgateway",
  "seldon-pipelinegateway",
  "seldon-scheduler",
] as const;

/** What the Seldon releases get: setup chart values, and whether the runtime runs its Kafka components. */
export interface SeldonKafkaWiring {
  readonly setupValues: Record<string, unknown>;
  readonly credentials: StrimziCredentials;
  readonly kafkaUser: Record<string, unknown>;
}

/** The KafkaUser of Seldon's components: prefix ACLs on its topics, consumer groups and transactional ids. */
export function seldonKafkaUser(kafka: StrimziKafkaOutputs): Record<string, unknown> {
  const prefix = (type: KafkaAclResourceType, operations: string[]) =>
    kafkaAcl(type, SELDON_KAFKA_PREFIX, operations, "prefix");
  return kafkaUserResource(
    { namespace: kafka.namespace.name, cluster: kafka.clusterName },
    SELDON_KAFKA_PRINCIPAL,
    strimziAuthentication(kafka),
    [
      // Seldon creates (and on pipeline deletion removes) its topics; nothing outside the prefix.
      prefix("topic", ["Read", "Write", "Create", "Delete", "Describe", "DescribeConfigs"]),
      prefix("group", ["Read", "Describe"]),
      prefix("transactionalId", ["Write", "Describe"]),
    ],
  );
}

/** seldon-core-v2-setup values for the platform Kafka with the delivered Secrets (keys from its values.yaml). */
export function seldonKafkaSetupValues(
  kafka: StrimziKafkaOutputs,
  credentials: Pick<StrimziCredentials, "userSecretName" | "clusterCaSecretName">,
): Record<string, unknown> {
  const scram = kafka.saslMechanism === "SCRAM-SHA-512";
  const broker = {
    brokerValidationSecret: credentials.clusterCaSecretName,
    brokerCaPath: SELDON_KAFKA_PATHS.brokerCa,
    // Strimzi's broker certificates name the bootstrap and broker Services: verify the host name.
    endpointIdentificationAlgorithm: "https",
  };
  return {
    kafka: {
      bootstrap: kafka.bootstrapServers,
      topicPrefix: SELDON_KAFKA_PREFIX,
      consumerGroupIdPrefix: SELDON_KAFKA_PREFIX,
    },
    security: {
      kafka: scram
        ? {
            protocol: "SASL_SSL",
            sasl: {
              mechanism: "SCRAM-SHA-512",
              client: {
                username: SELDON_KAFKA_PRINCIPAL,
                secret: credentials.userSecretName,
                passwordPath: SELDON_KAFKA_PATHS.password,
              },
            },
            ssl: { client: broker },
          }
        : {
            protocol: "SSL",
            ssl: {
              client: {
                secret: credentials.userSecretName,
                keyPath: SELDON_KAFKA_PATHS.userKey,
                crtPath: SELDON_KAFKA_PATHS.userCert,
                caPath: SELDON_KAFKA_PATHS.clientCa,
                ...broker,
              },
            },
          },
    },
  };
}

/**
 * Seldon's KafkaUser and its credentials in the serving namespace, on Strimzi; undefined on MSK (IAM, which
 * Seldon 2.10 cannot speak: no dataflow). Fails naming the keys when the principal name is taken by
 * `addons.kafka.access` or External Secrets (the delivery) is off.
 */
export function seldonKafkaWiring(
  context: AddOnContext,
  kafka: KafkaOutputs,
  namespace: PlatformNamespace,
): SeldonKafkaWiring | undefined {
  if (kafka.mode !== "strimzi") return undefined;
  if (kafka.principals.includes(SELDON_KAFKA_PRINCIPAL)) {
    throw new Error(
      `addons.kafka.access.${SELDON_KAFKA_PRINCIPAL}: got a principal named ${JSON.stringify(SELDON_KAFKA_PRINCIPAL)}; with addons.serving.engine seldon the serving add-on creates that KafkaUser (prefix ACLs on Seldon's own topics): rename the principal`,
    );
  }
  if (!context.has("external-secrets")) {
    throw new Error(
      'addons.externalSecrets.enabled: got false; with addons.serving.engine seldon on Strimzi Kafka, External Secrets delivers the KafkaUser "seldon" credentials into the serving namespace: set addons.externalSecrets.enabled: true',
    );
  }
  const kafkaUser = seldonKafkaUser(kafka);
  context.manifest("KafkaUser-seldon", kafkaUser);
  // The serving namespace denies egress by default: each component may reach the brokers' TLS listener (the
  // bootstrap Service and every per-broker address resolve to broker pods), nothing else outside.
  const brokers = {
    namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": kafka.namespace.name } },
    podSelector: {
      matchLabels: brokerPodLabels({ namespace: kafka.namespace.name, cluster: kafka.clusterName }),
    },
  };
  for (const component of SELDON_KAFKA_COMPONENTS) {
    namespace.allowEgress(
      `Kafka-${component}`,
      { to: [brokers], ports: [{ port: String(TLS_LISTENER_PORT), protocol: "TCP" }] },
      { "app.kubernetes.io/name": component },
    );
  }
  const credentials = strimziCredentials({
    context,
    scope: new Construct(context.scope, "SeldonKafka"),
    // Strimzi's User Operator writes a KafkaUser's Secret under the user's name; `userSecretName` answers only for
    // `addons.kafka.access` principals, and this user is the serving add-on's own.
    kafka: { ...kafka, userSecretName: () => SELDON_KAFKA_PRINCIPAL },
    namespace,
    principal: SELDON_KAFKA_PRINCIPAL,
    idPrefix: "SeldonKafka-",
    clusterCaSecretName: SELDON_KAFKA_CA_SECRET,
  });
  return { setupValues: seldonKafkaSetupValues(kafka, credentials), credentials, kafkaUser };
}
