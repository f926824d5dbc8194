/**
 * The cluster services the model server reaches, as real processes on loopback, set up from the synthesized
 * objects: a KRaft broker whose TLS listener authenticates the KafkaUser as Strimzi's on 9093 does (mutual TLS
 * or SCRAM-SHA-512), the KafkaUser's ACLs and the Kafka add-on's topics; the Secrets Strimzi's operators would write
 * and the copies the ExternalSecrets make of them; MLflow with the model under the name and alias of the source.
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type AclEntry,
  AclOperationTypes,
  AclPermissionTypes,
  AclResourceTypes,
  Kafka,
  logLevel,
  ResourcePatternTypes,
} from "kafkajs";
import { KafkaTestBroker } from "../../../../scripts/kafka/broker";
import { makeTlsFixtures } from "../../../../service/test/feedback/tls-fixtures";
import { MlflowRegistry, startMlflow } from "../../../../service/test/inference/mlflow-server";
import type { RunningServer } from "../../../../service/test/inference/servers";
import type { Json } from "../../../support/manifests";

export interface KafkaStandIn {
  readonly broker: KafkaTestBroker;
  /** The super user's client (setup and reading back). */
  readonly admin: Kafka;
  /** The client listener, named after its security protocol (SSL or SASL_SSL). */
  readonly listener: string;
  /** Secrets in the kafka namespace as Strimzi writes them: the cluster CA certificate and the user's password. */
  readonly strimziSecrets: Record<string, Record<string, string>>;
}

function enumValue<T>(table: Record<string, T>, name: string, what: string): T {
  const value = table[name.toUpperCase().replace(/^PREFIX$/, "PREFIXED")];
  if (value === undefined) throw new Error(`KafkaUser ACL ${what} ${JSON.stringify(name)} not mapped`);
  return value;
}

/**
 * Strimzi's principal of a KafkaUser: `CN=<name>` for mutual TLS (the subject of the certificate the User
 * Operator issues), the name itself for SCRAM.
 */
function principalOf(user: Json): string {
  return user.spec.authentication.type === "tls" ? `CN=${user.metadata.name}` : user.metadata.name;
}

/** A Strimzi KafkaUser's simple ACLs as the broker's ACL entries. */
export function kafkaUserAcls(user: Json): AclEntry[] {
  const auth = user.spec.authorization;
  if (auth?.type !== "simple")
    throw new Error(`KafkaUser authorization ${JSON.stringify(auth?.type)} not mapped`);
  return (auth.acls as Json[]).flatMap((acl) =>
    (acl.operations as string[]).map((op) => ({
      resourceType: enumValue(AclResourceTypes as never, acl.resource.type, "resource type"),
      resourceName: acl.resource.name,
      resourcePatternType: enumValue(
        ResourcePatternTypes as never,
        acl.resource.patternType ?? "literal",
        "pattern",
      ),
      principal: `User:${principalOf(user)}`,
      host: acl.host ?? "*",
      operation: enumValue(AclOperationTypes as never, op, "operation"),
      permissionType: acl.type === "deny" ? AclPermissionTypes.DENY : AclPermissionTypes.ALLOW,
    })),
  );
}

/**
 * The broker as the Strimzi cluster's TLS listener authenticates the KafkaUser (client certificates signed by
 * the cluster CA, or SCRAM-SHA-512 over TLS), with its ACLs and the platform's topics. The test reads back as
 * the broker's own super user on the PLAINTEXT listener.
 */
