import { closest } from "../../config/errors";
import { CHARTS } from "../core/charts";

/**
 * Values keys of the official Apache Airflow chart that the kit knows, typed from the chart's values.yaml and
 * its parameters reference (see airflow-values.md for where each key was read). The chart's files are not in
 * the shared reference data, so the generic validation reports the release as unchecked and this list is the
 * check: every key the kit sets, and every key a user override sets, must be on it or below an open path.
 */

/** Pod and container security contexts (`securityContexts.pod` / `.container[s]`) the kit sets. */
export interface AirflowPodSecurityContext {
  readonly runAsNonRoot: boolean;
  readonly runAsUser: number;
  readonly runAsGroup: number;
  readonly fsGroup?: number;
  readonly seccompProfile: { readonly type: "RuntimeDefault" };
}

export interface AirflowContainerSecurityContext {
  readonly allowPrivilegeEscalation: false;
  readonly capabilities: { readonly drop: readonly ["ALL"] };
  readonly runAsNonRoot: true;
  readonly runAsUser?: number;
  readonly seccompProfile?: { readonly type: "RuntimeDefault" };
}

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

/**
 * A listed key without listed children is open: its content is not chart-defined (airflow.cfg sections in
 * `config`, Kubernetes objects passed through verbatim such as `resources`, `affinity`, security contexts and
 * probes, free maps such as labels and annotations), so anything below it is accepted.
 */
export interface ValuesKeyProblem {
  readonly path: string;
  readonly message: string;
}

const KNOWN = new Set(Object.keys(AIRFLOW_VALUE_KEYS));
/** Every proper prefix of a listed key: the maps whose children are checked. */
const PARENTS = new Set(
  [...KNOWN].flatMap((k) =>
    k
      .split(".")
      .slice(0, -1)
      .map((_, i, a) => a.slice(0, i + 1).join(".")),
  ),
);

function childKeys(prefix: string): string[] {
  const depth = prefix ? prefix.split(".").length : 0;
  const under = [...KNOWN].filter((k) => (prefix ? k.startsWith(`${prefix}.`) : true));
  return [...new Set(under.map((k) => k.split(".")[depth] as string))].sort();
}

function isMap(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** Every key path of `values` that the Airflow chart does not have (by the recorded key list). */
export function airflowValuesKeyProblems(values: Record<string, unknown>): ValuesKeyProblem[] {
  const chart = `${CHARTS.airflow.chart} ${CHARTS.airflow.version}`;
  const out: ValuesKeyProblem[] = [];
  const walk = (node: Record<string, unknown>, prefix: string) => {
    for (const [key, value] of Object.entries(node)) {
      const path = prefix ? `${prefix}.${key}` : key;
      if (PARENTS.has(path) && isMap(value)) walk(value, path);
      else if (KNOWN.has(path)) continue;
      else {
        const siblings = childKeys(prefix);
        const guess = closest(key, siblings);
        const suggestion = guess
          ? `; did you mean ${JSON.stringify(prefix ? `${prefix}.${guess}` : guess)}?`
          : "";
        const known = `${siblings.slice(0, 15).join(", ")}${siblings.length > 15 ? ", …" : ""}`;
        out.push({
          path,
          message: `chart ${chart}: unknown values key ${JSON.stringify(path)}${suggestion} (known keys at ${prefix || "the top level"}: ${known})`,
        });
      }
    }
  };
  walk(values, "");
  return out;
}

/**
 * Chart keys whose value is a secret (values.yaml): the kit provides each through a Secret name instead, and a
 * user override must not put one back into Helm values (and so into Terraform state and plans).
 */
export const AIRFLOW_SECRET_VALUE_KEYS = [
  "fernetKey",
  "apiSecretKey",
  "jwtSecret",
  "webserverSecretKey",
  "data.metadataConnection",
  "data.resultBackendConnection",
  "data.brokerUrl",
  "redis.password",
  "flower.password",
  "webserver.defaultUser.password",
  "createUserJob.defaultUser.password",
  "dags.gitSync.sshKey",
  "kerberos.keytabBase64Content",
  "registry.connection",
  "elasticsearch.connection",
  "opensearch.connection",
  "pgbouncer.ssl.key",
  "postgresql.auth.password",
  "postgresql.auth.postgresPassword",
] as const;

/** airflow.cfg options (`config.<section>.<option>`) and env var names that hold credentials. */
const SECRET_OPTION =
  /(password|passwd|secret(_key)?|token|fernet_key|sql_alchemy_conn|broker_url|result_backend|_conn)$/i;
/** Airflow's indirections name a command or a secrets backend entry, not the secret itself. */
const INDIRECTION = /(_cmd|_secret)$/i;

/** Every place in `values` where a secret would be written into Helm values. */
export function airflowSecretValueProblems(values: Record<string, unknown>): ValuesKeyProblem[] {
  const chart = `${CHARTS.airflow.chart} ${CHARTS.airflow.version}`;
  const out: ValuesKeyProblem[] = [];
  const at = (path: string): unknown =>
    path.split(".").reduce<unknown>((v, k) => (isMap(v) ? v[k] : undefined), values);
  for (const path of AIRFLOW_SECRET_VALUE_KEYS) {
    const v = at(path);
    if (v !== undefined && v !== null && v !== "" && !(isMap(v) && Object.keys(v).length === 0)) {
      out.push({
        path,
        message: `chart ${chart}: values key ${JSON.stringify(path)} would put a secret into Helm values; the kit provides it through a Secret (see the Airflow README)`,
      });
    }
  }
  const config = values.config;
  if (isMap(config)) {
    for (const [section, options] of Object.entries(config)) {
      if (!isMap(options)) continue;
      for (const option of Object.keys(options)) {
        if (SECRET_OPTION.test(option) && !INDIRECTION.test(option)) {
          out.push({
            path: `config.${section}.${option}`,
            message: `chart ${chart}: airflow.cfg option [${section}] ${option} holds a credential; pass it from a Secret (values key "secret" or "extraEnvFrom") or use ${option}_secret / ${option}_cmd`,
          });
        }
      }
    }
  }
  const env = values.env;
  if (Array.isArray(env)) {
    for (const [i, e] of env.entries()) {
      const name = isMap(e) && typeof e.name === "string" ? e.name : "";
      const value = isMap(e) && typeof e.value === "string" ? e.value : "";
      // A connection URI with a password (`scheme://user:pass@host`) or a JSON connection with one.
      const credentialConnection =
        /^AIRFLOW_CONN_/.test(name) &&
        (/:\/\/[^/@\s]*:[^/@\s]+@/.test(value) || /"(password|aws_secret_access_key)"\s*:/i.test(value));
      const secretName = SECRET_OPTION.test(name) && !INDIRECTION.test(name) && isMap(e) && "value" in e;
      if (name && (secretName || credentialConnection)) {
        out.push({
          path: `env[${i}]`,
          message: `chart ${chart}: env ${name} holds a credential as a plain value; use the values key "secret" (envName, secretName, secretKey) instead`,
        });
      }
    }
  }
  return out;
}

/** Throws one error listing every unknown key and every secret value, naming the chart. */
export function assertAirflowValueKeys(values: Record<string, unknown>): void {
  const problems = [...airflowValuesKeyProblems(values), ...airflowSecretValueProblems(values)];
  if (problems.length > 0) {
    throw new Error(
      `invalid Helm values for chart ${CHARTS.airflow.chart} ${CHARTS.airflow.version}:\n${problems.map((p) => `  - ${p.message}`).join("\n")}`,
    );
  }
}
