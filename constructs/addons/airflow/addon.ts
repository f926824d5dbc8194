import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import type { Manifest } from "@cdktf/provider-kubernetes/lib/manifest";
import type { ITerraformDependable } from "cdktf";
import type { ServiceAccountRole } from "../../cluster/service-account-role";
import type { AddOn, AddOnContext } from "../../core/addon";
import type { AddOnDefinition } from "../../core/addon-definition";
import { CHARTS } from "../../core/charts";
import { HelmAddOn, type HelmAddOnOutputs } from "../../core/helm-addon";
import { PLATFORM_NAMESPACE_LABEL, type PlatformNamespace } from "../../core/platform-namespace";
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from "../../core/pod-security";
import { generatedSecret } from "../external-secrets/sync-secret";
import {
  AIRFLOW_CONFIG,
  type AirflowConfig,
  type AirflowConfigInput,
  airflowSharingProblem,
  gitSyncRepo,
  gitTransport,
  parseAirflowConfig,
} from "./config";
import { type AirflowDatabase, airflowDatabase, type SharedDatabaseSource } from "./database";
import {
  AIRFLOW_AUXILIARY_RESOURCES,
  type AirflowChartValues,
  type AirflowComponentValues,
  type AirflowContainerSecurityContext,
  type AirflowServiceAccountValues,
} from "./values";
import { assertNoAirflowSecretValues } from "./values-check";

export const AIRFLOW_NAMESPACE = "airflow";
export const AIRFLOW_RELEASE = "airflow";
/** The chart's image runs as uid 50000, group 0 (files in the image are group-0 writable). */
export const AIRFLOW_UID = 50000;
export const AIRFLOW_GID = 0;
/** statsd-exporter and git-sync run as the chart's own non-root users. */
const STATSD_UID = 65534;
const GIT_SYNC_UID = 65533;
export const AIRFLOW_API_PORT = 8080;
export const STATSD_SCRAPE_PORT = 9102;
/** Secret holding `fernet-key`, `api-secret-key`, `jwt-secret` and `webserver-secret-key`, the key names the chart reads. */
export const AIRFLOW_KEYS_SECRET = "airflow-keys";

/** Components that get an IRSA role for the task logs, their service account and their S3 access. */
export const AIRFLOW_LOG_ACCESS = {
  // Workers and the triggerer upload task/trigger logs; the scheduler writes logs of tasks it fails itself
  // (e.g. pods that never started); the API server only reads them for the UI.
  scheduler: { serviceAccount: "airflow-scheduler", access: "write" },
  workers: { serviceAccount: "airflow-worker", access: "write" },
  triggerer: { serviceAccount: "airflow-triggerer", access: "write" },
  apiServer: { serviceAccount: "airflow-api-server", access: "read" },
} as const;
export type AirflowLogComponent = keyof typeof AIRFLOW_LOG_ACCESS;

const DAG_PROCESSOR_SERVICE_ACCOUNT = "airflow-dag-processor";
/** Labels the chart puts on every Airflow pod (`tier`) and per component. */
const AIRFLOW_PODS = { tier: "airflow", release: AIRFLOW_RELEASE };

export interface AirflowOutputs extends HelmAddOnOutputs {
  readonly database: AirflowDatabase;
  /** IAM role per component that reads or writes task logs. */
  readonly roles: Readonly<Record<AirflowLogComponent, ServiceAccountRole>>;
  /** `s3://bucket/prefix` of the task logs. */
  readonly remoteBaseLogFolder: string;
  /** Service of the UI and REST API (`kubectl -n airflow port-forward svc/airflow-api-server 8080`). */
  readonly apiServerService: string;
  readonly serviceMonitor?: Manifest;
}

// Airflow's images write outside their volumes, so the root filesystem stays writable.
const CONTAINER_SECURITY: AirflowContainerSecurityContext = restrictedContainerSecurityContext({
  readOnlyRootFilesystem: "unset",
});

const POD_SECURITY = restrictedPodSecurityContext({
  runAsUser: AIRFLOW_UID,
  runAsGroup: AIRFLOW_GID,
  fsGroup: AIRFLOW_GID,
});

/**
 * Apache Airflow from the official chart: KubernetesExecutor (or Celery), metadata in RDS PostgreSQL, task logs
 * in the data lake through IRSA, DAGs from git-sync, Fernet/API/JWT keys generated in the cluster, StatsD
 * metrics for Prometheus. Every pod runs with a PSS-restricted security context, so the namespace enforces
 * `restricted`.
 */
