import type { JobV1 } from "@cdktf/provider-kubernetes/lib/job-v1";
import type { AddOnContext } from "../../core/addon";
import type { PlatformNamespace } from "../../core/platform-namespace";
import { addOnDatabaseProps } from "../../database/addon-database";
import { postgresAppUser, postgresUriTemplate } from "../../database/postgres-app-user";
import { RdsDatabase } from "../../database/rds-database";
import type { AirflowConfig } from "./config";

/** What the MLflow add-on must expose for Airflow to share its instance. */
export interface SharedDatabaseSource {
  readonly database: {
    readonly address: string;
    readonly port: number;
    readonly masterSecretArn: string;
  };
}

/** Names kept from before Airflow used `postgresAppUser`: renaming them would replace live resources. */
export const AIRFLOW_DB_NAMES = {
  /** Secret (`username`, `password`, `connection`) the chart reads through `data.metadataSecretName`. */
  connectionSecret: "airflow-metadata-db",
  masterSecret: "airflow-db-master",
  job: "airflow-db-bootstrap",
} as const;

/** SQLAlchemy URI scheme of the `connection` key (psycopg2 is the driver the official Airflow image ships). */
export const AIRFLOW_DB_SCHEME = "postgresql+psycopg2";

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
  /** Labels of the bootstrap Job's pods (its egress NetworkPolicy selects them). */
  readonly bootstrapPodLabels: Readonly<Record<string, string>>;
}

/**
 * Airflow's metadata database: its own RDS PostgreSQL instance, or MLflow's (`database.shareWith: "mlflow"`).
 * Either way Airflow connects as its own role, never as the master user: `postgresAppUser` (as for MLflow)
 * creates role and database with a Job, from the master credentials (synced from the RDS-managed secret by ESO)
 * and a password ESO generated in the cluster, and ESO renders the `connection` URI from that password. So no
 * password passes through Terraform or Helm, and RDS rotating the master password never breaks Airflow.
 */
export function airflowDatabase(
  context: AddOnContext,
  namespace: PlatformNamespace,
  config: AirflowConfig,
  shared?: SharedDatabaseSource,
): AirflowDatabase {
  const db = config.database;
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
    instance = new RdsDatabase(
      context.scope,
      "Database",
      addOnDatabaseProps(context, {
        engine: "postgres",
        name: "airflow",
        databaseName: db.databaseName,
        settings: db,
        preventDestroy: !sandbox && context.cluster.preventDestroy,
        tags: { ...context.platform.tags, ...context.cluster.tags, "mlops.io/addon": "airflow" },
      }),
    );
    source = instance;
  }

  // The construct id ("Db") and the names keep the ids and names of the resources Airflow had before.
  const appUser = postgresAppUser(context, {
    id: "Db",
    namespace,
    host: source.address,
    port: source.port,
    masterSecretArn: source.masterSecretArn,
    kmsKeyArn: context.cluster.kmsKeyArn,
    username: db.databaseName,
    databaseName: db.databaseName,
    secretName: AIRFLOW_DB_NAMES.connectionSecret,
    masterSecretName: AIRFLOW_DB_NAMES.masterSecret,
    jobName: AIRFLOW_DB_NAMES.job,
    // Its ExternalSecret holds the generated password: a new id would replace it and the password with it.
    secretId: "DbConnection",
    // The chart wants the whole SQLAlchemy URI under `connection`.
    template: {
      connection: postgresUriTemplate(AIRFLOW_DB_SCHEME, {
        username: db.databaseName,
        host: source.address,
        port: source.port,
        databaseName: db.databaseName,
      }),
    },
    vpcCidr: context.platform.vpcCidr,
  });

  return {
    instance,
    host: source.address,
    port: source.port,
    databaseName: db.databaseName,
    username: db.databaseName,
    connectionSecretName: appUser.secretName,
    masterSecretName: appUser.masterSecretName,
    bootstrapJob: appUser.job,
    bootstrapPodLabels: appUser.podLabels,
  };
}
