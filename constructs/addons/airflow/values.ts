import type {
  RestrictedContainerSecurityContext,
  RestrictedPodSecurityContext,
} from "../../core/pod-security";
/**
 * Values keys of the official Apache Airflow chart that the kit knows, typed from the chart's values.yaml and
 * its parameters reference (see airflow-values.md for where each key was read). The chart's files are not in
 * the shared reference data, so the generic validation reports the release as unchecked and this list is the
 * check: every key the kit sets, and every key a user override sets, must be on it or below an open path.
 */

/** Pod and container security contexts (`securityContexts.pod` / `.container[s]`) the kit sets. */
export type AirflowPodSecurityContext = RestrictedPodSecurityContext<number>;

export type AirflowContainerSecurityContext = RestrictedContainerSecurityContext<number>;

export interface AirflowServiceAccountValues {
  readonly create: boolean;
  readonly name: string;
  readonly annotations: Readonly<Record<string, string>>;
}

export interface AirflowResourceValues {
  readonly requests: { readonly cpu: string; readonly memory: string };
  readonly limits: { readonly memory: string };
}

export interface AirflowComponentValues {
  readonly replicas?: number;
  readonly resources?: AirflowResourceValues;
  readonly serviceAccount?: AirflowServiceAccountValues;
  readonly securityContexts?: {
    readonly pod?: AirflowPodSecurityContext;
    readonly container?: AirflowContainerSecurityContext;
  };
  readonly persistence?: { readonly enabled: boolean };
}

export interface AirflowEnvVar {
  readonly name: string;
  readonly value: string;
}

/** The values the kit sets on the airflow chart (a typed subset of its values.yaml). */
export interface AirflowChartValues {
  readonly executor: string;
  readonly uid: number;
  readonly gid: number;
  readonly securityContexts: {
    readonly pod: AirflowPodSecurityContext;
    readonly containers: AirflowContainerSecurityContext;
  };
  readonly env: readonly AirflowEnvVar[];
  readonly data: { readonly metadataSecretName: string };
  readonly fernetKeySecretName: string;
  readonly apiSecretKeySecretName: string;
  readonly jwtSecretName: string;
  readonly webserverSecretKeySecretName: string;
  readonly postgresql: { readonly enabled: false };
  readonly pgbouncer: { readonly enabled: false };
  readonly redis: {
    readonly enabled: boolean;
    readonly securityContexts?: AirflowComponentValues["securityContexts"];
  };
  readonly networkPolicies: { readonly enabled: boolean };
  readonly createUserJob: {
    readonly enabled: boolean;
    readonly useHelmHooks: boolean;
    readonly applyCustomEnv: boolean;
  };
  readonly migrateDatabaseJob: {
    readonly useHelmHooks: boolean;
    readonly applyCustomEnv: boolean;
    readonly jobAnnotations?: Readonly<Record<string, string>>;
  };
  readonly scheduler: AirflowComponentValues;
  readonly apiServer: AirflowComponentValues & {
    readonly networkPolicy?: { readonly ingress: { readonly from: readonly unknown[] } };
  };
  readonly triggerer: AirflowComponentValues;
  readonly dagProcessor: AirflowComponentValues;
  readonly workers: AirflowComponentValues;
  readonly statsd: {
    readonly enabled: boolean;
    readonly securityContexts: {
      readonly pod: Omit<AirflowPodSecurityContext, "fsGroup">;
      readonly container: AirflowContainerSecurityContext;
    };
  };
  readonly dags: {
    readonly gitSync: {
      readonly enabled: boolean;
      readonly repo?: string;
      readonly branch?: string;
      readonly ref?: string;
      readonly subPath?: string;
      readonly period?: string;
      readonly depth?: number;
      readonly sshKeySecret?: string;
      readonly knownHosts?: string;
      readonly credentialsSecret?: string;
      readonly securityContexts?: { readonly container: AirflowContainerSecurityContext };
    };
  };
  readonly logs: { readonly persistence: { readonly enabled: false } };
}