export class AirflowAddOn extends HelmAddOn<AirflowOutputs> {
  readonly id: string = "airflow";
  override readonly dependsOn: readonly string[];
  protected readonly chart = CHARTS.airflow;
  protected readonly defaultNamespace = AIRFLOW_NAMESPACE;
  protected readonly defaultReleaseName = AIRFLOW_RELEASE;
  private database?: AirflowDatabase;
  private roles?: Record<AirflowLogComponent, ServiceAccountRole>;
  private logFolder?: string;

  constructor(readonly config: AirflowConfig) {
    // The metadata connection and the keys come from ExternalSecrets, which the platform applies after the
    // add-ons (their CRDs come with the operator's release): the release cannot wait for ready pods, they start
    // once the Secrets exist. `atomic` implies waiting and is turned off with it (as for MLflow). The config
    // refuses both (SECRETS_AFTER_RELEASE).
    super({ ...config.helm, wait: false, atomic: false });
    this.dependsOn = ["external-secrets", ...(config.database.shareWith ? [config.database.shareWith] : [])];
  }

  protected override beforeRelease(context: AddOnContext, namespace: PlatformNamespace): void {
    if (!context.dataLake) {
      throw new Error("airflow: remote task logs need the data lake (context.dataLake is not set)");
    }
    const { zone, prefix } = this.config.logs;
    const bucket = context.dataLake.buckets[zone];
    if (!bucket) {
      throw new Error(
        `airflow: logs.zone ${JSON.stringify(zone)} is not a data lake zone (zones: ${Object.keys(context.dataLake.buckets).join(", ")})`,
      );
    }
    this.logFolder = `s3://${bucket.bucketName}/${prefix.replace(/\/$/, "")}`;
    const shared = this.config.database.shareWith
      ? context.outputsOf<SharedDatabaseSource>(this.config.database.shareWith)
      : undefined;
    this.database = airflowDatabase(context, namespace, this.config, shared);

    const roles = {} as Record<AirflowLogComponent, ServiceAccountRole>;
    for (const [component, { serviceAccount, access }] of Object.entries(AIRFLOW_LOG_ACCESS)) {
      const doc = new DataAwsIamPolicyDocument(context.scope, `LogsPolicy-${component}`, {
        statement: context.dataLake.policyStatements(access, zone, prefix),
      });
      roles[component as AirflowLogComponent] = context.cluster.serviceAccountRole(`airflow-${component}`, {
        namespace: namespace.name,
        serviceAccount,
        mode: "irsa",
        inlinePolicies: { [`airflow-logs-${access}`]: doc.json },
      });
    }
    this.roles = roles;

    generatedSecret(context, {
      id: "Keys",
      namespace: namespace.name,
      name: AIRFLOW_KEYS_SECRET,
      keys: {
        // As the chart itself makes it (`randAlphaNum 32 | b64enc`): base64 of 32 bytes, the key Fernet wants.
        "fernet-key": { length: 32, encoding: "base64" },
        "api-secret-key": { length: 32, encoding: "hex" },
        "jwt-secret": { length: 32, encoding: "hex" },
        // Read only by Airflow 2 (the chart's `webserver`); kept so an `airflowVersion` override stays secret-free.
        "webserver-secret-key": { length: 32, encoding: "hex" },
      },
    });

    this.networkPolicies(context, namespace);
  }

  private networkPolicies(context: AddOnContext, namespace: PlatformNamespace): void {
    const platform = [{ namespaceSelector: { matchLabels: { [PLATFORM_NAMESPACE_LABEL]: "true" } } }];
    const vpc = [{ ipBlock: { cidr: context.platform.vpcCidr } }];
    const db = this.database as AirflowDatabase;
    const dbPort = [{ port: String(db.port), protocol: "TCP" }];
    // The bootstrap Job's egress comes with `postgresAppUser`.
    namespace.allowEgress("AirflowDatabase", { to: vpc, ports: dbPort }, { tier: "airflow" });
    // S3 and STS (IRSA) for the logs, the Kubernetes API for launching task pods, git over https.
    namespace.allowHttpsEgress("AirflowHttps", { tier: "airflow" });
    if (this.config.gitSync && gitTransport(this.config.gitSync.repository) === "ssh") {
      namespace.allowEgress("GitSsh", { ports: [{ port: "22", protocol: "TCP" }] }, { tier: "airflow" });
    }
    namespace.allowIngress(
      "ApiServer",
      { from: platform, ports: [{ port: String(AIRFLOW_API_PORT), protocol: "TCP" }] },
      { ...AIRFLOW_PODS, component: "api-server" },
    );
    if (context.has("monitoring")) {
      namespace.allowIngress(
        "StatsdMetrics",
        { from: platform, ports: [{ port: String(STATSD_SCRAPE_PORT), protocol: "TCP" }] },
        { ...AIRFLOW_PODS, component: "statsd" },
      );
    }
  }

