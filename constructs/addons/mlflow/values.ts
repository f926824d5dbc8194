import { albIngress } from "../../core/ingress";
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from "../../core/pod-security";
import type { MlflowConfig } from "./config";
import { mlflowMigrationInitContainer } from "./migration";
import {
  MLFLOW_ARTIFACT_PREFIX,
  MLFLOW_AUTH_DATABASE,
  MLFLOW_DATABASE,
  MLFLOW_PORT,
  MLFLOW_SECRETS,
  MLFLOW_SERVICE_ACCOUNT,
  MLFLOW_UID as UID,
} from "./names";

export interface MlflowValuesInput {
  readonly config: MlflowConfig;
  readonly namespace: string;
  readonly region: string;
  readonly databaseHost: string;
  readonly databasePort: number;
  readonly bucket: string;
  readonly roleArn: string;
  readonly monitoring: boolean;
  /** What an internal ingress admits unless its allowedCidrs say otherwise. */
  readonly vpcCidr: string;
}

/** PSS `restricted`: the chart's defaults plus the seccomp profile it leaves out. */
const POD_SECURITY_CONTEXT = restrictedPodSecurityContext({
  runAsUser: UID,
  runAsGroup: UID,
  fsGroup: UID,
  fsGroupChangePolicy: "OnRootMismatch",
});
const CONTAINER_SECURITY_CONTEXT = restrictedContainerSecurityContext({
  privileged: false,
  runAsUser: UID,
  runAsGroup: UID,
});
/** `--expose-prometheus` writes multiprocess metrics here; the root filesystem is read-only. */
const METRICS_DIR = "/mlflow/metrics";

/** Host header patterns the tracking server accepts. */
export function allowedHosts(namespace: string, ingressHost?: string): string[] {
  const service = [
    "mlflow",
    `mlflow.${namespace}`,
    `mlflow.${namespace}.svc`,
    `mlflow.${namespace}.svc.cluster.local`,
  ];
  return [
    ...service.flatMap((h) => [h, `${h}:*`]),
    "localhost:*",
    "127.0.0.1:*",
    // MLflow's own default private ranges (security_utils.get_private_ip_patterns), IPv4 only.
    "10.*",
    ...Array.from({ length: 16 }, (_, i) => `172.${16 + i}.*`),
    "192.168.*",
    ...(ingressHost ? [ingressHost] : []),
  ];
}

/**
 * The kit's values for the community-charts `mlflow` chart (1.11.5). Every key exists in the chart's
 * values.yaml and the object passes its values.schema.json (tests check both). No secret value appears here:
 * the database, admin and OIDC credentials are Secret names filled by External Secrets.
 */
