import type { Manifest } from "@cdktf/provider-kubernetes/lib/manifest";
import type { KubernetesProvider } from "@cdktf/provider-kubernetes/lib/provider";
import { RoleBindingV1 } from "@cdktf/provider-kubernetes/lib/role-binding-v1";
import { RoleV1 } from "@cdktf/provider-kubernetes/lib/role-v1";
import { ServiceAccountV1 } from "@cdktf/provider-kubernetes/lib/service-account-v1";
import type { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import type { AddOnContext } from "../../../core/addon";
import type { PlatformNamespace } from "../../../core/platform-namespace";
import { EXTERNAL_SECRET_API } from "../../external-secrets/sync-secret";
import type { StrimziKafkaOutputs } from "../../kafka/strimzi";
import {
  type EnvVar,
  KAFKA_MOUNTS,
  type PodWiring,
  SERVICE_KAFKA_ENV,
  type SecretVolume,
  STRIMZI_SECRET_KEYS,
  type VolumeMount,
} from "./env";

/** How often ESO re-reads the Strimzi Secrets: a renewed CA or user certificate reaches the pods within it. */
export const KAFKA_SECRET_REFRESH = "1h";
/** Files of the delivered Secrets: owner and group read (0440); the pod's fsGroup owns them. */
export const SECRET_FILE_MODE = 0o440;

export interface StrimziCredentialsProps {
  readonly context: AddOnContext;
  /** Where the Kubernetes resources go (the access construct). */
  readonly scope: Construct;
  readonly kafka: StrimziKafkaOutputs;
  /** The serving namespace: the Secrets, the SecretStore and its service account live here. */
  readonly namespace: PlatformNamespace;
  /** The `addons.kafka.access` principal the workload connects as (its KafkaUser). */
  readonly principal: string;
  /** Prefix of the manifest ids (unique per add-on). */
  readonly idPrefix: string;
  /** Name of the CA copy in the serving namespace (unique per caller there). @default "kafka-cluster-ca" */
  readonly clusterCaSecretName?: string;
}

/** What the serving namespace gets: Secret names, what reads them, and the pod-side wiring. */
export interface StrimziCredentials extends PodWiring {
  /** Secret (serving namespace) with the cluster CA, key `ca.crt`. */
  readonly clusterCaSecretName: string;
  /** Secret (serving namespace) with the user's `password` (SCRAM) or `user.crt`/`user.key` (mTLS). */
  readonly userSecretName: string;
  /** The Secrets they are copied from, in the Kafka namespace: exactly what the reader's Role may `get`. */
  readonly sourceSecretNames: readonly [string, string];
  /** Service account (serving namespace) the SecretStore authenticates as. */
  readonly readerServiceAccountName: string;
  readonly role: RoleV1;
  readonly roleBinding: RoleBindingV1;
  readonly secretStore: Manifest;
  readonly externalSecrets: readonly Manifest[];
}

/** A namespace the delivery puts objects into, and what must exist before (the namespace resource). */
export interface CredentialsNamespace {
  readonly name: string;
  readonly dependsOn?: readonly ITerraformDependable[];
}

/**
 * The delivery of one `KafkaUser`'s Secret and the cluster CA into another namespace, in plain names, for callers
 * outside an add-on (a team environment's stack reads the platform by name, not through add-on outputs).
 */
export interface KafkaCredentialsDeliveryProps {
  /** Where the Kubernetes resources go. */
  readonly scope: Construct;
  readonly provider: KubernetesProvider;
  /** Creates a custom resource (`SecretStore`, `ExternalSecret`), e.g. `AddOnContext.manifest`. */
  readonly manifest: (id: string, manifest: Record<string, unknown>) => Manifest;
  /** The Kafka namespace, holding the Secrets Strimzi writes. */
  readonly kafkaNamespace: CredentialsNamespace;
  /** The workload's namespace: the copies, the SecretStore and its service account live here. */
  readonly targetNamespace: CredentialsNamespace;
  /** The KafkaUser's name: the SCRAM user name and the Secret Strimzi writes. */
  readonly principal: string;
  /** Secret (Kafka namespace) with the user's credentials. @default - the principal (Strimzi's User Operator's name) */
  readonly sourceUserSecretName?: string;
  /** Secret (Kafka namespace) with the cluster CA, `<cluster>-cluster-ca-cert`. */
  readonly sourceClusterCaSecretName: string;
  /** SCRAM-SHA-512 (a password) or mutual TLS (a certificate and key). */
  readonly scram: boolean;
  /** Prefix of the manifest ids (unique per caller in its stack). */
  readonly idPrefix: string;
  /** Name of the CA copy in the target namespace (unique per caller there). @default "kafka-cluster-ca" */
  readonly clusterCaSecretName?: string;
}

/**
 * Delivers a Strimzi `KafkaUser`'s credentials and the cluster CA into the serving namespace without a secret
 * value passing through Terraform: a namespaced `SecretStore` of ESO's Kubernetes provider authenticates as a
 * service account of the serving namespace, whose Role in the Kafka namespace may `get` exactly the two Secrets
 * (resourceNames), and two `ExternalSecret`s copy only the keys a client needs.
 */
export function strimziCredentials(props: StrimziCredentialsProps): StrimziCredentials {
  const { context, kafka, namespace, principal } = props;
  return deliverKafkaCredentials({
    scope: props.scope,
    provider: context.cluster.kubernetesProvider,
    manifest: (id, manifest) => context.manifest(id, manifest),
    kafkaNamespace: { name: kafka.namespace.name, dependsOn: [kafka.namespace.resource] },
    targetNamespace: { name: namespace.name, dependsOn: [namespace.resource] },
    principal,
    sourceUserSecretName: kafka.userSecretName(principal),
    sourceClusterCaSecretName: kafka.clusterCaSecretName,
    scram: kafka.saslMechanism === "SCRAM-SHA-512",
    idPrefix: props.idPrefix,
    clusterCaSecretName: props.clusterCaSecretName,
  });
}

/** `strimziCredentials` in plain names (see `KafkaCredentialsDeliveryProps`): the one ESO delivery of the kit. */
export function deliverKafkaCredentials(props: KafkaCredentialsDeliveryProps): StrimziCredentials {
  const { principal, scram } = props;
  const servingNs = props.targetNamespace.name;
  const kafkaNs = props.kafkaNamespace.name;
  const sourceUser = props.sourceUserSecretName ?? principal;
  const sourceCa = props.sourceClusterCaSecretName;
  const storeName = `kafka-${principal}`;
  const readerName = `${storeName}-reader`;
  const clusterCaSecretName = props.clusterCaSecretName ?? "kafka-cluster-ca";
  const userSecretName = `kafka-user-${principal}`;
  // One Role per target namespace and principal, in the Kafka namespace where the Secrets are.
  const roleName = `${servingNs}-${readerName}`;
  const provider = props.provider;
  const scope = new Construct(props.scope, "KafkaCredentials");

  const reader = new ServiceAccountV1(scope, "ReaderServiceAccount", {
    provider,
    metadata: { name: readerName, namespace: servingNs },
    // Only ESO's controller uses it, through the TokenRequest API; no pod mounts it.
    automountServiceAccountToken: false,
    dependsOn: [...(props.targetNamespace.dependsOn ?? [])],
  });
  const role = new RoleV1(scope, "ReaderRole", {
    provider,
    metadata: { name: roleName, namespace: kafkaNs },
    // `get` only, on exactly these two names: not the other principals' Secrets, not the CA's private key.
    // ESO's store validation (SelfSubjectRulesReview, else SelfSubjectAccessReview) needs no grant here:
    // Kubernetes' system:basic-user role lets every authenticated subject create both.
    rule: [
      { apiGroups: [""], resources: ["secrets"], verbs: ["get"], resourceNames: [sourceUser, sourceCa] },
    ],
    dependsOn: [...(props.kafkaNamespace.dependsOn ?? [])],
  });
  const roleBinding = new RoleBindingV1(scope, "ReaderRoleBinding", {
    provider,
    metadata: { name: roleName, namespace: kafkaNs },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: role.metadata.name },
    subject: [{ kind: "ServiceAccount", name: reader.metadata.name, namespace: servingNs }],
  });

  const secretStore = props.manifest(`${props.idPrefix}SecretStore-${storeName}`, {
    apiVersion: EXTERNAL_SECRET_API,
    kind: "SecretStore",
    metadata: { name: storeName, namespace: servingNs },
    spec: {
      provider: {
        kubernetes: {
          remoteNamespace: kafkaNs,
          server: {
            url: "https://kubernetes.default.svc",
            // Every namespace has this ConfigMap (the API server's CA), so no CA is copied either.
            caProvider: { type: "ConfigMap", name: "kube-root-ca.crt", key: "ca.crt" },
          },
          auth: { serviceAccount: { name: readerName } },
        },
      },
    },
  });

  const copy = (name: string, source: string, keys: readonly string[]) =>
    props.manifest(`${props.idPrefix}ExternalSecret-${name}`, {
      apiVersion: EXTERNAL_SECRET_API,
      kind: "ExternalSecret",
      metadata: { name, namespace: servingNs },
      spec: {
        refreshInterval: KAFKA_SECRET_REFRESH,
        secretStoreRef: { name: storeName, kind: "SecretStore" },
        target: { name, creationPolicy: "Owner", deletionPolicy: "Retain" },
        data: keys.map((key) => ({ secretKey: key, remoteRef: { key: source, property: key } })),
      },
    });
  const userKeys = scram
    ? [STRIMZI_SECRET_KEYS.password]
    : [STRIMZI_SECRET_KEYS.userCert, STRIMZI_SECRET_KEYS.userKey];
  const externalSecrets = [
    copy(clusterCaSecretName, sourceCa, [STRIMZI_SECRET_KEYS.clusterCa]),
    copy(userSecretName, sourceUser, userKeys),
  ];

  const volume = (name: string, secretName: string, keys: readonly string[]): SecretVolume => ({
    name,
    secret: {
      secretName,
      defaultMode: SECRET_FILE_MODE,
      items: keys.map((key) => ({ key, path: key })),
    },
  });
  const volumes = [
    volume("kafka-cluster-ca", clusterCaSecretName, [STRIMZI_SECRET_KEYS.clusterCa]),
    volume("kafka-user", userSecretName, userKeys),
  ];
  const volumeMounts: VolumeMount[] = [
    { name: "kafka-cluster-ca", mountPath: KAFKA_MOUNTS.clusterCa, readOnly: true },
    { name: "kafka-user", mountPath: KAFKA_MOUNTS.user, readOnly: true },
  ];
  const file = (dir: string, key: string) => `${dir}/${key}`;
  const env: EnvVar[] = [
    {
      name: SERVICE_KAFKA_ENV.sslCaFile,
      value: file(KAFKA_MOUNTS.clusterCa, STRIMZI_SECRET_KEYS.clusterCa),
    },
    ...(scram
      ? [
          { name: SERVICE_KAFKA_ENV.saslUsername, value: principal },
          {
            name: SERVICE_KAFKA_ENV.saslPasswordFile,
            value: file(KAFKA_MOUNTS.user, STRIMZI_SECRET_KEYS.password),
          },
        ]
      : [
          {
            name: SERVICE_KAFKA_ENV.sslCertFile,
            value: file(KAFKA_MOUNTS.user, STRIMZI_SECRET_KEYS.userCert),
          },
          {
            name: SERVICE_KAFKA_ENV.sslKeyFile,
            value: file(KAFKA_MOUNTS.user, STRIMZI_SECRET_KEYS.userKey),
          },
        ]),
  ];
  return {
    clusterCaSecretName,
    userSecretName,
    sourceSecretNames: [sourceUser, sourceCa],
    readerServiceAccountName: readerName,
    role,
    roleBinding,
    secretStore,
    externalSecrets,
    env,
    volumes,
    volumeMounts,
  };
}
