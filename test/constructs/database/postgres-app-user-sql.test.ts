import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { APP_USER_SQL } from "../../../constructs/database";
import { failWhenMissingInCi } from "../../support/ci";
import {
  type PostgresServer,
  postgresMissing,
  RDS_MASTER,
  scratchFile,
  startPostgres,
  warnSkipping,
} from "./postgres-server";

/**
 * Runs the bootstrap Job's SQL with a real psql against a real PostgreSQL (Debian's postgresql-15, installed by
 * .ci/steps/registry.sh) on loopback, as a master user shaped like RDS's (LOGIN CREATEROLE CREATEDB, not a
 * superuser) that owns the pre-created database, exactly as RDS leaves it.
 */
const missing = postgresMissing();
if (missing) warnSkipping("bootstrap SQL tests against PostgreSQL", missing);

failWhenMissingInCi("APP_USER_SQL against a real PostgreSQL", missing);

describe.skipIf(!!missing)("APP_USER_SQL against a real PostgreSQL", () => {
  let server: PostgresServer;
  let script = "";
  const psql = (env: Record<string, string>, args: string[]) => server.psql(env, args);
  const asSuperuser = (sql: string, db = "postgres") => server.asSuperuser(sql, db);
  const MASTER = { PGUSER: RDS_MASTER.username, PGPASSWORD: RDS_MASTER.password, PGDATABASE: "postgres" };
  const bootstrap = (password: string, db = "mlflow") =>
    psql({ ...MASTER, APP_DB_USER: "mlflow", APP_DB_NAME: db, APP_DB_PASSWORD: password }, [
      `--file=${script}`,
    ]);

  beforeAll(async () => {
    // What RDS leaves: a master that is no superuser, owning the database named in `db_name`.
    server = await startPostgres({
      setup: [
        `CREATE DATABASE mlflow OWNER ${RDS_MASTER.username}`,
        "CREATE ROLE other LOGIN PASSWORD 'other-pw'",
      ],
    });
    script = scratchFile(server, "app-user.sql", APP_USER_SQL);
  }, 120_000);

  afterAll(() => server?.stop());

  it("creates the role, hands it the existing database, and is idempotent", () => {
    const first = randomBytes(16).toString("hex");
    const r1 = bootstrap(first);
    expect(r1.stderr).not.toMatch(/ERROR/);
    expect(r1.status).toBe(0);
    const second = randomBytes(16).toString("hex");
    const r2 = bootstrap(second);
    expect(r2.stderr).not.toMatch(/ERROR/);
    expect(r2.status).toBe(0);

    const owner = asSuperuser("SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'mlflow'");
    expect(owner.stdout.trim()).toBe("mlflow");
    const attrs = asSuperuser(
      "SELECT rolsuper, rolcreaterole, rolcreatedb, rolcanlogin FROM pg_roles WHERE rolname = 'mlflow'",
    );
    expect(attrs.stdout.trim()).toBe("f|f|f|t");

    // The latest password works over TCP (scram) and the role can create MLflow's tables; the old one does not.
    const app = psql({ PGUSER: "mlflow", PGPASSWORD: second, PGDATABASE: "mlflow" }, [
      "-c",
      "CREATE TABLE IF NOT EXISTS probe (x int); SELECT current_user;",
    ]);
    expect(app.stderr).toBe("");
    expect(app.stdout.trim().split("\n")).toEqual(["CREATE TABLE", "mlflow"]);
    const old = psql({ PGUSER: "mlflow", PGPASSWORD: first, PGDATABASE: "mlflow" }, ["-c", "SELECT 1"]);
    expect(old.status).not.toBe(0);
    expect(old.stderr).toMatch(/password authentication failed/);
  });

  it("creates a missing database owned by the role", () => {
    const pw = randomBytes(16).toString("hex");
    expect(bootstrap(pw, "fresh_db").status).toBe(0);
    const owner = asSuperuser("SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'fresh_db'");
    expect(owner.stdout.trim()).toBe("mlflow");
  });

  it("keeps other roles out of the application database (CONNECT revoked from PUBLIC)", () => {
    const r = psql({ PGUSER: "other", PGPASSWORD: "other-pw", PGDATABASE: "mlflow" }, ["-c", "SELECT 1"]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/permission denied for database "mlflow"/);
  });

  it("treats the password as data: quotes in it neither break nor inject", () => {
    const hostile = "x'; DROP DATABASE mlflow; --";
    expect(bootstrap(hostile).status).toBe(0);
    expect(asSuperuser("SELECT count(*) FROM pg_database WHERE datname = 'mlflow'").stdout.trim()).toBe("1");
    const app = psql({ PGUSER: "mlflow", PGPASSWORD: hostile, PGDATABASE: "mlflow" }, ["-c", "SELECT 1"]);
    expect(app.stdout.trim()).toBe("1");
  });
});
