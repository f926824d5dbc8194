import type { KubernetesProvider } from "@cdktf/provider-kubernetes/lib/provider";
import type { ITerraformDependable } from "cdktf";
import type { Construct } from "constructs";
import type { KubeflowPipelinesConfig } from "./config";
import type { KfpImages } from "./images";
import {
  type DbConnection,
  KFP_LABELS,
  KFP_PORTS,
  KFP_SERVICE_ACCOUNTS,
  METADATA_DB,
  PIPELINE_DB,
} from "./names";
import { account, component, type Env, env, fieldEnv, rule, secretEnv } from "./workloads";

// Re-exported: the add-on and its index import these from here.
export { type DbConnection, KFP_LABELS, KFP_PORTS, KFP_SERVICE_ACCOUNTS, METADATA_DB, PIPELINE_DB };

/**
 * The KFP components the platform runs, as typed resources. Each mirrors the upstream kustomize base of the
 * pinned release (`manifests/kustomize/base/pipeline/*`, `base/metadata/base/*`); what differs and why:
 * - no MinIO/SeaweedFS: the object store is the data-lake bucket over HTTPS, credentials from IRSA (no
 *   `mlpipeline-minio-artifact` secret, no OBJECTSTORECONFIG_ACCESSKEY/SECRETACCESSKEY, no MINIO_* env);
 * - no `wait-for-*` init containers (an extra alpine image per pod): startup probes give the same grace;
 * - PSS `restricted` contexts on every pod and container, limits next to the upstream requests;
 * - RBAC trimmed to what single-user KFP on Argo needs (no Tekton, Seldon, viewer CRD rules; the UI gets no
 *   `secrets` access, which only served the MinIO keys).
 */

export interface ComponentsInput {
  readonly provider: KubernetesProvider;
  readonly namespace: string;
  readonly config: KubeflowPipelinesConfig;
  readonly images: KfpImages;
  readonly db: DbConnection;
  readonly region: string;
  readonly bucket: string;
  readonly prefix: string;
  readonly roleArns: { readonly apiServer: string; readonly pipelineRunner: string; readonly ui: string };
  readonly dependsOn: ITerraformDependable[];
}

function dbEnv(db: DbConnection, prefix: "DBCONFIG_MYSQLCONFIG" | "DBCONFIG"): Env[] {
  const user =
    "fromSecret" in db.username
      ? secretEnv(`${prefix}_USER`, db.secretName, "username")
      : env(`${prefix}_USER`, db.username.value);
  return [user, secretEnv(`${prefix}_PASSWORD`, db.secretName, "password")];
}

/** AWS SDK settings every S3-using pod gets explicitly; the IRSA webhook adds AWS_ROLE_ARN and the token. */
export const awsEnv = (region: string): Env[] => [
  env("AWS_REGION", region),
  env("AWS_DEFAULT_REGION", region),
  env("AWS_STS_REGIONAL_ENDPOINTS", "regional"),
];