  protected values(context: AddOnContext): Record<string, unknown> {
    const c = this.config;
    const roles = this.roles as Record<AirflowLogComponent, ServiceAccountRole>;
    const db = this.database as AirflowDatabase;
    const celery = c.executor === "CeleryExecutor";
    const component = (
      key: AirflowLogComponent | "dagProcessor",
      extra: Partial<AirflowComponentValues> = {},
    ): AirflowComponentValues => {
      const res = c.resources[key];
      const sa: AirflowServiceAccountValues =
        key === "dagProcessor"
          ? { create: true, name: DAG_PROCESSOR_SERVICE_ACCOUNT, annotations: {} }
          : {
              create: true,
              name: AIRFLOW_LOG_ACCESS[key].serviceAccount,
              annotations: { "eks.amazonaws.com/role-arn": roles[key].roleArn },
            };
      return {
        resources: { requests: { cpu: res.cpu, memory: res.memory }, limits: { memory: res.memory } },
        // Every component but the API server runs a log groomer beside it.
        ...(key === "apiServer"
          ? {}
          : { logGroomerSidecar: { resources: AIRFLOW_AUXILIARY_RESOURCES.logGroomer } }),
        serviceAccount: sa,
        securityContexts: { pod: POD_SECURITY, container: CONTAINER_SECURITY },
        ...extra,
      };
    };
    const git = c.gitSync;
    const values: AirflowChartValues = {
      executor: c.executor,
      uid: AIRFLOW_UID,
      gid: AIRFLOW_GID,
      securityContexts: { pod: POD_SECURITY, containers: CONTAINER_SECURITY },
      env: [
        // Task logs go to the data lake; credentials come from the pod's IRSA role (web identity), so the
        // connection has no keys, only the region.
        { name: "AIRFLOW__LOGGING__REMOTE_LOGGING", value: "True" },
        { name: "AIRFLOW__LOGGING__REMOTE_BASE_LOG_FOLDER", value: this.logFolder as string },
        { name: "AIRFLOW__LOGGING__REMOTE_LOG_CONN_ID", value: "aws_default" },
        {
          name: "AIRFLOW_CONN_AWS_DEFAULT",
          value: JSON.stringify({ conn_type: "aws", extra: { region_name: context.platform.region } }),
        },
        { name: "AWS_DEFAULT_REGION", value: context.platform.region },
      ],
      data: { metadataSecretName: db.connectionSecretName },
      fernetKeySecretName: AIRFLOW_KEYS_SECRET,
      apiSecretKeySecretName: AIRFLOW_KEYS_SECRET,
      jwtSecretName: AIRFLOW_KEYS_SECRET,
      webserverSecretKeySecretName: AIRFLOW_KEYS_SECRET,
      // External RDS instead of the bundled PostgreSQL; no PgBouncer (RDS handles the connection count).
      postgresql: { enabled: false },
      pgbouncer: { enabled: false },
      redis: celery
        ? {
            enabled: true,
            resources: AIRFLOW_AUXILIARY_RESOURCES.redis,
            securityContexts: {
              pod: restrictedPodSecurityContext({ runAsUser: 999, runAsGroup: 999, fsGroup: 999 }),
              container: CONTAINER_SECURITY,
            },
          }
        : { enabled: false },
      // NetworkPolicies are additive and the namespace already admits its own traffic, so the chart's policies
      // could not narrow anything; the kit's (default deny plus the rules above) are the ones that restrict.
      networkPolicies: { enabled: false },
      // No default admin with a password from values; create users with `airflow users create` (README).
      // Terraform applies no Helm hooks reliably, so the jobs run as plain resources (chart docs).
      createUserJob: { enabled: false, useHelmHooks: false, applyCustomEnv: false },
      migrateDatabaseJob: {
        resources: AIRFLOW_AUXILIARY_RESOURCES.migrateDatabase,
        useHelmHooks: false,
        applyCustomEnv: false,
      },
      scheduler: component("scheduler", { replicas: c.schedulerReplicas }),
      apiServer: component("apiServer", { replicas: c.apiServerReplicas }),
      // Logs are remote: no log volumes.
      triggerer: component("triggerer", { persistence: { enabled: false } }),
      dagProcessor: component("dagProcessor"),
      workers: component("workers", celery ? { persistence: { enabled: false } } : {}),
      statsd: {
        enabled: true,
        resources: AIRFLOW_AUXILIARY_RESOURCES.statsd,
        securityContexts: {
          pod: restrictedPodSecurityContext({ runAsUser: STATSD_UID, runAsGroup: STATSD_UID }),
          container: CONTAINER_SECURITY,
        },
      },
      dags: {
        gitSync: git
          ? {
              enabled: true,
              repo: gitSyncRepo(git.repository),
              branch: git.branch,
              ref: git.branch,
              subPath: git.subPath,
              period: `${git.periodInSeconds}s`,
              depth: 1,
              ...(git.sshKeySecretName ? { sshKeySecret: git.sshKeySecretName } : {}),
              ...(git.knownHosts ? { knownHosts: git.knownHosts } : {}),
              ...(git.credentialsSecretName ? { credentialsSecret: git.credentialsSecretName } : {}),
              resources: AIRFLOW_AUXILIARY_RESOURCES.gitSync,
              securityContexts: { container: { ...CONTAINER_SECURITY, runAsUser: GIT_SYNC_UID } },
            }
          : { enabled: false },
      },
      logs: { persistence: { enabled: false } },
    };
    // Plain copies: shared objects would be rendered as YAML anchors and aliases.
    return JSON.parse(JSON.stringify(values)) as Record<string, unknown>;
  }

