import { ConfigMapV1 } from "@cdktf/provider-kubernetes/lib/config-map-v1";
import { JobV1 } from "@cdktf/provider-kubernetes/lib/job-v1";
import type { AddOnContext } from "../core/addon";
import { isProductionEnvironment } from "../core/environment";
import type { PlatformNamespace } from "../core/platform-namespace";
import { RdsDatabase } from "../database/rds-database";
import { generatedSecret, syncSecret } from "../secrets/sync-secret";
import type { AirflowConfig } from "./airflow-config";

/** The official postgres image, for `psql` only (Debian variant: user `postgres` is uid/gid 999). */
export const POSTGRES_CLIENT_IMAGE = "docker.io/library/postgres:17.6-bookworm";
const POSTGRES_UID = 999;

/** Labels of the bootstrap Job's pod (NetworkPolicies select it by these). */
export const DB_BOOTSTRAP_POD_LABELS = { "app.kubernetes.io/name": "airflow-db-bootstrap" } as const;

/** What the MLflow add-on must expose for Airflow to share its instance. */
export interface SharedDatabaseSource {
  readonly database: {
    readonly address: string;
    readonly port: number;
    readonly masterSecretArn: string;
  };
}

export interface AirflowDatabase {
  /** The own instance; undefined when sharing MLflow's. */
  readonly instance?: RdsDatabase;
  readonly host: string;
  readonly port: number;
  readonly databaseName: string;
  readonly username: string;
  /** Secret (key `connection`) the chart reads through `data.metadataSecretName`. */
  readonly connectionSecretName: string;
  /** Secret with the master user's `username`/`password`, mounted only by the bootstrap Job. */
  readonly masterSecretName: string;
  readonly bootstrapJob: JobV1;
}

/**
 * Idempotent psql script: the Airflow role and database exist, the role owns the database and has a password
 * from the Secret generated in the cluster. Values come from environment variables (`\getenv`), quoted by
 * `format(%I, %L)`, so nothing is interpolated by a shell.
 */
export const BOOTSTRAP_SQL = [
  "\\set ON_ERROR_STOP on",
  "\\getenv app_user AIRFLOW_DB_USER",
  "\\getenv app_db AIRFLOW_DB_NAME",
  "\\getenv app_password AIRFLOW_DB_PASSWORD",
  "SELECT format('CREATE ROLE %I LOGIN', :'app_user') WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'app_user') \\gexec",
  "SELECT format('ALTER ROLE %I WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD %L', :'app_user', :'app_password') \\gexec",
  // RDS's master is not a superuser: it must be a member of the role to give it a database.
  "SELECT format('GRANT %I TO CURRENT_USER', :'app_user') \\gexec",
  "SELECT format('CREATE DATABASE %I OWNER %I', :'app_db', :'app_user') WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'app_db') \\gexec",
  "SELECT format('ALTER DATABASE %I OWNER TO %I', :'app_db', :'app_user') \\gexec",
  "SELECT format('REVOKE ALL ON DATABASE %I FROM PUBLIC', :'app_db') \\gexec",
  "",
].join("\n");

/**
 * Airflow's metadata database: its own RDS PostgreSQL instance, or MLflow's (`database.shareWith: "mlflow"`).
 * Either way Airflow connects as its own role, never as the master user: a bootstrap Job in the namespace
 * creates role and database with the master credentials (synced from the RDS-managed secret by ESO) and a
 * password ESO generated in the cluster. So no password passes through Terraform or Helm, and RDS rotating the
 * master password never breaks Airflow's connections.
 */