export function kfpComponents(scope: Construct, i: ComponentsInput) {
  const { provider, namespace, config, images } = i;
  const r = config.resources;
  const base = { provider, namespace, dependsOn: i.dependsOn };
  const sa = KFP_SERVICE_ACCOUNTS;
  const s3Host = `s3.${i.region}.amazonaws.com`;

  const accounts = {
    apiServer: account(scope, "ApiServer", {
      ...base,
      name: sa.apiServer,
      roleArn: i.roleArns.apiServer,
      rules: [
        rule([""], ["pods", "pods/log"], ["get", "list", "delete"]),
        rule([""], ["configmaps"], ["get", "list", "watch"]),
        rule(["argoproj.io"], ["workflows"], ["create", "get", "list", "watch", "update", "patch", "delete"]),
        rule(
          ["kubeflow.org"],
          ["scheduledworkflows"],
          ["create", "get", "list", "update", "patch", "delete"],
        ),
      ],
    }),
    persistenceAgent: account(scope, "PersistenceAgent", {
      ...base,
      name: sa.persistenceAgent,
      rules: [
        rule(["argoproj.io"], ["workflows"], ["get", "list", "watch"]),
        rule(["kubeflow.org"], ["scheduledworkflows"], ["get", "list", "watch"]),
        rule(["pipelines.kubeflow.org"], ["scheduledworkflows", "workflows"], ["report"]),
        rule(["pipelines.kubeflow.org"], ["runs"], ["reportMetrics", "readArtifact"]),
      ],
    }),
    scheduledWorkflow: account(scope, "ScheduledWorkflow", {
      ...base,
      name: sa.scheduledWorkflow,
      rules: [
        rule(["argoproj.io"], ["workflows"], ["create", "get", "list", "watch", "update", "patch", "delete"]),
        rule(
          ["kubeflow.org"],
          ["scheduledworkflows", "scheduledworkflows/finalizers"],
          ["create", "get", "list", "watch", "update", "patch", "delete"],
        ),
        rule(["pipelines.kubeflow.org"], ["runs"], ["create"]),
        rule(["pipelines.kubeflow.org"], ["pipelines"], ["get"]),
        rule([""], ["events"], ["create", "patch"]),
      ],
    }),
    metadataWriter: account(scope, "MetadataWriter", {
      ...base,
      name: sa.metadataWriter,
      rules: [
        rule([""], ["pods"], ["get", "list", "watch", "update", "patch"]),
        rule([""], ["configmaps"], ["get"]),
        rule(["argoproj.io"], ["workflows"], ["get", "list", "watch", "update", "patch"]),
      ],
    }),
    metadataGrpc: account(scope, "MetadataGrpc", { ...base, name: sa.metadataGrpc, rules: [] }),
    // Every pipeline step (driver, launcher, user code, Argo's wait container) runs as this account.
    pipelineRunner: account(scope, "PipelineRunner", {
      ...base,
      name: sa.pipelineRunner,
      roleArn: i.roleArns.pipelineRunner,
      rules: [
        rule([""], ["secrets"], ["get"]),
        rule([""], ["configmaps"], ["get", "watch", "list"]),
        rule([""], ["persistentvolumeclaims"], ["create", "get", "list", "watch", "delete"]),
        rule([""], ["pods", "pods/log"], ["get", "list", "watch", "patch"]),
        rule(
          ["argoproj.io"],
          ["workflows", "workflowtaskresults", "workflowtasksets", "workflowtasksets/status"],
          ["get", "create", "patch", "watch", "list", "update"],
        ),
      ],
    }),
    ...(config.ui.enabled
      ? {
          ui: account(scope, "Ui", {
            ...base,
            name: sa.ui,
            roleArn: i.roleArns.ui,
            rules: [
              rule([""], ["pods", "pods/log"], ["get", "list"]),
              rule(["argoproj.io"], ["workflows"], ["get", "list"]),
            ],
          }),
        }
      : {}),
  };
  const accountDeps = Object.values(accounts).map((a) => a.sa);
  const after = [...i.dependsOn, ...accountDeps];
  const metadataHost = `metadata-grpc-service.${namespace}`;

  const metadataGrpc = component(scope, "MetadataGrpc", {
    ...base,
    dependsOn: after,
    name: "metadata-grpc-deployment",
    containerName: "container",
    labels: KFP_LABELS.metadataGrpc,
    serviceAccountName: sa.metadataGrpc,
    image: images.metadataServer,
    command: ["/bin/metadata_store_server"],
    ...(i.db.mlmdConfigKey
      ? {
          // The config file carries TLS settings the flags cannot express (RDS refuses plaintext).
          args: [
            `--grpc_port=${KFP_PORTS.metadataGrpc}`,
            "--metadata_store_server_config_file=/etc/mlmd/config.textproto",
          ],
          extraVolumes: [
            {
              name: "mlmd-config",
              secret: {
                secretName: i.db.secretName,
                items: [{ key: i.db.mlmdConfigKey, path: "config.textproto" }],
              },
            },
          ],
          extraMounts: [{ name: "mlmd-config", mountPath: "/etc/mlmd", readOnly: true }],
        }
      : {
          args: [
            `--grpc_port=${KFP_PORTS.metadataGrpc}`,
            `--mysql_config_database=${METADATA_DB}`,
            `--mysql_config_host=${i.db.host}`,
            `--mysql_config_port=${i.db.port}`,
            "--mysql_config_user=$(DBCONFIG_USER)",
            "--mysql_config_password=$(DBCONFIG_PASSWORD)",
            "--enable_database_upgrade=true",
          ],
          env: dbEnv(i.db, "DBCONFIG"),
        }),
    ports: { "grpc-api": KFP_PORTS.metadataGrpc },
    serviceName: "metadata-grpc-service",
    probe: { port: KFP_PORTS.metadataGrpc },
    resources: r.metadataGrpc,
  });

  const apiServer = component(scope, "ApiServer", {
    ...base,
    dependsOn: after,
    name: "ml-pipeline",
    containerName: "ml-pipeline-api-server",
    labels: KFP_LABELS.apiServer,
    serviceAccountName: sa.apiServer,
    image: images.apiServer,
    env: [
      env("PUBLISH_LOGS", "true"),
      env("LOG_LEVEL", "info"),
      env("PIPELINE_LOG_LEVEL", "1"),
      env("AUTO_UPDATE_PIPELINE_DEFAULT_VERSION", "true"),
      fieldEnv("POD_NAMESPACE", "metadata.namespace"),
      env("CLUSTER_DOMAIN", "cluster.local"),
      // Object store: the data-lake bucket over HTTPS; no access keys, so the client falls back to the
      // web-identity (IRSA) credentials of the pod. Pipeline packages stay under the granted prefix.
      env("OBJECTSTORECONFIG_HOST", s3Host),
      env("OBJECTSTORECONFIG_PORT", "443"),
      env("OBJECTSTORECONFIG_SECURE", "true"),
      env("OBJECTSTORECONFIG_REGION", i.region),
      env("OBJECTSTORECONFIG_BUCKETNAME", i.bucket),
      env("OBJECTSTORECONFIG_PIPELINEPATH", `${i.prefix}pipelines`),
      ...awsEnv(i.region),
      env("DB_DRIVER_NAME", "mysql"),
      ...dbEnv(i.db, "DBCONFIG_MYSQLCONFIG"),
      env("DBCONFIG_MYSQLCONFIG_DBNAME", PIPELINE_DB),
      env("DBCONFIG_MYSQLCONFIG_HOST", i.db.host),
      env("DBCONFIG_MYSQLCONFIG_PORT", String(i.db.port)),
      env("DBCONFIG_MYSQLCONFIG_EXTRAPARAMS", JSON.stringify(i.db.extraParams)),
      env("DBCONFIG_CONMAXLIFETIME", "120s"),
      env("V2_DRIVER_IMAGE", images.driver),
      env("V2_LAUNCHER_IMAGE", images.launcher),
      env("CACHEENABLED", String(config.cache.enabled)),
      // Step pods must pass the namespace's PSS `restricted` enforcement.
      env("DEFAULT_SECURITY_CONTEXT_RUN_AS_USER", "1000"),
      env("DEFAULT_SECURITY_CONTEXT_RUN_AS_GROUP", "1000"),
      env("DEFAULT_SECURITY_CONTEXT_RUN_AS_NON_ROOT", "true"),
      env("COMPILED_PIPELINE_SPEC_PATCH", "{}"),
      ...Object.entries(config.overrides.apiServerEnv).map(([k, v]) => env(k, v)),
    ],
    ports: { http: KFP_PORTS.apiHttp, grpc: KFP_PORTS.apiGrpc },
    probe: { path: "/apis/v1beta1/healthz", port: KFP_PORTS.apiHttp, startupFailures: 24 },
    resources: r.apiServer,
    scratch: { tmp: "/tmp" },
  });

  const tokenVolume = (name: string) => ({
    extraVolumes: [
      {
        name,
        projected: [
          {
            sources: [
              {
                serviceAccountToken: {
                  path: name,
                  expirationSeconds: 3600,
                  audience: "pipelines.kubeflow.org",
                },
              },
            ],
          },
        ],
      },
    ],
    extraMounts: [{ name, mountPath: "/var/run/secrets/kubeflow/tokens", readOnly: true }],
  });

  const persistenceAgent = component(scope, "PersistenceAgent", {
    ...base,
    dependsOn: after,
    name: "ml-pipeline-persistenceagent",
    labels: KFP_LABELS.persistenceAgent,
    serviceAccountName: sa.persistenceAgent,
    image: images.persistenceAgent,
    env: [
      fieldEnv("NAMESPACE", "metadata.namespace"),
      env("TTL_SECONDS_AFTER_WORKFLOW_FINISH", "86400"),
      env("NUM_WORKERS", "2"),
      env("LOG_LEVEL", "info"),
    ],
    // No HTTP endpoint upstream: the probe checks the projected API token the agent authenticates with.
    probe: { exec: ["cat", "/var/run/secrets/kubeflow/tokens/persistenceagent-sa-token"] },
    resources: r.persistenceAgent,
    ...tokenVolume("persistenceagent-sa-token"),
  });

  const scheduledWorkflow = component(scope, "ScheduledWorkflow", {
    ...base,
    dependsOn: after,
    name: "ml-pipeline-scheduledworkflow",
    labels: KFP_LABELS.scheduledWorkflow,
    serviceAccountName: sa.scheduledWorkflow,
    image: images.scheduledWorkflow,
    env: [
      env("METRICS_PORT", "9090"),
      env("CLIENT_QPS", "10"),
      env("CLIENT_BURST", "20"),
      env("RESYNC_INTERVAL_SECONDS", "30"),
      env("LOG_LEVEL", "info"),
      fieldEnv("NAMESPACE", "metadata.namespace"),
      env("CRON_SCHEDULE_TIMEZONE", "UTC"),
    ],
    ports: { http: 9090 },
    service: false,
    probe: { port: 9090 },
    resources: r.scheduledWorkflow,
    ...tokenVolume("scheduledworkflow-sa-token"),
  });

  const metadataWriter = component(scope, "MetadataWriter", {
    ...base,
    dependsOn: after,
    name: "metadata-writer",
    containerName: "main",
    labels: KFP_LABELS.metadataWriter,
    serviceAccountName: sa.metadataWriter,
    image: images.metadataWriter,
    env: [
      fieldEnv("NAMESPACE_TO_WATCH", "metadata.namespace"),
      env("METADATA_GRPC_SERVICE_SERVICE_HOST", metadataHost),
      env("METADATA_GRPC_SERVICE_SERVICE_PORT", String(KFP_PORTS.metadataGrpc)),
    ],
    // A Python watcher without a port: the probe checks the interpreter can still run in the container.
    probe: { exec: ["python3", "-c", "import sys; sys.exit(0)"] },
    resources: r.metadataWriter,
    scratch: { tmp: "/tmp" },
  });

  const ui = config.ui.enabled
    ? {
        envoy: component(scope, "MetadataEnvoy", {
          ...base,
          dependsOn: after,
          name: "metadata-envoy-deployment",
          containerName: "container",
          labels: KFP_LABELS.metadataEnvoy,
          serviceAccountName: sa.metadataGrpc,
          image: images.metadataEnvoy,
          ports: { "md-envoy": KFP_PORTS.envoy },
          serviceName: "metadata-envoy-service",
          probe: { port: KFP_PORTS.envoy },
          resources: r.metadataEnvoy,
          // Envoy writes its admin socket/logs under /tmp.
          scratch: { tmp: "/tmp" },
        }),
        frontend: component(scope, "Ui", {
          ...base,
          dependsOn: after,
          name: "ml-pipeline-ui",
          labels: KFP_LABELS.ui,
          serviceAccountName: sa.ui,
          image: images.frontend,
          env: [
            fieldEnv("FRONTEND_SERVER_NAMESPACE", "metadata.namespace"),
            env("DISABLE_GKE_METADATA", "true"),
            env("ALLOW_CUSTOM_VISUALIZATIONS", "false"),
            env("ARGO_ARCHIVE_LOGS", "true"),
            env("ARGO_ARCHIVE_ARTIFACTORY", "s3"),
            env("ARGO_ARCHIVE_BUCKETNAME", i.bucket),
            env("ARGO_ARCHIVE_PREFIX", `${i.prefix}argo`),
            env("AWS_S3_ENDPOINT", s3Host),
            ...awsEnv(i.region),
            env("METADATA_ENVOY_SERVICE_SERVICE_HOST", `metadata-envoy-service.${namespace}`),
            env("METADATA_ENVOY_SERVICE_SERVICE_PORT", String(KFP_PORTS.envoy)),
          ],
          ports: { http: KFP_PORTS.ui },
          probe: { path: "/apis/v1beta1/healthz", port: KFP_PORTS.ui },
          resources: r.ui,
          readOnlyRootFilesystem: false,
        }),
      }
    : undefined;

  return { accounts, metadataGrpc, apiServer, persistenceAgent, scheduledWorkflow, metadataWriter, ui };
}