  override renderValues(context: AddOnContext, namespace: PlatformNamespace): Record<string, unknown> {
    const merged = super.renderValues(context, namespace);
    // Typed values and user overrides alike; chart keys are checked by scripts/validation (values.md).
    assertNoAirflowSecretValues(merged);
    return merged;
  }

  // Every component reads or writes its task logs in S3 with its role.
  protected override releaseDependsOn(): readonly ITerraformDependable[] {
    return Object.values(this.roles ?? {}).flatMap((r) => r.grants);
  }

  protected override afterRelease(context: AddOnContext, outputs: HelmAddOnOutputs): AirflowOutputs {
    let serviceMonitor: Manifest | undefined;
    if (context.has("monitoring")) {
      serviceMonitor = context.manifest("ServiceMonitor-airflow-statsd", {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "ServiceMonitor",
        metadata: { name: "airflow-statsd", namespace: this.namespaceName },
        spec: {
          selector: { matchLabels: { ...AIRFLOW_PODS, component: "statsd" } },
          namespaceSelector: { matchNames: [this.namespaceName] },
          endpoints: [{ port: "statsd-scrape", path: "/metrics", interval: "30s" }],
        },
      });
    }
    return {
      ...outputs,
      database: this.database as AirflowDatabase,
      roles: this.roles as Record<AirflowLogComponent, ServiceAccountRole>,
      remoteBaseLogFolder: this.logFolder as string,
      apiServerService: `${AIRFLOW_RELEASE}-api-server`,
      serviceMonitor,
    };
  }
}

/**
 * The Airflow add-on (id `airflow`). Takes `addons.airflow` as written (defaults applied here) or already
 * parsed; bad configuration fails here with every problem listed.
 */
export function airflowAddOn(config: AirflowConfigInput | AirflowConfig = {}): AddOn<AirflowOutputs> {
  return new AirflowAddOn(parseAirflowConfig(config));
}

/** The registry entry: `addons.airflow` switches it on; a database shared with MLflow needs MLflow on. */
export const airflowDefinition = {
  id: "airflow",
  config: AIRFLOW_CONFIG,
  create: (config) => new AirflowAddOn(config as AirflowConfig),
  dependencyProblem: (dependency, config) =>
    dependency === config.database.shareWith ? airflowSharingProblem(config, { enabled: false }) : undefined,
} satisfies AddOnDefinition<typeof AIRFLOW_CONFIG>;
