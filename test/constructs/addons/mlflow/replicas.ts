import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { accessSync, constants, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { expect } from "vitest";
import {
  MLFLOW_MIGRATION_CONTAINER,
  type MlflowConfigInput,
  type MlflowOutputs,
} from "../../../../constructs/addons/mlflow";
import { freePort, type RunningServer, startServer } from "../../../../service/test/inference/servers";
import type { ClusterSecrets } from "../../../support/job-process";
import { resourcesOf, type SynthJson } from "../../../support/synth";
import {
  type PostgresServer,
  postgresMissing,
  RDS_MASTER,
  runPsqlJob,
  startPostgres,
} from "../../database/postgres-server";
import { type ChartServer, chartInitContainer, chartServer, type InitContainerProcess } from "./chart-server";
import { clusterSecrets, type Json, mlflowValues, synthMlflow } from "./support";

/**
 * Two real MLflow tracking servers (the chart's MLflow, pinned in server-requirements.txt) standing for the
 * add-on's two replicas: both configured as the chart configures a pod from the kit's synthesized values
 * (chart-server.ts), on one real PostgreSQL over TLS (Debian's postgresql-15) where the add-on's own bootstrap
 * Jobs, run as synthesized, created the backend and auth roles and databases as an RDS-like master. Before the
 * servers, each pod's migration init container (the kit's, as synthesized) runs, both at once. Loopback only.
 */
function findMlflow(): string | undefined {
  for (const bin of [process.env.REGISTRY_MLFLOW_BIN, "/opt/mlops-kit/registry-mlflow-venv/bin/mlflow"]) {
    if (!bin) continue;
    try {
      accessSync(bin, constants.X_OK);
      return bin;
    } catch {
      // try the next
    }
  }
  return undefined;
}
export const MLFLOW_BIN = findMlflow();

/** Why the replicas cannot run here, or undefined. */
export function replicasMissing(): string | undefined {
  if (!MLFLOW_BIN) return "mlflow with the auth extra is not installed (bash .ci/steps/registry.sh)";
  return postgresMissing({ ssl: true });
}

export function warnReplicasMissing(what: string, missing: string): void {
  const line = "!".repeat(100);
  console.warn(
    `\n${line}\nSKIPPING ${what}: ${missing}.\nInstall with: bash .ci/steps/registry.sh (MLflow pinned in ` +
      "test/constructs/addons/mlflow/server-requirements.txt, PostgreSQL 15), or set REGISTRY_MLFLOW_BIN " +
      `and POSTGRES_BIN_DIR.\n${line}\n`,
  );
}

function onlyKey(json: SynthJson, type: string): string {
  const keys = Object.keys(resourcesOf(json, type));
  if (keys.length !== 1) throw new Error(`expected one ${type}, found ${keys.length}`);
  return keys[0];
}

export interface Replica {
  readonly port: number;
  readonly server: RunningServer;
}

/**
 * A first install up to the pods: the synthesized release, a real PostgreSQL over TLS where the add-on's bootstrap
 * Jobs, run as synthesized, created the roles and the empty databases, and the Secrets the cluster would hold.
 */
export interface Installation {
  readonly json: SynthJson;
  readonly values: Json;
  readonly outputs: MlflowOutputs;
  /** `${aws_db_instance.<key>.address}`: what the values name as the database host. */
  readonly rdsAddress: string;
  readonly postgres: PostgresServer;
  readonly secrets: ClusterSecrets;
  /** Scratch directory of the pods. */
  readonly dir: string;
  /** The chart's generated flask-server-secret-key (one Secret for every pod). */
  readonly flaskSecretKey: string;
  stop(): void;
}

export async function install(config: MlflowConfigInput = {}): Promise<Installation> {
  const { json, outputs } = synthMlflow(config);
  const values = mlflowValues(json);
  // The RDS endpoint as the release's values hold it: a reference to the add-on's only instance.
  const rdsAddress = `\${aws_db_instance.${onlyKey(json, "aws_db_instance")}.address}`;
  const postgres = await startPostgres({
    ssl: true,
    // What RDS leaves: the instance's db_name exists, owned by the master.
    setup: [`CREATE DATABASE ${values.backendStore.postgres.database} OWNER ${RDS_MASTER.username}`],
  });
  const dir = mkdtempSync(join(tmpdir(), "mlflow-replicas-"));
  const stop = () => {
    postgres.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const secrets = clusterSecrets(json, RDS_MASTER);
    for (const job of ["mlflow-db-bootstrap", "mlflow-auth-db-bootstrap"]) {
      const run = runPsqlJob(postgres, json, job, secrets);
      expect(run.stderr, job).not.toMatch(/ERROR/);
      expect(run.status, job).toBe(0);
    }
    const flaskSecretKey = randomBytes(16).toString("hex");
    return { json, values, outputs, rdsAddress, postgres, secrets, dir, flaskSecretKey, stop };
  } catch (e) {
    stop();
    throw e;
  }
}

/** One pod of the release as local processes: its migration init container and its server container. */
export interface Pod {
  readonly port: number;
  readonly home: string;
  readonly migration: InitContainerProcess;
  readonly server: ChartServer;
}

/** A pod's files as its init containers leave them (the auth INI) and the processes of its containers. */
export async function pod(inst: Installation, name: string): Promise<Pod> {
  const port = await freePort();
  const home = join(inst.dir, name);
  const iniDir = join(home, "ini-file");
  const tmp = join(home, "tmp");
  mkdirSync(iniDir, { recursive: true });
  mkdirSync(tmp, { recursive: true });
  const database = {
    from: { host: inst.rdsAddress, port: 5432 },
    to: { host: "127.0.0.1", port: inst.postgres.port },
  };
  const server = chartServer(inst.values, {
    secrets: inst.secrets,
    port,
    database,
    artifactsDir: join(inst.dir, "artifacts"),
    authConfigPath: join(iniDir, "auth_result.ini"),
    flaskSecretKey: inst.flaskSecretKey,
  });
  writeFileSync(join(iniDir, "auth_result.ini"), server.authIni);
  const migration = chartInitContainer(inst.values, MLFLOW_MIGRATION_CONTAINER, {
    secrets: inst.secrets,
    database,
    volumes: { tmp, "ini-file": iniDir },
  });
  return { port, home, migration, server };
}

export interface MigrationRun {
  readonly status: number | null;
  /** stdout and stderr. */
  readonly output: string;
  /** Date.now() at spawn and at exit. */
  readonly startedAt: number;
  readonly endedAt: number;
}

export interface RunningMigration {
  readonly done: Promise<MigrationRun>;
  running(): boolean;
}

/** Starts a pod's migration init container (its `python` is the venv's, standing for the image's). */
export function startMigration(p: Pod, timeoutMs = 240_000): RunningMigration {
  const [bin, ...args] = p.migration.argv;
  if (bin !== "python") throw new Error(`the migration runs ${bin}, not python`);
  const python = join(dirname(MLFLOW_BIN as string), "python");
  const startedAt = Date.now();
  const child = spawn(python, args, {
    env: { PATH: process.env.PATH ?? "", HOME: p.home, ...p.migration.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const keep = (b: Buffer) => {
    output += b.toString();
  };
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  let exited = false;
  const killer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  const done = new Promise<MigrationRun>((resolve) =>
    child.on("exit", (status) => {
      exited = true;
      clearTimeout(killer);
      resolve({ status, output, startedAt, endedAt: Date.now() });
    }),
  );
  return { done, running: () => !exited };
}

export interface Replicas extends Installation {
  readonly replicas: readonly [Replica, Replica];
  /** The two pods' migration init containers, run at once on the empty databases. */
  readonly migrations: readonly MigrationRun[];
  /** `admin:<password>` from the admin Secret. */
  readonly admin: string;
  stop(): Promise<void>;
}

/**
 * A first install of two replicas: both pods' migration init containers start at once on the empty databases
 * (and must both succeed), then both servers start at once.
 */
export async function startReplicas(config: MlflowConfigInput = {}): Promise<Replicas> {
  const inst = await install(config);
  const started: RunningServer[] = [];
  const stop = async () => {
    await Promise.all(started.map((s) => s.stop()));
    inst.stop();
  };
  try {
    const pods = [await pod(inst, "a"), await pod(inst, "b")];
    const migrations = await Promise.all(pods.map((p) => startMigration(p).done));
    for (const m of migrations) expect(m.status, m.output).toBe(0);
    const servers = await Promise.allSettled(
      pods.map((p) =>
        startServer(
          MLFLOW_BIN as string,
          p.server.args,
          p.port,
          "/health",
          { PATH: process.env.PATH ?? "", HOME: p.home, ...p.server.env },
          120_000,
        ),
      ),
    );
    for (const s of servers) if (s.status === "fulfilled") started.push(s.value);
    for (const s of servers) if (s.status === "rejected") throw s.reason;
    const replicas = pods.map((p, i) => ({ port: p.port, server: started[i] }));
    const admin = inst.secrets["mlflow-admin"];
    return {
      ...inst,
      replicas: replicas as unknown as readonly [Replica, Replica],
      migrations,
      admin: `${admin.username}:${admin.password}`,
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}

export interface Answer {
  readonly status: number;
  readonly body: Json;
}

/** One HTTP request to a replica, with basic auth `user:password` and the Host header given. */
export function request(
  replica: Replica,
  method: string,
  path: string,
  options: { auth?: string; body?: unknown; host?: string } = {},
): Promise<Answer> {
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: "127.0.0.1",
        port: replica.port,
        path,
        method,
        headers: {
          Host: options.host ?? `mlflow.mlflow.svc:5000`,
          ...(payload ? { "Content-Type": "application/json" } : {}),
          ...(options.auth ? { Authorization: `Basic ${Buffer.from(options.auth).toString("base64")}` } : {}),
        },
        timeout: 30_000,
      },
      (res) => {
        let text = "";
        res.on("data", (c) => {
          text += c;
        });
        res.on("end", () => {
          let body: Json = {};
          try {
            body = JSON.parse(text) as Json;
          } catch {
            body = { text };
          }
          resolve({ status: res.statusCode ?? 0, body });
        });
      },
    );
    req.on("timeout", () => req.destroy(new Error(`${method} ${path} timed out`)));
    req.on("error", reject);
    req.end(payload);
  });
}