export async function startKafka(user: Json, topics: readonly string[]): Promise<KafkaStandIn> {
  const name = user.metadata.name as string;
  const type = user.spec.authentication?.type as string;
  if (type !== "tls" && type !== "scram-sha-512")
    throw new Error(`KafkaUser authentication ${JSON.stringify(type)} not mapped`);
  const tls = await makeTlsFixtures(name);
  const password = randomBytes(16).toString("hex");
  const listener = type === "tls" ? "SSL" : "SASL_SSL";
  const broker = await KafkaTestBroker.create({
    heapMax: "512m",
    listeners: { [listener]: listener },
    formatArgs: type === "tls" ? [] : ["--add-scram", `SCRAM-SHA-512=[name=${name},password=${password}]`],
    properties: {
      "authorizer.class.name": "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
      "allow.everyone.if.no.acl.found": false,
      // ANONYMOUS: the PLAINTEXT listener (the broker itself and the test's admin); the client listener authenticates.
      "super.users": "User:ANONYMOUS",
      "ssl.keystore.type": "PEM",
      "ssl.keystore.location": tls.brokerKeystore,
      "ssl.truststore.type": "PEM",
      "ssl.truststore.location": tls.caFile,
      ...(type === "tls"
        ? { "listener.name.ssl.ssl.client.auth": "required" }
        : {
            "listener.name.sasl_ssl.sasl.enabled.mechanisms": "SCRAM-SHA-512",
            "listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config":
              "org.apache.kafka.common.security.scram.ScramLoginModule required;",
          }),
    },
  });
  const admin = new Kafka({
    clientId: "contract-admin",
    brokers: [broker.bootstrap],
    logLevel: logLevel.NOTHING,
  });
  const a = admin.admin();
  await a.connect();
  try {
    await a.createTopics({
      waitForLeaders: true,
      topics: topics.map((topic) => ({ topic, numPartitions: 1 })),
    });
    await a.createAcls({ acl: kafkaUserAcls(user) });
  } finally {
    await a.disconnect();
  }
  const ca = await readFile(tls.caFile, "utf8");
  const cluster = user.metadata.labels["strimzi.io/cluster"] as string;
  // The Secrets Strimzi's operators write: the cluster CA certificate, and the user's credentials.
  const credentials: Record<string, string> =
    type === "tls"
      ? {
          "ca.crt": ca,
          "user.crt": await readFile(tls.clientCertFile, "utf8"),
          "user.key": await readFile(tls.clientKeyFile, "utf8"),
        }
      : { password };
  return {
    broker,
    admin,
    listener,
    strimziSecrets: { [`${cluster}-cluster-ca-cert`]: { "ca.crt": ca }, [name]: credentials },
  };
}

/** What External Secrets writes for each ExternalSecret: the listed properties of the remote Secrets. */
export function syncExternalSecrets(
  externalSecrets: readonly Json[],
  remote: Readonly<Record<string, Readonly<Record<string, string>>>>,
): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  for (const es of externalSecrets) {
    const target = (es.spec.target?.name ?? es.metadata.name) as string;
    if (es.spec.dataFrom) throw new Error(`ExternalSecret ${es.metadata.name}: dataFrom not mapped`);
    out[target] = Object.fromEntries(
      (es.spec.data as Json[]).map((d) => {
        const value = remote[d.remoteRef.key]?.[d.remoteRef.property];
        if (value === undefined)
          throw new Error(
            `ExternalSecret ${es.metadata.name}: no remote ${d.remoteRef.key}/${d.remoteRef.property}`,
          );
        return [d.secretKey, value];
      }),
    );
  }
  return out;
}

/** MLflow with `source` (models:/<name>@<alias>) registered: the committed model.onnx of `version`. */
export async function startMlflowWith(bin: string, source: string, version: string): Promise<RunningServer> {
  const m = /^models:\/([^/@]+)@([^/@]+)$/.exec(source);
  if (!m) throw new Error(`model source ${JSON.stringify(source)}: only models:/<name>@<alias> is mapped`);
  const [, name, alias] = m as unknown as [string, string, string];
  const server = await startMlflow(bin, await mkdtemp(join(tmpdir(), "serving-contract-mlflow-")));
  const registry = new MlflowRegistry(server.url);
  await registry.call("POST", "registered-models/create", { name });
  await registry.setAlias(name, alias, await registry.registerVersion(name, version));
  return server;
}