export function airflowDatabase(
  context: AddOnContext,
  namespace: PlatformNamespace,
  config: AirflowConfig,
  shared?: SharedDatabaseSource,
): AirflowDatabase {
  const db = config.database;
  const ns = namespace.name;
  const sandbox = context.platform.sandbox;
  let instance: RdsDatabase | undefined;
  let source: SharedDatabaseSource["database"];
  if (db.shareWith) {
    if (!shared?.database) {
      throw new Error(
        `airflow: database.shareWith ${JSON.stringify(db.shareWith)} needs the ${db.shareWith} add-on's outputs to include \`database\` (address, port, masterSecretArn)`,
      );
    }
    source = shared.database;
  } else {
    instance = new RdsDatabase(context.scope, "Database", {
      engine: "postgres",
      identifier: `${context.platform.prefix}-airflow`,
      databaseName: db.databaseName,
      engineVersion: db.engineVersion,
      instanceClass: db.instanceClass,
      allocatedStorageGiB: db.allocatedStorageGiB,
      multiAz: db.multiAz ?? isProductionEnvironment(context.platform.environment),
      backupRetentionInDays: db.backupRetentionInDays,
      kmsKeyArn: context.cluster.kmsKeyArn,
      vpcId: context.platform.vpcId,
      subnetIds: context.platform.privateSubnetIds,
      // Pods reach RDS through the cluster security group (no pod security groups).
      allowedSecurityGroupIds: [context.cluster.clusterSecurityGroupId],
      deletionProtection: !sandbox,
      preventDestroy: !sandbox && context.cluster.preventDestroy,
      tags: { ...context.platform.tags, ...context.cluster.tags, "mlops.io/addon": "airflow" },
    });
    source = instance;
  }

  const master = syncSecret(context, {
    id: "DbMaster",
    namespace: ns,
    name: "airflow-db-master",
    secretArn: source.masterSecretArn,
    kmsKeyArn: context.cluster.kmsKeyArn,
    template: { username: "{{ .username }}", password: "{{ .password }}" },
  });

  // Hex keeps the password URL-safe inside the connection string.
  const connection = generatedSecret(context, {
    id: "DbConnection",
    namespace: ns,
    name: "airflow-metadata-db",
    keys: { password: { length: 32, encoding: "hex" } },
  });
  // The chart wants the whole URI under `connection`; ESO renders it from the generated password. (A template
  // option of generatedSecret would replace this override; see the README.)
  connection.externalSecret.addOverride("manifest.spec.target.template", {
    engineVersion: "v2",
    mergePolicy: "Merge",
    type: "Opaque",
    data: {
      connection: `postgresql://${db.databaseName}:{{ .password }}@${source.address}:${source.port}/${db.databaseName}?sslmode=require`,
    },
  });

  const script = new ConfigMapV1(context.scope, "DbBootstrapScript", {
    provider: context.cluster.kubernetesProvider,
    metadata: { name: "airflow-db-bootstrap", namespace: ns },
    data: { "bootstrap.sql": BOOTSTRAP_SQL },
    dependsOn: [namespace.resource],
  });

  const bootstrapJob = new JobV1(context.scope, "DbBootstrap", {
    provider: context.cluster.kubernetesProvider,
    metadata: { name: "airflow-db-bootstrap", namespace: ns, labels: { ...DB_BOOTSTRAP_POD_LABELS } },
    spec: {
      backoffLimit: 20,
      template: {
        metadata: { labels: { ...DB_BOOTSTRAP_POD_LABELS } },
        spec: {
          restartPolicy: "OnFailure",
          automountServiceAccountToken: false,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: String(POSTGRES_UID),
            runAsGroup: String(POSTGRES_UID),
            seccompProfile: { type: "RuntimeDefault" },
          },
          container: [
            {
              name: "psql",
              image: POSTGRES_CLIENT_IMAGE,
              command: ["psql", "--no-psqlrc", "--quiet", "--file=/bootstrap/bootstrap.sql"],
              env: [
                { name: "PGHOST", value: source.address },
                { name: "PGPORT", value: String(source.port) },
                { name: "PGDATABASE", value: "postgres" },
                // The instance's parameter group refuses unencrypted connections anyway.
                { name: "PGSSLMODE", value: "require" },
                { name: "PGCONNECT_TIMEOUT", value: "10" },
                { name: "PGUSER", valueFrom: { secretKeyRef: { name: master.secretName, key: "username" } } },
                {
                  name: "PGPASSWORD",
                  valueFrom: { secretKeyRef: { name: master.secretName, key: "password" } },
                },
                { name: "AIRFLOW_DB_USER", value: db.databaseName },
                { name: "AIRFLOW_DB_NAME", value: db.databaseName },
                {
                  name: "AIRFLOW_DB_PASSWORD",
                  valueFrom: { secretKeyRef: { name: connection.secretName, key: "password" } },
                },
              ],
              securityContext: {
                runAsNonRoot: true,
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                capabilities: { drop: ["ALL"] },
                seccompProfile: { type: "RuntimeDefault" },
              },
              resources: {
                requests: { cpu: "50m", memory: "64Mi" },
                limits: { memory: "128Mi" },
              },
              volumeMount: [{ name: "script", mountPath: "/bootstrap", readOnly: true }],
            },
          ],
          volume: [{ name: "script", configMap: { name: script.metadata.name } }],
        },
      },
    },
    // The Secrets it reads are created by ESO from manifests applied later; the Job retries until they exist.
    waitForCompletion: false,
    dependsOn: [script],
  });

  return {
    instance,
    host: source.address,
    port: source.port,
    databaseName: db.databaseName,
    username: db.databaseName,
    connectionSecretName: connection.secretName,
    masterSecretName: master.secretName,
    bootstrapJob,
  };
}
