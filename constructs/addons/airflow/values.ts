import type {
  RestrictedContainerSecurityContext,
  RestrictedPodSecurityContext,
} from "../../core/pod-security";
/**
 * The values the kit gives the official Apache Airflow chart, typed. scripts/validation checks them, merged
 * with a user's `helm.values`, against the chart's values.yaml and values.schema.json in the reference data
 * (see values.md).
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

const sized = (cpu: string, memory: string, memoryLimit: string): AirflowResourceValues => ({
  requests: { cpu, memory },
  limits: { memory: memoryLimit },
});

/** The containers `addons.airflow.resources` does not size, each sized for what it runs. */
export const AIRFLOW_AUXILIARY_RESOURCES = {
  // A bash loop deleting old local log files every 15 minutes beside each component.
  logGroomer: sized("10m", "64Mi", "128Mi"),
  // `airflow db migrate` on install and upgrade: the Airflow CLI with its providers imported.
  migrateDatabase: sized("250m", "512Mi", "1Gi"),
  // statsd-exporter (Go); its series grow with DAGs and tasks, hence the headroom above the request.
  statsd: sized("20m", "64Mi", "256Mi"),
  // git-sync v4 keeping a depth-1 clone of the DAG repository.
  gitSync: sized("10m", "64Mi", "256Mi"),
  // The Celery broker (CeleryExecutor only): a queue of small task messages.
  redis: sized("50m", "128Mi", "256Mi"),
} as const;

export interface AirflowComponentValues {
  readonly replicas?: number;
  readonly resources?: AirflowResourceValues;
  readonly logGroomerSidecar?: { readonly resources: AirflowResourceValues };
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
    readonly resources?: AirflowResourceValues;
    readonly securityContexts?: AirflowComponentValues["securityContexts"];
  };
  readonly networkPolicies: { readonly enabled: boolean };
  readonly createUserJob: {
    readonly enabled: boolean;
    readonly useHelmHooks: boolean;
    readonly applyCustomEnv: boolean;
  };
  readonly migrateDatabaseJob: {
    readonly resources: AirflowResourceValues;
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
    readonly resources: AirflowResourceValues;
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
      readonly resources?: AirflowResourceValues;
      readonly securityContexts?: { readonly container: AirflowContainerSecurityContext };
    };
  };
  readonly logs: { readonly persistence: { readonly enabled: false } };
}
