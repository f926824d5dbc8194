/** Names and ports of the MLflow add-on, in one place for the add-on, its chart values and its dependents. */

export const MLFLOW_ADDON_ID = "mlflow";
export const MLFLOW_NAMESPACE = "mlflow";
export const MLFLOW_PORT = 5000;
/**
 * The tracking server's image as the pinned chart (1.11.5) deploys it: `burakince/mlflow:<appVersion>`. Jobs that
 * talk to MLflow use it for its Python (standard library only), so no other image is pulled. Tests check the
 * tag against the chart's appVersion.
 */
export const MLFLOW_IMAGE = "docker.io/burakince/mlflow:3.15.1";
/** The image's user: the uid the add-on runs the server as (the image's own `mlflow` user). */
export const MLFLOW_UID = 1001;
export const MLFLOW_SERVICE_ACCOUNT = "mlflow";
/** The PostgreSQL database of the backend store, and the role MLflow connects as. */
export const MLFLOW_DATABASE = "mlflow";
/**
 * The basic-auth store (users, permissions) on the same RDS instance: its own database and role, so every
 * replica sees the same users, and MLflow's auth migrations (their own alembic table) stay out of the backend's.
 */
export const MLFLOW_AUTH_DATABASE = "mlflow_auth";
/**
 * The PostgreSQL advisory lock (`pg_advisory_lock`, session level, in the database `mlflow`) that the kit's
 * migration init container holds while it migrates the tracking and auth schemas, so two replicas starting
 * together migrate one after the other: the bytes of "mlflow" read as a big-endian integer (0x6d6c666c6f77).
 */
export const MLFLOW_MIGRATION_LOCK_KEY = 0x6d6c666c6f77;
/** Prefix of the artifacts in the data lake's `models` zone. */
export const MLFLOW_ARTIFACT_PREFIX = "mlflow/";
/** Kubernetes Secrets the release reads; their values come from External Secrets, never from Terraform. */
export const MLFLOW_SECRETS = {
  database: "mlflow-db",
  authDatabase: "mlflow-auth-db",
  admin: "mlflow-admin",
  oidc: "mlflow-oidc",
} as const;
/** Selector labels the chart gives the tracking server pods (release and chart both named `mlflow`). */
export const MLFLOW_POD_LABELS = {
  "app.kubernetes.io/name": "mlflow",
  "app.kubernetes.io/instance": "mlflow",
} as const;
