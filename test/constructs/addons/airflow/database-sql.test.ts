import { execFileSync, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mlflowAddOn } from "../../../../constructs/addons/mlflow";
import { URL_ESCAPED_PASSWORD } from "../../../../constructs/database";
import { failWhenMissingInCi } from "../../../support/ci";
import type { ClusterSecrets } from "../../../support/job-process";
import { resourcesOf, type SynthJson } from "../../../support/synth";
import {
  type PostgresServer,
  postgresMissing,
  RDS_MASTER,
  runPsqlJob,
  startPostgres,
  warnSkipping,
} from "../../database/postgres-server";
import { type Json, manifestNamed, synthAirflow, TEST_GIT } from "./support";

/**
 * Runs the bootstrap Jobs exactly as synthesized (command, environment, SQL from their ConfigMaps) with a real
 * psql against a real PostgreSQL over TLS, as an RDS-like master that is no superuser; then connects with the
 * `connection` URI Airflow gets. Only what the cluster would supply is filled in: the Secrets' values, and the
 * server's loopback address instead of the RDS endpoint.
 */
const missing = postgresMissing({ ssl: true });
if (missing) warnSkipping("Airflow's database bootstrap against PostgreSQL", missing);

// ESO renders templates with Go's text/template: the kit's renderer (fixtures/render-template.go, standard library
// only; Go comes from .ci/steps/kubeflow.sh) shows what `urlquery` and `replace` do to any password.
const GO = spawnSync("go", ["version"], { encoding: "utf8" }).status === 0;
const RENDERER = fileURLToPath(new URL("../../../support/fixtures/render-template.go", import.meta.url));
if (!missing && !GO) {
  warnSkipping(
    "the percent-encoding test of Airflow's connection URI (Go text/template)",
    '"go" is not on PATH',
  );
}
const goRender = (template: string, data: Record<string, string>) =>
  execFileSync("go", ["run", RENDERER], {
    input: JSON.stringify({ template, data }),
    encoding: "utf8",
    timeout: 120_000,
    env: { ...process.env, GOTOOLCHAIN: "local" },
  });

type Secrets = ClusterSecrets;

/**
 * The `connection` key as ESO renders it: by Go's text/template when `render` is given, else by substitution,
 * exact for a hex password (which percent-encoding leaves unchanged).
 */
function connectionUri(json: SynthJson, password: string, render?: typeof goRender) {
  const template = manifestNamed(json, "ExternalSecret", "airflow-metadata-db").spec.target.template.data
    .connection as string;
  if (!render) expect(password).toMatch(/^[0-9a-f]+$/);
  const rendered = render
    ? render(template, { password })
    : template.split(URL_ESCAPED_PASSWORD).join(password);
  expect(rendered).not.toContain("{{");
  const m = /^postgresql\+psycopg2:\/\/([a-z0-9_]+):([^@]+)@(.+):(\d+)\/([a-z0-9_]+)\?(.*)$/.exec(rendered);
  if (!m) throw new Error(`not a SQLAlchemy psycopg2 URI: ${template}`);
  const [, user, pw, host, port, db, query] = m as unknown as string[];
  return { user, pw, host, port: Number(port), db, query };
}

/** libpq's form of the same URI, pointed at the test server. */
const libpqUri = (server: PostgresServer, c: ReturnType<typeof connectionUri>) =>
  `postgresql://${c.user}:${c.pw}@127.0.0.1:${server.port}/${c.db}?${c.query}`;

const BASE = { enabled: true, gitSync: TEST_GIT };
const hex = () => randomBytes(32).toString("hex");

failWhenMissingInCi("Airflow database SQL against a real PostgreSQL", missing);

