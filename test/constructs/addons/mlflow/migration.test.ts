import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  MLFLOW_IMAGE,
  MLFLOW_MIGRATION_CONTAINER,
  MLFLOW_MIGRATION_LOCK_KEY,
} from "../../../../constructs/addons/mlflow";
import { failWhenMissingInCi } from "../../../support/ci";
import { POSTGRES_BIN_DIR } from "../../database/postgres-server";
import {
  type Installation,
  install,
  MLFLOW_BIN,
  pod,
  replicasMissing,
  startMigration,
  warnReplicasMissing,
} from "./replicas";
import { type Json, mlflowValues, synthMlflow } from "./support";

/**
 * The kit's schema migration (constructs/addons/mlflow/migration.ts): the synthesized init container, and, run
 * as the chart would run it (chart-server.ts) against a real PostgreSQL over TLS with the real MLflow, that it
 * waits for the documented advisory lock. The two pods' migrations racing on a first install run in
 * replicas.ts, asserted in server.test.ts.
 */
function migrationContainer(values: Json): Json {
  const found = (values.initContainers as Json[]).filter((c) => c.name === MLFLOW_MIGRATION_CONTAINER);
  expect(found).toHaveLength(1);
  return found[0];
}

describe("MLflow add-on: schema migration init container (synthesized)", () => {
  const { json } = synthMlflow();
  const v = mlflowValues(json);
  const c = migrationContainer(v);
  const env = Object.fromEntries((c.env as Json[]).map((e) => [e.name, e.value ?? e.valueFrom]));

  it("replaces the chart's unlocked migration: databaseMigration is off, the kit's init container is the only one", () => {
    expect(v.backendStore.databaseMigration).toBe(false);
    expect((v.initContainers as Json[]).map((x) => x.name)).toEqual([MLFLOW_MIGRATION_CONTAINER]);
  });

  it("runs the chart's MLflow image with a script that holds the documented advisory lock around both migrations", () => {
    expect(c.image).toBe(MLFLOW_IMAGE);
    expect(c.command.slice(0, 2)).toEqual(["python", "-c"]);
    const script = c.command[2] as string;
    const at = (s: string) => {
      const i = script.indexOf(s);
      expect(i, s).toBeGreaterThan(-1);
      return i;
    };
    expect(script).toContain(`LOCK_KEY = ${MLFLOW_MIGRATION_LOCK_KEY}`);
    // lock, tracking store (`mlflow db upgrade`), auth store, unlock: in that order.
    const order = [
      at("pg_advisory_lock(:key)"),
      at("upgrade.callback(URL)"),
      at('migrate(auth, "head")'),
      at("pg_advisory_unlock(:key)"),
    ];
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(script).toContain(`URL = "postgresql+${v.backendStore.postgres.driver}://"`);
  });

  it("connects to the backend over TLS with the chart's credentials Secret, and reads the auth INI", () => {
    expect(env).toMatchObject({
      PGHOST: v.backendStore.postgres.host,
      PGPORT: String(v.backendStore.postgres.port),
      PGDATABASE: "mlflow",
      PGSSLMODE: "require",
      PGUSER: { secretKeyRef: { name: "mlflow-db", key: "username" } },
      PGPASSWORD: { secretKeyRef: { name: "mlflow-db", key: "password" } },
    });
    // The chart's ini-file emptyDir, where its ini-file-initializer renders the INI with the auth database_uri.
    const ini = (c.volumeMounts as Json[]).find((m) => m.name === "ini-file") as Json;
    expect(ini).toMatchObject({ readOnly: true });
    expect(env.MLFLOW_AUTH_CONFIG_PATH).toBe(`${ini.mountPath}/auth_result.ini`);
    expect((c.volumeMounts as Json[]).find((m) => m.name === "tmp")).toEqual({
      name: "tmp",
      mountPath: "/tmp",
    });
  });

  it("sets CPU and memory requests and a PSS-restricted security context", () => {
    // The server's (the pod's effective request is the larger of init and app containers: no extra cost).
    expect(c.resources).toEqual(v.resources);
    expect(Object.keys(c.resources.requests).sort()).toEqual(["cpu", "memory"]);
    expect(c.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      capabilities: { drop: ["ALL"] },
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      runAsUser: 1001,
      seccompProfile: { type: "RuntimeDefault" },
    });
  });

  it("migrates only the tracking store without basic auth (the chart has no ini-file volume then)", () => {
    const other = migrationContainer(mlflowValues(synthMlflow({ auth: { mode: "none" } }).json));
    expect((other.volumeMounts as Json[]).map((m) => m.name)).toEqual(["tmp"]);
    expect((other.env as Json[]).map((e) => e.name)).not.toContain("MLFLOW_AUTH_CONFIG_PATH");
  });
});

const missing = replicasMissing();
if (missing) warnReplicasMissing("MLflow migration lock test", missing);
failWhenMissingInCi("MLflow migration lock", missing);

