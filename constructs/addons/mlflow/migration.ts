/**
 * The kit's schema migration for MLflow (issue 13): an init container of every tracking server pod that migrates
 * the tracking database and, with basic auth, the auth database to MLflow's head while holding a PostgreSQL
 * advisory lock, so replicas starting together (first install, or a rollout of an MLflow that adds migrations)
 * migrate one after the other. The chart's own `backendStore.databaseMigration` stays off: its init container
 * takes no lock, and each server also migrated the auth store as it started, so two pods raced on both. Once the
 * init container is done, a server's own start-up check finds both schemas at head and changes nothing.
 *
 * The chart (1.11.5) renders `initContainers` after its own (dbchecker, then ini-file-initializer, which writes
 * the auth INI with the auth database's `database_uri` into the `ini-file` emptyDir), so the INI is there.
 */
import type { RestrictedContainerSecurityContext } from "../../core/pod-security";
import { MLFLOW_IMAGE, MLFLOW_MIGRATION_LOCK_KEY } from "./names";

/** The init container's name in the pod. */
export const MLFLOW_MIGRATION_CONTAINER = "schema-migration";
/** Where the chart's `ini-file` volume (the rendered auth INI) is mounted in the init container. */
const AUTH_INI_DIR = "/etc/mlflow/auth-ini";

/**
 * Run by `python -c` with the MLflow image's Python. The session-level lock is taken on its own autocommit
 * connection and held until both stores are migrated; a crash closes the session and so releases it. The
 * tracking store is migrated by the function behind `mlflow db upgrade` (creates the tables in an empty
 * database, upgrades otherwise); the auth store by MLflow's `mlflow.server.auth.db.utils.migrate(engine,
 * "head")` on the INI's `database_uri`, the one the server reads.
 */
export function mlflowMigrationScript(backendUri: string): string {
  return `import os

import sqlalchemy
from mlflow.db import upgrade
from mlflow.store.db.utils import create_sqlalchemy_engine_with_retry

LOCK_KEY = ${MLFLOW_MIGRATION_LOCK_KEY}  # 0x${MLFLOW_MIGRATION_LOCK_KEY.toString(16)}, "mlflow"
URL = "${backendUri}"  # host, port, database, user, password, sslmode: libpq's PG* variables

engine = create_sqlalchemy_engine_with_retry(URL)
with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as lock:
    print("waiting for the migration lock", LOCK_KEY, flush=True)
    lock.execute(sqlalchemy.text("SELECT pg_advisory_lock(:key)"), {"key": LOCK_KEY})
    print("migrating the tracking store", flush=True)
    upgrade.callback(URL)
    if os.environ.get("MLFLOW_AUTH_CONFIG_PATH"):
        from mlflow.server.auth.config import read_auth_config
        from mlflow.server.auth.db.utils import migrate

        print("migrating the auth store", flush=True)
        auth = create_sqlalchemy_engine_with_retry(read_auth_config().database_uri)
        migrate(auth, "head")
        auth.dispose()
    lock.execute(sqlalchemy.text("SELECT pg_advisory_unlock(:key)"), {"key": LOCK_KEY})
engine.dispose()
print("schemas at head", flush=True)
`;
}

export interface MlflowMigrationInput {
  /** `postgresql+<driver>://`: the server's `--backend-store-uri`, completed by the PG* variables. */
  readonly backendUri: string;
  readonly database: { readonly host: string; readonly port: number; readonly name: string };
  /** The Secret with the backend role's user and password (the chart's `existingDatabaseSecret`). */
  readonly databaseSecret: {
    readonly name: string;
    readonly usernameKey: string;
    readonly passwordKey: string;
  };
  /** Basic auth: migrate the auth store too, from the INI the chart's init container rendered. */
  readonly basicAuth: boolean;
  /** The server container's requests and limits (an init container adds nothing to the pod's). */
  readonly resources: Record<string, unknown>;
  readonly securityContext: RestrictedContainerSecurityContext<number>;
}

/** The init container, as a Helm value of the chart's `initContainers` (Kubernetes' camelCase fields). */
export function mlflowMigrationInitContainer(input: MlflowMigrationInput): Record<string, unknown> {
  const secret = (key: string) => ({
    valueFrom: { secretKeyRef: { name: input.databaseSecret.name, key } },
  });
  return {
    name: MLFLOW_MIGRATION_CONTAINER,
    image: MLFLOW_IMAGE,
    command: ["python", "-c", mlflowMigrationScript(input.backendUri)],
    // What the chart gives its server container for the backend (env-configmap, existingDatabaseSecret).
    env: [
      { name: "PGHOST", value: input.database.host },
      { name: "PGPORT", value: String(input.database.port) },
      { name: "PGDATABASE", value: input.database.name },
      { name: "PGUSER", ...secret(input.databaseSecret.usernameKey) },
      { name: "PGPASSWORD", ...secret(input.databaseSecret.passwordKey) },
      // libpq: the parameter group refuses unencrypted connections.
      { name: "PGSSLMODE", value: "require" },
      { name: "MLFLOW_DISABLE_TELEMETRY", value: "true" },
      { name: "DO_NOT_TRACK", value: "true" },
      { name: "PYTHONDONTWRITEBYTECODE", value: "1" },
      ...(input.basicAuth
        ? [{ name: "MLFLOW_AUTH_CONFIG_PATH", value: `${AUTH_INI_DIR}/auth_result.ini` }]
        : []),
    ],
    resources: input.resources,
    securityContext: input.securityContext,
    // The chart's volumes: `tmp` (emptyDir, the root filesystem is read-only) and, with basic auth, `ini-file`.
    volumeMounts: [
      { name: "tmp", mountPath: "/tmp" },
      ...(input.basicAuth ? [{ name: "ini-file", mountPath: AUTH_INI_DIR, readOnly: true }] : []),
    ],
  };
}