/** Where a key was read; the full table with commits and URLs is in airflow-values.md. */
export type AirflowKeySource =
  | "values.yaml" // chart/values.yaml of apache/airflow (3.1.x defaults, the stored version nearest 1.22.0)
  | "values.yaml comment" // documented only as a commented-out example in values.yaml
  | "parameters-ref 1.22.0"; // airflow.apache.org/docs/helm-chart/1.22.0/parameters-ref.html

/** `*` stands for every component that has the key (expanded below). Paths end at a leaf or an open map. */
const COMPONENT_KEYS = [
  "enabled",
  "replicas",
  "revisionHistoryLimit",
  "command",
  "args",
  "env",
  "labels",
  "annotations",
  "podAnnotations",
  "nodeSelector",
  "affinity",
  "tolerations",
  "topologySpreadConstraints",
  "priorityClassName",
  "hostAliases",
  "resources",
  "securityContext",
  "securityContexts.pod",
  "securityContexts.container",
  "containerLifecycleHooks",
  "serviceAccount.create",
  "serviceAccount.name",
  "serviceAccount.annotations",
  "serviceAccount.automountServiceAccountToken",
  "extraContainers",
  "extraInitContainers",
  "extraVolumes",
  "extraVolumeMounts",
  "terminationGracePeriodSeconds",
  "safeToEvict",
  "strategy",
  "updateStrategy",
  "livenessProbe",
  "readinessProbe",
  "startupProbe",
  "podDisruptionBudget.enabled",
  "podDisruptionBudget.config",
  "waitForMigrations.enabled",
  "waitForMigrations.env",
  "waitForMigrations.securityContexts.container",
  "logGroomerSidecar.enabled",
  "logGroomerSidecar.retentionDays",
  "logGroomerSidecar.frequencyMinutes",
  "logGroomerSidecar.resources",
  "logGroomerSidecar.securityContexts.container",
  "persistence.enabled",
  "persistence.size",
  "persistence.storageClassName",
  "persistence.annotations",
  "persistence.fixPermissions",
  "persistence.persistentVolumeClaimRetentionPolicy",
  "keda",
  "hpa",
  "networkPolicy.ingress.from",
  "networkPolicy.ingress.ports",
  "service",
];

const COMPONENTS = ["scheduler", "apiServer", "triggerer", "dagProcessor", "workers", "webserver", "flower"];