/** MLflow's head revisions of the tracking and auth stores, from the venv's MLflow. */
function heads(): { tracking: string; auth: string } {
  const python = join(dirname(MLFLOW_BIN as string), "python");
  const r = spawnSync(
    python,
    [
      "-c",
      [
        "from alembic.script import ScriptDirectory",
        "from mlflow.store.db.utils import _get_latest_schema_revision",
        "from mlflow.server.auth.db.utils import _get_alembic_config",
        "print(_get_latest_schema_revision())",
        "print(ScriptDirectory.from_config(_get_alembic_config('')).get_current_head())",
      ].join("\n"),
    ],
    {
      encoding: "utf8",
      timeout: 120_000,
      env: { PATH: process.env.PATH ?? "", MLFLOW_DISABLE_TELEMETRY: "true" },
    },
  );
  if (r.status !== 0) throw new Error(r.stderr);
  const [tracking, auth] = r.stdout.trim().split("\n").slice(-2);
  return { tracking, auth };
}

describe.skipIf(!!missing)("MLflow schema migration against PostgreSQL: the advisory lock", () => {
  let inst: Installation;
  let holder: ChildProcess | undefined;
  beforeAll(async () => {
    inst = await install();
  }, 120_000);
  afterAll(() => {
    holder?.kill("SIGKILL");
    inst?.stop();
  });

  const sql = (query: string, db = "mlflow") => {
    const r = inst.postgres.asSuperuser(query, db);
    if (r.status !== 0) throw new Error(`${query}: ${r.stderr}`);
    return r.stdout.trim();
  };
  /** Sessions on `mlflow` holding (t) or waiting for (f) the documented lock, as granted|user lines. */
  const lockSessions = () =>
    sql(
      "SELECT l.granted || '|' || a.usename FROM pg_locks l JOIN pg_database d ON d.oid = l.database " +
        "JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' AND d.datname = 'mlflow' " +
        `AND l.objsubid = 1 AND ((l.classid::bigint << 32) | l.objid::bigint) = ${MLFLOW_MIGRATION_LOCK_KEY} ` +
        "ORDER BY 1 DESC",
    );
  const tables = (db: string) => sql("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'", db);
  const until = async (what: string, ok: () => boolean, stop: () => boolean, ms = 120_000) => {
    for (const end = Date.now() + ms; Date.now() < end && !stop(); ) {
      if (ok()) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    if (!ok()) throw new Error(`timed out or stopped waiting for ${what}`);
  };

  it("waits while another session holds the lock on mlflow, then migrates both stores to MLflow's head", async () => {
    // A session of the test (the superuser, over the socket) takes the documented key first.
    holder = spawn(join(POSTGRES_BIN_DIR, "psql"), ["--no-psqlrc", "-v", "ON_ERROR_STOP=1", "-tA"], {
      env: {
        PATH: process.env.PATH ?? "",
        PGHOST: inst.postgres.dir,
        PGPORT: String(inst.postgres.port),
        PGUSER: "boot",
        PGDATABASE: "mlflow",
      },
      stdio: ["pipe", "ignore", "inherit"],
    });
    const holderExited = new Promise((r) => holder?.on("exit", r));
    holder.stdin?.write(`SELECT pg_advisory_lock(${MLFLOW_MIGRATION_LOCK_KEY});\n`);
    await until(
      "the test's session to hold the lock",
      () => lockSessions() === "true|boot",
      () => false,
    );

    const migration = startMigration(await pod(inst, "a"));
    // The migrator's session (MLflow's role) queues for the same key...
    await until(
      "the migration to wait for the lock",
      () => lockSessions() === "true|boot\nfalse|mlflow",
      () => !migration.running(),
    ).catch(async (e) => {
      const early = migration.running() ? "" : (await migration.done).output;
      throw new Error(`${e.message}\n${early}`);
    });
    // ...and stays queued, having touched neither database.
    await new Promise((r) => setTimeout(r, 2000));
    expect(migration.running()).toBe(true);
    expect(lockSessions()).toBe("true|boot\nfalse|mlflow");
    expect([tables("mlflow"), tables("mlflow_auth")]).toEqual(["0", "0"]);

    holder.stdin?.end(`SELECT pg_advisory_unlock(${MLFLOW_MIGRATION_LOCK_KEY});\n`);
    await holderExited;
    const done = await migration.done;
    expect(done.status, done.output).toBe(0);
    expect(done.output).toContain("schemas at head");
    const head = heads();
    expect(sql("SELECT version_num FROM alembic_version")).toBe(head.tracking);
    expect(sql("SELECT version_num FROM alembic_version_auth", "mlflow_auth")).toBe(head.auth);
    // Released on exit: nothing holds or waits for the key any more.
    expect(lockSessions()).toBe("");
  }, 300_000);
});
