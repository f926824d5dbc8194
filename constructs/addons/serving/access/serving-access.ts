import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import type { Manifest } from "@cdktf/provider-kubernetes/lib/manifest";
import type { NetworkPolicyV1 } from "@cdktf/provider-kubernetes/lib/network-policy-v1";
import { ServiceAccountV1 } from "@cdktf/provider-kubernetes/lib/service-account-v1";
import type { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import type { AddOnContext, PolicyStatement } from "../../../core/addon";
import type { IServiceAccountRole, ServiceAccountRoleMode } from "../../../core/cluster-contract";
import type { PlatformNamespace } from "../../../core/platform-namespace";
import type { KafkaOutputs } from "../../kafka/addon";
import {
  type EnvVar,
  type PodWiring,
  SERVICE_KAFKA_ENV,
  SERVICE_SASL_MECHANISM,
  type SecretVolume,
  type VolumeMount,
} from "./env";
import { type StrimziCredentials, strimziCredentials } from "./kafka-credentials";
import { type IngressSource, type ServingPodSelector, servingNetworkPolicies } from "./network";
import { checkServingAccessOptions, checkServingPrincipal, type ServingAccessProblem } from "./validate";

export interface ServingAccessOptions {
  /** The serving namespace (created by the serving add-on): policies and Secrets go here. */
  readonly namespace: PlatformNamespace;
  /** Construct id of the access scope, unique within the add-on; prefixes manifest and policy ids. @default "Access" */
  readonly id?: string;
  /** Service account the model server pods run as; created here. @default "model-server" */
  readonly serviceAccountName?: string;
  /**
   * The model server pods the NetworkPolicies select: labels and/or label keys present with any value (the
   * serving add-on's `mlops.io/serving-deployment` selects every deployment's pods and nothing else).
   */
  readonly pods: ServingPodSelector;
  /** Key prefixes of the data lake's `models` zone the pods may read (e.g. `mlflow/`); at least one. */
  readonly modelPrefixes: readonly string[];
  /** How the pods get the role: Pod Identity needs no STS egress (see network.ts). @default "pod-identity" */
  readonly roleMode?: ServiceAccountRoleMode;
  /** Ports the model server answers inference on. */
  readonly inferencePorts: readonly number[];
  /**
   * Ports Prometheus scrapes (admitted from the monitoring namespace when the monitoring add-on is present):
   * the service's HTTP port, and with Seldon its agent's metrics port too.
   */
  readonly metricsPorts: readonly number[];
  /** Namespaces (and pods) admitted to the inference ports besides the serving namespace itself. */
  readonly ingressFrom: readonly IngressSource[];
  /** The Kafka add-on's outputs; without them the pods get no Kafka wiring. @default - none */
  readonly kafka?: KafkaOutputs;
  /** The `addons.kafka.access` principal (KafkaUser, MSK grants, client id). @default "inference-service" */
  readonly kafkaPrincipal?: string;
  /** Admit egress to the MLflow tracking server. @default - whether the mlflow add-on is present */
  readonly mlflow?: boolean;
  /** Ranges inside the cluster's network, excluded from the S3 egress rule. @default [the VPC CIDR] */
  readonly clusterCidrs?: readonly string[];
  /** Group the model server container runs as: owns the 0440 credential files. @default 1000 (the service image's `node`) */
  readonly fsGroup?: number;
  /** Where errors point, e.g. `addons.serving`. @default "servingAccess" */
  readonly path?: string;
}

/** Everything the serving add-on wires into its model server pods and custom resources. */
export interface ServingAccess extends PodWiring {
  readonly serviceAccountName: string;
  readonly serviceAccount: ServiceAccountV1;
  readonly role: IServiceAccountRole;
  readonly roleArn: string;
  readonly roleMode: ServiceAccountRoleMode;
  /** What a workload using the role depends on (the role's policies, the Pod Identity association). */
  readonly grants: readonly ITerraformDependable[];
  /** The role's policy statements (S3 models prefixes, MSK topics), for review and tests. */
  readonly policyStatements: readonly PolicyStatement[];
  /** Pod `securityContext.fsGroup` that lets the non-root user read the 0440 credential files. */
  readonly fsGroup?: number;
  readonly kafka?: {
    readonly mode: "strimzi" | "msk";
    readonly principal: string;
    readonly bootstrapServers: string;
    readonly securityProtocol: "SSL" | "SASL_SSL";
    /** The Kafka add-on's name for it; `env` carries the service's (`OAUTHBEARER` for MSK IAM). */
    readonly saslMechanism?: "AWS_MSK_IAM" | "SCRAM-SHA-512";
    /** Strimzi only: the Secrets, their reader and the ESO objects. */
    readonly credentials?: StrimziCredentials;
  };
  /** Custom resources created here (applied in the resources stack, after the operators' CRDs). */
  readonly manifests: readonly Manifest[];
  readonly networkPolicies: readonly NetworkPolicyV1[];
}

/** The group the reference service image runs as (`USER node` in service/Dockerfile). */
export const SERVICE_IMAGE_GROUP = 1000;
const DEFAULT_PRINCIPAL = "inference-service";

/**
 * What a serving namespace's model servers need to reach the platform, least privilege: one IAM role (Pod
 * Identity or IRSA) for their service account that may read only the given prefixes of the models zone and, on
 * MSK, only the service's topics and consumer group; on Strimzi the principal's credentials and the cluster CA
 * delivered by External Secrets; NetworkPolicies for exactly the traffic they need. Returns the pod wiring.
 */
export function servingAccess(context: AddOnContext, options: ServingAccessOptions): ServingAccess {
  const path = options.path ?? "servingAccess";
  const problems: ServingAccessProblem[] = checkServingAccessOptions(context, options);
  const kafka = options.kafka;
  const principal = options.kafkaPrincipal ?? DEFAULT_PRINCIPAL;
  if (kafka) problems.push(...checkServingPrincipal(kafka, principal));
  if (kafka?.mode === "strimzi" && !context.has("external-secrets")) {
    problems.push({
      field: "kafka",
      value: "strimzi",
      expected:
        "the external-secrets add-on (addons.externalSecrets.enabled: true): it delivers the KafkaUser's Secrets into the serving namespace",
    });
  }
  if (problems.length > 0) {
    throw new Error(
      `Invalid ${path}:\n${problems.map((p) => `  ${path}.${p.field}: got ${JSON.stringify(p.value)}; expected ${p.expected}`).join("\n")}`,
    );
  }

  const id = options.id ?? "Access";
  const scope = new Construct(context.scope, id);
  const namespace = options.namespace;
  const serviceAccountName = options.serviceAccountName ?? "model-server";
  const roleMode = options.roleMode ?? "pod-identity";
  const lake = context.dataLake as NonNullable<AddOnContext["dataLake"]>;

  const statements: PolicyStatement[] = [
    ...options.modelPrefixes.flatMap((prefix) => lake.policyStatements("read", "models", prefix)),
    ...(kafka?.mode === "msk" ? kafka.topicAccessStatements(principal) : []),
  ];
  const document = new DataAwsIamPolicyDocument(scope, "Policy", { statement: statements });
  const role = context.cluster.serviceAccountRole(`${namespace.name}-${serviceAccountName}`, {
    namespace: namespace.name,
    serviceAccount: serviceAccountName,
    mode: roleMode,
    inlinePolicies: { "serving-access": document.json },
    tags: { ...context.platform.tags, "mlops.io/component": "serving" },
  });
  const serviceAccount = new ServiceAccountV1(scope, "ServiceAccount", {
    provider: context.cluster.kubernetesProvider,
    metadata: {
      name: serviceAccountName,
      namespace: namespace.name,
      ...(roleMode === "irsa" ? { annotations: { "eks.amazonaws.com/role-arn": role.roleArn } } : {}),
    },
    // The model server does not call the Kubernetes API; the role's web identity token is a separate volume.
    automountServiceAccountToken: false,
    dependsOn: [namespace.resource],
  });

  const env: EnvVar[] = [];
  const volumes: SecretVolume[] = [];
  const volumeMounts: VolumeMount[] = [];
  const manifests: Manifest[] = [];
  let credentials: StrimziCredentials | undefined;
  if (kafka) {
    const topics = { predictions: "predictions", drift: "drift", outcomes: "outcomes" } as const;
    env.push(
      { name: SERVICE_KAFKA_ENV.brokers, value: kafka.bootstrapServers },
      // The service's consumer group is `<client id>-outcomes`: under the principal's group prefix.
      { name: SERVICE_KAFKA_ENV.clientId, value: principal },
      { name: SERVICE_KAFKA_ENV.predictionsTopic, value: topics.predictions },
      { name: SERVICE_KAFKA_ENV.outcomesTopic, value: topics.outcomes },
      { name: SERVICE_KAFKA_ENV.driftTopic, value: topics.drift },
      { name: SERVICE_KAFKA_ENV.createTopics, value: "false" },
      { name: SERVICE_KAFKA_ENV.securityProtocol, value: kafka.securityProtocol },
      ...(kafka.saslMechanism
        ? [{ name: SERVICE_KAFKA_ENV.saslMechanism, value: SERVICE_SASL_MECHANISM[kafka.saslMechanism] }]
        : []),
    );
    // MSK: the signer also needs AWS_REGION, which the serving pod already sets for its S3 client; not repeated
    // here, since KServe's and Seldon's CRDs key a container's env by name and refuse a duplicate.
    if (kafka.mode === "strimzi") {
      credentials = strimziCredentials({ context, scope, kafka, namespace, principal, idPrefix: `${id}-` });
      env.push(...credentials.env);
      volumes.push(...credentials.volumes);
      volumeMounts.push(...credentials.volumeMounts);
      manifests.push(credentials.secretStore, ...credentials.externalSecrets);
    }
  }

  const networkPolicies = servingNetworkPolicies({
    scope: new Construct(scope, "NetworkPolicies"),
    provider: context.cluster.kubernetesProvider,
    namespace,
    // Policy names: allow-<ingress|egress>-serving-… for the default id, else the id lower-cased.
    name: id === "Access" ? "serving" : id.toLowerCase(),
    pods: options.pods,
    inferencePorts: options.inferencePorts,
    metricsPorts: options.metricsPorts,
    ingressFrom: options.ingressFrom,
    monitoring: context.has("monitoring"),
    kafka,
    mlflow: options.mlflow ?? context.has("mlflow"),
    roleMode,
    vpcCidr: context.platform.vpcCidr,
    clusterCidrs: options.clusterCidrs ?? [context.platform.vpcCidr],
  });

  return {
    serviceAccountName,
    serviceAccount,
    role,
    roleArn: role.roleArn,
    roleMode,
    grants: role.grants,
    policyStatements: statements,
    env,
    volumes,
    volumeMounts,
    fsGroup: volumes.length > 0 ? (options.fsGroup ?? SERVICE_IMAGE_GROUP) : undefined,
    kafka: kafka && {
      mode: kafka.mode,
      principal,
      bootstrapServers: kafka.bootstrapServers,
      securityProtocol: kafka.securityProtocol,
      saslMechanism: kafka.saslMechanism,
      credentials,
    },
    manifests,
    networkPolicies,
  };
}
