import { execFileSync, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { accessSync, chownSync, constants, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { APP_USER_SQL } from "../../../constructs/database";

/**
 * Runs the bootstrap Job's SQL with a real psql against a real PostgreSQL (Debian's postgresql-15, installed by
 * .ci/steps/registry.sh) on loopback, as a master user shaped like RDS's (LOGIN CREATEROLE CREATEDB, not a
 * superuser) that owns the pre-created database, exactly as RDS leaves it.
 */
const BIN_DIR = process.env.POSTGRES_BIN_DIR ?? "/usr/lib/postgresql/15/bin";
function usable(): string | undefined {
  for (const b of ["initdb", "pg_ctl", "psql"]) {
    try {
      accessSync(join(BIN_DIR, b), constants.X_OK);
    } catch {
      return `${join(BIN_DIR, b)} is missing`;
    }
  }
  if (process.getuid?.() === 0 && spawnSync("id", ["postgres"]).status !== 0)
    return "no postgres user to run the server as";
  return undefined;
}
const missing = usable();
if (missing) {
  const line = "!".repeat(100);
  console.warn(
    `\n${line}\nSKIPPING bootstrap SQL tests against PostgreSQL: ${missing}.\n` +
      `Install it with: bash .ci/steps/registry.sh (Debian postgresql-15), or set POSTGRES_BIN_DIR.\n${line}\n`,
  );
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

describe.skipIf(!!missing)("APP_USER_SQL against a real PostgreSQL", () => {
  const dir = mkdtempSync(join(tmpdir(), "pg-app-user-"));
  const data = join(dir, "data");
  const script = join(dir, "app-user.sql");
  let port = 0;
  // initdb and postgres refuse to run as root.
  const asServer = (bin: string, args: string[]) => {
    const root = process.getuid?.() === 0;
    const [cmd, argv] = root
      ? ["setpriv", ["--reuid=postgres", "--regid=postgres", "--init-groups", join(BIN_DIR, bin), ...args]]
      : [join(BIN_DIR, bin), args];
    execFileSync(cmd, argv, { stdio: "pipe", timeout: 60_000 });
  };
  const psql = (env: Record<string, string>, args: string[]) =>
    spawnSync(join(BIN_DIR, "psql"), ["--no-psqlrc", "-v", "ON_ERROR_STOP=1", "-tA", ...args], {
      env: {
        PATH: process.env.PATH ?? "",
        PGHOST: "127.0.0.1",
        PGPORT: String(port),
        PGCONNECT_TIMEOUT: "5",
        ...env,
      },
      encoding: "utf8",
      timeout: 30_000,
    });
  const asSuperuser = (sql: string, db = "postgres") =>
    psql({ PGHOST: dir, PGUSER: "boot", PGDATABASE: db }, ["-c", sql]);
  const MASTER = { PGUSER: "rdsmaster", PGPASSWORD: "master-Pw_1", PGDATABASE: "postgres" };
  const bootstrap = (password: string, db = "mlflow") =>
    psql({ ...MASTER, APP_DB_USER: "mlflow", APP_DB_NAME: db, APP_DB_PASSWORD: password }, [
      `--file=${script}`,
    ]);

  beforeAll(async () => {
    port = await freePort();
    writeFileSync(script, APP_USER_SQL);
    if (process.getuid?.() === 0) {
      const uid = Number(execFileSync("id", ["-u", "postgres"]).toString().trim());
      const gid = Number(execFileSync("id", ["-g", "postgres"]).toString().trim());
      chownSync(dir, uid, gid);
    }
    asServer("initdb", [
      "-D",
      data,
      "-U",
      "boot",
      "--auth-local=trust",
      "--auth-host=scram-sha-256",
      "-E",
      "UTF8",
    ]);
    asServer("pg_ctl", [
      "-D",
      data,
      "-w",
      "-t",
      "60",
      "-l",
      join(dir, "server.log"),
      "-o",
      `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`,
      "start",
    ]);
    // What RDS leaves: a master that is no superuser, owning the database named in `db_name`.
    for (const sql of [
      "CREATE ROLE rdsmaster LOGIN CREATEROLE CREATEDB PASSWORD 'master-Pw_1'",
      "CREATE DATABASE mlflow OWNER rdsmaster",
      "CREATE ROLE other LOGIN PASSWORD 'other-pw'",
    ]) {
      const r = asSuperuser(sql);
      if (r.status !== 0) throw new Error(`${sql}: ${r.stderr}`);
    }
  }, 120_000);

  afterAll(() => {
    try {
      asServer("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

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