describe.skipIf(!!missing)(
  "Airflow's database bootstrap against a real PostgreSQL (TLS, RDS-like master)",
  () => {
    let server: PostgresServer;
    const master = { username: RDS_MASTER.username, password: RDS_MASTER.password };

    beforeAll(async () => {
      // As RDS leaves an instance created with db_name: the database exists, owned by the master.
      server = await startPostgres({
        ssl: true,
        setup: [
          `CREATE DATABASE airflow OWNER ${RDS_MASTER.username}`,
          `CREATE DATABASE mlflow OWNER ${RDS_MASTER.username}`,
        ],
      });
    }, 120_000);
    afterAll(() => server?.stop());

    /** Runs Airflow's own bootstrap Job with `password` for the airflow role; it must succeed. */
    const bootstrapAirflow = (json: SynthJson, password: string): Secrets => {
      const secrets = {
        "airflow-db-master": master,
        "airflow-metadata-db": { password, username: "airflow" },
      };
      const run = runPsqlJob(server, json, "airflow-db-bootstrap", secrets);
      expect(run.stderr).not.toMatch(/ERROR/);
      expect(run.status).toBe(0);
      return secrets;
    };

    it("refuses NOSUPERUSER from this master, as RDS does (the bug of Airflow's former script)", () => {
      const r = server.psql(
        { PGUSER: master.username, PGPASSWORD: master.password, PGDATABASE: "postgres" },
        ["-c", "CREATE ROLE probe_nosuper; ALTER ROLE probe_nosuper WITH NOSUPERUSER"],
      );
      expect(r.status).not.toBe(0);
      expect(r.stderr).toMatch(/must be superuser/);
    });

    it("own instance: the Job hands RDS's database to the airflow role, and the connection URI works over TLS", () => {
      const { json } = synthAirflow(BASE);
      const password = hex();
      const secrets = bootstrapAirflow(json, password);
      // Idempotent: the Job's pod may run again (restartPolicy OnFailure, re-applies).
      expect(runPsqlJob(server, json, "airflow-db-bootstrap", secrets).status).toBe(0);

      const owner = server.asSuperuser(
        "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'airflow'",
      );
      expect(owner.stdout.trim()).toBe("airflow");
      const attrs = server.asSuperuser(
        "SELECT rolsuper, rolcreaterole, rolcreatedb, rolcanlogin FROM pg_roles WHERE rolname = 'airflow'",
      );
      expect(attrs.stdout.trim()).toBe("f|f|f|t");

      const c = connectionUri(json, password);
      expect(c.host).toMatch(/^\$\{aws_db_instance\..+\.address\}$/);
      expect([c.user, c.db, c.port, c.query]).toEqual(["airflow", "airflow", 5432, "sslmode=require"]);
      const app = server.psql({}, [
        libpqUri(server, c),
        "-c",
        "CREATE TABLE alembic_probe (x int); SELECT current_user, current_database(), ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid();",
      ]);
      expect(app.stderr).toBe("");
      expect(app.stdout.trim().split("\n")).toEqual(["CREATE TABLE", "airflow|airflow|t"]);
    });

    it("shared with the real MLflow add-on: both Jobs run on one instance, each role only in its own database", () => {
      // Start from an instance that has MLflow's database only (what sharing MLflow's instance finds).
      for (const sql of ["DROP DATABASE airflow", "DROP ROLE airflow"]) {
        expect(server.asSuperuser(sql).status, sql).toBe(0);
      }
      const { json } = synthAirflow({ ...BASE, database: { shareWith: "mlflow" } }, [
        mlflowAddOn({ enabled: true }),
      ]);
      const airflowPw = hex();
      const mlflowPw = hex();
      const secrets: Secrets = {
        "mlflow-db-master": master,
        "mlflow-db": { username: "mlflow", password: mlflowPw },
        // MLflow's basic-auth store: its own role and database on the same instance.
        "mlflow-auth-db-master": master,
        "mlflow-auth-db": { username: "mlflow_auth", password: hex() },
        "airflow-db-master": master,
        "airflow-metadata-db": { username: "airflow", password: airflowPw },
      };
      const jobs = (Object.values(resourcesOf(json, "kubernetes_job_v1")) as Json[]).map(
        (j) => j.metadata.name,
      );
      expect(jobs.sort()).toEqual([
        "airflow-db-bootstrap",
        "mlflow-auth-db-bootstrap",
        "mlflow-db-bootstrap",
      ]);
      for (const name of jobs) {
        const r = runPsqlJob(server, json, name, secrets);
        expect(r.stderr, name).not.toMatch(/ERROR/);
        expect(r.status, name).toBe(0);
      }
      const owners = server.asSuperuser(
        "SELECT datname || '=' || pg_get_userbyid(datdba) FROM pg_database WHERE datname IN ('airflow', 'mlflow', 'mlflow_auth') ORDER BY 1",
      );
      expect(owners.stdout.trim().split("\n")).toEqual([
        "airflow=airflow",
        "mlflow=mlflow",
        "mlflow_auth=mlflow_auth",
      ]);

      const c = connectionUri(json, airflowPw);
      const dbKey = Object.keys(resourcesOf(json, "aws_db_instance"))[0];
      expect(c.host).toBe(`\${aws_db_instance.${dbKey}.address}`);
      const ok = server.psql({}, [libpqUri(server, c), "-c", "SELECT current_user"]);
      expect(ok.stderr).toBe("");
      expect(ok.stdout.trim()).toBe("airflow");
      // CONNECT is revoked from PUBLIC on both application databases.
      const cross = server.psql({}, [libpqUri(server, { ...c, db: "mlflow" }), "-c", "SELECT 1"]);
      expect(cross.status).not.toBe(0);
      expect(cross.stderr).toMatch(/permission denied for database "mlflow"/);
      const back = server.psql({ PGUSER: "mlflow", PGPASSWORD: mlflowPw, PGDATABASE: "airflow" }, [
        "-c",
        "SELECT 1",
      ]);
      expect(back.status).not.toBe(0);
      expect(back.stderr).toMatch(/permission denied for database "airflow"/);
    });

    it.skipIf(!GO)(
      "percent-encodes any password into the URI: the role's password round-trips through it",
      () => {
        const { json } = synthAirflow(BASE);
        // Everything a URI's userinfo may not hold literally, plus what `urlquery` alone gets wrong (a space).
        const password = "p@ss w/rd:+%#?&=~'\"\\ é";
        bootstrapAirflow(json, password);
        const c = connectionUri(json, password, goRender);
        expect(c.pw).toMatch(/^[A-Za-z0-9%._~-]+$/);
        expect(decodeURIComponent(c.pw)).toBe(password);
        const app = server.psql({}, [libpqUri(server, c), "-c", "SELECT current_user"]);
        expect(app.stderr).toBe("");
        expect(app.stdout.trim()).toBe("airflow");
      },
      180_000,
    );
  },
);
