import type { Manifest } from "@cdktf/provider-kubernetes/lib/manifest";
import { RoleBindingV1 } from "@cdktf/provider-kubernetes/lib/role-binding-v1";
import { RoleV1 } from "@cdktf/provider-kubernetes/lib/role-v1";
import { ServiceAccountV1 } from "@cdktf/provider-kubernetes/lib/service-account-v1";
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

/**
 * Delivers a Strimzi `KafkaUser`'s credentials and the cluster CA into the serving namespace without a secret
 * value passing through Terraform: a namespaced `SecretStore` of ESO's Kubernetes provider authenticates as a
 * service account of the serving namespace, whose Role in the Kafka namespace may `get` exactly the two Secrets
 * (resourceNames), and two `ExternalSecret`s copy only the keys a client needs.
 */
export function strimziCredentials(props: StrimziCredentialsProps): StrimziCredentials {
  const { context, kafka, namespace, principal } = props;
  const servingNs = namespace.name;
  const kafkaNs = kafka.namespace.name;
  const scram = kafka.saslMechanism === "SCRAM-SHA-512";
  const sourceUser = kafka.userSecretName(principal);
  const sourceCa = kafka.clusterCaSecretName;
  const storeName = `kafka-${principal}`;
  const readerName = `${storeName}-reader`;
  const clusterCaSecretName = props.clusterCaSecretName ?? "kafka-cluster-ca";
  const userSecretName = `kafka-user-${principal}`;
  // One Role per serving namespace and principal, in the Kafka namespace where the Secrets are.
  const roleName = `${servingNs}-${readerName}`;
  const provider = context.cluster.kubernetesProvider;
  const scope = new Construct(props.scope, "KafkaCredentials");

  const reader = new ServiceAccountV1(scope, "ReaderServiceAccount", {
    provider,
    metadata: { name: readerName, namespace: servingNs },
    // Only ESO's controller uses it, through the TokenRequest API; no pod mounts it.
    automountServiceAccountToken: false,
    dependsOn: [namespace.resource],
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
    dependsOn: [kafka.namespace.resource],
  });
  const roleBinding = new RoleBindingV1(scope, "ReaderRoleBinding", {
    provider,
    metadata: { name: roleName, namespace: kafkaNs },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: role.metadata.name },
    subject: [{ kind: "ServiceAccount", name: reader.metadata.name, namespace: servingNs }],
  });

  const secretStore = context.manifest(`${props.idPrefix}SecretStore-${storeName}`, {
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
    context.manifest(`${props.idPrefix}ExternalSecret-${name}`, {
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