/** Key paths (dotted) the kit accepts, each with its source. */
export const AIRFLOW_VALUE_KEYS: Readonly<Record<string, AirflowKeySource>> = {
  ...Object.fromEntries(
    COMPONENTS.flatMap((c) => COMPONENT_KEYS.map((k) => [`${c}.${k}`, "values.yaml" as const])),
  ),
  executor: "values.yaml",
  airflowVersion: "values.yaml",
  defaultAirflowRepository: "values.yaml",
  defaultAirflowTag: "values.yaml",
  defaultAirflowDigest: "values.yaml",
  images: "values.yaml",
  uid: "values.yaml",
  gid: "values.yaml",
  securityContext: "values.yaml",
  "securityContexts.pod": "values.yaml",
  "securityContexts.containers": "values.yaml",
  containerLifecycleHooks: "values.yaml",
  nodeSelector: "values.yaml",
  affinity: "values.yaml",
  tolerations: "values.yaml",
  topologySpreadConstraints: "values.yaml",
  labels: "values.yaml",
  imagePullSecrets: "values.yaml",
  ingress: "values.yaml",
  "networkPolicies.enabled": "values.yaml",
  airflowPodAnnotations: "values.yaml",
  airflowLocalSettings: "values.yaml",
  "rbac.create": "values.yaml",
  allowPodLaunching: "values.yaml",
  allowJobLaunching: "values.yaml",
  env: "values.yaml",
  volumes: "values.yaml",
  volumeMounts: "values.yaml",
  secret: "values.yaml",
  enableBuiltInSecretEnvVars: "values.yaml",
  extraSecrets: "values.yaml",
  extraConfigMaps: "values.yaml",
  extraEnv: "values.yaml",
  extraEnvFrom: "values.yaml",
  "data.metadataSecretName": "values.yaml",
  "data.resultBackendSecretName": "values.yaml",
  "data.brokerUrlSecretName": "values.yaml",
  fernetKeySecretName: "values.yaml",
  apiSecretKeySecretName: "values.yaml",
  jwtSecretName: "values.yaml",
  webserverSecretKeySecretName: "values.yaml",
  "workers.useWorkerDedicatedServiceAccounts": "values.yaml",
  "workers.kubernetes.serviceAccount": "values.yaml",
  "workers.celery.serviceAccount": "values.yaml",
  "createUserJob.enabled": "values.yaml",
  "createUserJob.useHelmHooks": "values.yaml",
  "createUserJob.applyCustomEnv": "values.yaml",
  "createUserJob.defaultUser.enabled": "parameters-ref 1.22.0",
  "migrateDatabaseJob.enabled": "values.yaml",
  "migrateDatabaseJob.useHelmHooks": "values.yaml",
  "migrateDatabaseJob.applyCustomEnv": "values.yaml",
  "migrateDatabaseJob.jobAnnotations": "values.yaml",
  "migrateDatabaseJob.resources": "values.yaml",
  "migrateDatabaseJob.securityContexts.pod": "values.yaml",
  "migrateDatabaseJob.securityContexts.container": "values.yaml",
  "migrateDatabaseJob.ttlSecondsAfterFinished": "values.yaml",
  "statsd.enabled": "values.yaml",
  "statsd.resources": "values.yaml",
  "statsd.securityContexts.pod": "values.yaml",
  "statsd.securityContexts.container": "values.yaml",
  "statsd.extraMappings": "values.yaml",
  "statsd.overrideMappings": "values.yaml",
  "statsd.podAnnotations": "values.yaml",
  "statsd.labels": "values.yaml",
  "statsd.nodeSelector": "values.yaml",
  "statsd.tolerations": "values.yaml",
  "statsd.affinity": "values.yaml",
  "pgbouncer.enabled": "values.yaml",
  "redis.enabled": "values.yaml",
  "redis.persistence": "values.yaml",
  "redis.resources": "values.yaml",
  "redis.securityContexts.pod": "values.yaml",
  "redis.securityContexts.container": "values.yaml",
  "redis.passwordSecretName": "values.yaml",
  "postgresql.enabled": "values.yaml",
  "cleanup.enabled": "values.yaml",
  "cleanup.schedule": "values.yaml",
  "cleanup.securityContexts.pod": "values.yaml",
  "cleanup.securityContexts.container": "values.yaml",
  "databaseCleanup.enabled": "values.yaml",
  "databaseCleanup.retentionDays": "values.yaml",
  "databaseCleanup.schedule": "values.yaml",
  "databaseCleanup.securityContexts.pod": "values.yaml",
  "databaseCleanup.securityContexts.container": "values.yaml",
  config: "values.yaml",
  multiNamespaceMode: "values.yaml",
  podTemplate: "values.yaml",
  "dags.mountPath": "values.yaml",
  "dags.persistence.enabled": "values.yaml",
  "dags.gitSync.enabled": "values.yaml",
  "dags.gitSync.repo": "values.yaml",
  "dags.gitSync.branch": "values.yaml",
  "dags.gitSync.rev": "values.yaml",
  "dags.gitSync.ref": "values.yaml",
  "dags.gitSync.depth": "values.yaml",
  "dags.gitSync.maxFailures": "values.yaml",
  "dags.gitSync.subPath": "values.yaml",
  "dags.gitSync.period": "values.yaml",
  "dags.gitSync.wait": "values.yaml",
  "dags.gitSync.envFrom": "values.yaml",
  "dags.gitSync.env": "values.yaml",
  "dags.gitSync.resources": "values.yaml",
  "dags.gitSync.uid": "values.yaml",
  "dags.gitSync.securityContexts.container": "values.yaml",
  "dags.gitSync.sshKeySecret": "values.yaml comment",
  "dags.gitSync.knownHosts": "values.yaml comment",
  "dags.gitSync.credentialsSecret": "values.yaml comment",
  "logs.persistence.enabled": "values.yaml",
  "logs.persistence.size": "values.yaml",
  "logs.persistence.storageClassName": "values.yaml",
  "logs.persistence.existingClaim": "values.yaml",
  "ports.apiServer": "values.yaml",
  "ports.statsdScrape": "values.yaml",
  "ports.statsdIngest": "values.yaml",
};
