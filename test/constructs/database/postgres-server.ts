import { execFileSync, type SpawnSyncReturns, spawnSync } from "node:child_process";
import { accessSync, chmodSync, chownSync, constants, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../../../scripts/jvm/support";
import { type ClusterSecrets, jobProcess } from "../../support/job-process";
import type { SynthJson } from "../../support/synth";
import { selfSignedCertificate } from "../../support/tls";

/**
 * A throwaway PostgreSQL server on loopback for tests of the bootstrap SQL: Debian's postgresql-15 (installed by
 * .ci/steps/registry.sh, which exports POSTGRES_BIN_DIR), optionally with TLS from a self-signed certificate,
 * and a master role shaped like RDS's (LOGIN CREATEROLE CREATEDB, not a superuser).
 */
export const POSTGRES_BIN_DIR = process.env.POSTGRES_BIN_DIR ?? "/usr/lib/postgresql/15/bin";
export const RDS_MASTER = { username: "rdsmaster", password: "master-Pw_1" } as const;

/** Why a real server cannot run here, or undefined when it can. */
export function postgresMissing(options: { ssl?: boolean } = {}): string | undefined {
  for (const b of ["initdb", "pg_ctl", "psql"]) {
    try {
      accessSync(join(POSTGRES_BIN_DIR, b), constants.X_OK);
    } catch {
      return `${join(POSTGRES_BIN_DIR, b)} is missing`;
    }
  }
  if (process.getuid?.() === 0 && spawnSync("id", ["postgres"]).status !== 0) {
    return "no postgres user to run the server as";
  }
  if (options.ssl && spawnSync("openssl", ["version"]).status !== 0)
    return "openssl is missing (TLS test server)";
  return undefined;
}

/** The loud banner a suite prints when it skips for lack of a server. */
export function warnSkipping(what: string, missing: string): void {
  const line = "!".repeat(100);
  console.warn(
    `\n${line}\nSKIPPING ${what}: ${missing}.\n` +
      `Install it with: bash .ci/steps/registry.sh (Debian postgresql-15), or set POSTGRES_BIN_DIR.\n${line}\n`,
  );
}

export interface PostgresServer {
  readonly port: number;
  readonly dir: string;
  /** psql over TCP to 127.0.0.1:port with only PATH and `env` in its environment. */
  psql(env: Record<string, string>, args: string[]): SpawnSyncReturns<string>;
  /** One statement as the bootstrap superuser (over the Unix socket). */
  asSuperuser(sql: string, db?: string): SpawnSyncReturns<string>;
  stop(): void;
}

/** Starts a server and creates the RDS-like master (plus `setup` statements, run as superuser). */
export async function startPostgres(
  options: { ssl?: boolean; setup?: string[] } = {},
): Promise<PostgresServer> {
  const dir = mkdtempSync(join(tmpdir(), "pg-test-"));
  const data = join(dir, "data");
  const port = await freePort();
  const root = process.getuid?.() === 0;
  let owner: { uid: number; gid: number } | undefined;
  if (root) {
    owner = {
      uid: Number(execFileSync("id", ["-u", "postgres"]).toString().trim()),
      gid: Number(execFileSync("id", ["-g", "postgres"]).toString().trim()),
    };
    chownSync(dir, owner.uid, owner.gid);
  }
  // initdb and postgres refuse to run as root.
  const asServer = (bin: string, args: string[]) => {
    const [cmd, argv] = root
      ? [
          "setpriv",
          ["--reuid=postgres", "--regid=postgres", "--init-groups", join(POSTGRES_BIN_DIR, bin), ...args],
        ]
      : [join(POSTGRES_BIN_DIR, bin), args];
    execFileSync(cmd, argv, { stdio: "pipe", timeout: 60_000 });
  };
  const serverOptions = [`-p ${port}`, `-k ${dir}`, "-c listen_addresses=127.0.0.1"];
  if (options.ssl) {
    const cert = join(dir, "server.crt");
    const key = join(dir, "server.key");
    selfSignedCertificate({ keyPath: key, certPath: cert, commonName: "127.0.0.1" });
    chmodSync(key, 0o600);
    if (owner) {
      chownSync(key, owner.uid, owner.gid);
      chownSync(cert, owner.uid, owner.gid);
    }
    serverOptions.push("-c ssl=on", `-c ssl_cert_file=${cert}`, `-c ssl_key_file=${key}`);
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
    serverOptions.join(" "),
    "start",
  ]);

  const psql = (env: Record<string, string>, args: string[]) =>
    spawnSync(join(POSTGRES_BIN_DIR, "psql"), ["--no-psqlrc", "-v", "ON_ERROR_STOP=1", "-tA", ...args], {
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
  const server: PostgresServer = {
    port,
    dir,
    psql,
    asSuperuser,
    stop: () => {
      try {
        asServer("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
  try {
    for (const sql of [
      `CREATE ROLE ${RDS_MASTER.username} LOGIN CREATEROLE CREATEDB PASSWORD '${RDS_MASTER.password}'`,
      ...(options.setup ?? []),
    ]) {
      const r = asSuperuser(sql);
      if (r.status !== 0) throw new Error(`${sql}: ${r.stderr}`);
    }
  } catch (e) {
    server.stop();
    throw e;
  }
  return server;
}

/** Writes a file into the server's scratch directory and returns its path. */
export function scratchFile(server: PostgresServer, name: string, content: string): string {
  const path = join(server.dir, name);
  writeFileSync(path, content);
  return path;
}

/**
 * Runs a synthesized psql bootstrap Job (command, env, SQL from its ConfigMap) with the real psql against
 * `server`: only what the cluster supplies is filled in — the Secrets' values, and the server's loopback address
 * instead of the RDS endpoint.
 */
export function runPsqlJob(
  server: PostgresServer,
  json: SynthJson,
  jobName: string,
  secrets: ClusterSecrets,
): SpawnSyncReturns<string> {
  const { argv, env } = jobProcess(json, jobName, secrets, server.dir);
  if (env.PGSSLMODE !== "require") throw new Error(`${jobName}: PGSSLMODE is ${env.PGSSLMODE}, not require`);
  const [bin, ...args] = argv;
  if (bin !== "psql") throw new Error(`${jobName}: runs ${bin}, not psql`);
  return spawnSync(join(POSTGRES_BIN_DIR, "psql"), args, {
    env: { PATH: process.env.PATH ?? "", ...env, PGHOST: "127.0.0.1", PGPORT: String(server.port) },
    encoding: "utf8",
    timeout: 30_000,
  });
}