export function mlflowChartValues(input: MlflowValuesInput): Record<string, unknown> {
  const { config } = input;
  const auth = config.auth;
  const backendPostgres = {
    enabled: true,
    host: input.databaseHost,
    port: input.databasePort,
    database: MLFLOW_DATABASE,
    // Left empty on purpose: user and password come from existingDatabaseSecret as PGUSER/PGPASSWORD.
    user: "",
    password: "",
    driver: "psycopg2",
  };
  const databaseSecret = { name: MLFLOW_SECRETS.database, usernameKey: "username", passwordKey: "password" };
  const resources = {
    requests: { cpu: config.resources.cpuRequest, memory: config.resources.memoryRequest },
    limits: { memory: config.resources.memoryLimit },
  };
  const values: Record<string, unknown> = {
    replicaCount: config.replicas,
    serviceAccount: {
      create: true,
      automount: true,
      name: MLFLOW_SERVICE_ACCOUNT,
      annotations: { "eks.amazonaws.com/role-arn": input.roleArn },
    },
    podSecurityContext: POD_SECURITY_CONTEXT,
    securityContext: CONTAINER_SECURITY_CONTEXT,
    service: { enabled: true, type: "ClusterIP", port: MLFLOW_PORT, containerPort: MLFLOW_PORT },
    telemetry: { enabled: false },
    // MLflow 3's host-header check (MLFLOW_SERVER_ALLOWED_HOSTS): the Service names, port-forwards, and pod IPs
    // in private ranges (kubelet probes and the ALB's ip targets use them).
    serverAllowedHosts: allowedHosts(input.namespace, config.ingress?.host),
    backendStore: {
      // Off: its init container migrates without a lock, so two pods would race (the kit's below does it).
      databaseMigration: false,
      databaseConnectionCheck: true,
      postgres: backendPostgres,
      existingDatabaseSecret: databaseSecret,
    },
    // Migrates both stores under an advisory lock on every rollout, chart and MLflow upgrades included
    // (migration.ts).
    initContainers: [
      mlflowMigrationInitContainer({
        backendUri: `postgresql+${backendPostgres.driver}://`,
        database: { host: input.databaseHost, port: input.databasePort, name: MLFLOW_DATABASE },
        databaseSecret,
        basicAuth: auth.mode === "basic",
        resources,
        securityContext: CONTAINER_SECURITY_CONTEXT,
      }),
    ],
    postgresql: { enabled: false },
    mysql: { enabled: false },
    minio: { enabled: false },
    artifactRoot: {
      // The server proxies artifact uploads and downloads, so only its role touches S3.
      proxiedArtifactStorage: true,
      s3: { enabled: true, bucket: input.bucket, path: MLFLOW_ARTIFACT_PREFIX.replace(/\/$/, "") },
    },
    extraEnvVars: {
      AWS_DEFAULT_REGION: input.region,
      AWS_STS_REGIONAL_ENDPOINTS: "regional",
      // libpq: the parameter group refuses unencrypted connections.
      PGSSLMODE: "require",
    },
    resources,
    auth: {
      enabled: auth.mode === "basic",
      ...(auth.mode === "basic"
        ? {
            existingAdminSecret: {
              name: MLFLOW_SECRETS.admin,
              usernameKey: "username",
              passwordKey: "password",
            },
            defaultPermission: auth.defaultPermission,
            // Users and permissions in PostgreSQL (database mlflow_auth on the backend's instance), shared by
            // every replica and kept across restarts. The chart's init container writes user and password from
            // the Secret into the INI's database_uri; TLS comes from PGSSLMODE below (libpq reads it).
            postgres: {
              enabled: true,
              host: input.databaseHost,
              port: input.databasePort,
              database: MLFLOW_AUTH_DATABASE,
              driver: "psycopg2",
              existingSecret: {
                name: MLFLOW_SECRETS.authDatabase,
                usernameKey: "username",
                passwordKey: "password",
              },
            },
          }
        : {}),
    },
    oidcAuth:
      auth.mode === "oidc" && auth.oidc
        ? {
            enabled: true,
            discoveryUrl: auth.oidc.discoveryUrl,
            clientId: auth.oidc.clientId,
            existingSecret: { name: MLFLOW_SECRETS.oidc, clientSecretKey: "OIDC_CLIENT_SECRET" },
            groupName: auth.oidc.userGroups,
            adminGroupName: auth.oidc.adminGroups,
            defaultPermission: auth.defaultPermission,
            ...(config.ingress ? { redirectUri: `https://${config.ingress.host}/callback` } : {}),
            database: { uri: "sqlite:////tmp/oidc_auth.db" },
          }
        : { enabled: false },
  };
  if (input.monitoring) {
    // No chart ServiceMonitor (default off): the add-on's PodMonitor is applied in the manifests stack, after
    // kube-prometheus-stack has installed the CRD; the chart's, installed alongside it, would fail or be skipped.
    values.extraVolumes = [{ name: "prometheus-metrics", emptyDir: {} }];
    values.extraVolumeMounts = [{ name: "prometheus-metrics", mountPath: METRICS_DIR }];
  }
  if (config.ingress) {
    const alb = albIngress({ ingress: config.ingress, vpcCidr: input.vpcCidr, healthCheckPath: "/health" });
    values.ingress = {
      enabled: true,
      className: alb.className,
      annotations: alb.annotations,
      hosts: [{ host: alb.host, paths: [{ path: "/", pathType: "Prefix" }] }],
    };
  }
  return values;
}
