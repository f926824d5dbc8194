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
