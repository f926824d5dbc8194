import { randomBytes } from "node:crypto";
import { accessSync, constants, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "vitest";
import type { MlflowConfigInput, MlflowOutputs } from "../../../../constructs/addons/mlflow";
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
import { chartServer } from "./chart-server";
import { clusterSecrets, type Json, mlflowValues, synthMlflow } from "./support";

/**
 * Two real MLflow tracking servers (the chart's MLflow, pinned in server-requirements.txt) standing for the
 * add-on's two replicas: both configured as the chart configures a pod from the kit's synthesized values
 * (chart-server.ts), on one real PostgreSQL over TLS (Debian's postgresql-15) where the add-on's own bootstrap
 * Jobs, run as synthesized, created the backend and auth roles and databases as an RDS-like master. Loopback only.
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

export interface Replicas {
  readonly json: SynthJson;
  readonly values: Json;
  readonly outputs: MlflowOutputs;
  /** `${aws_db_instance.<key>.address}`: what the values name as the database host. */
  readonly rdsAddress: string;
  readonly postgres: PostgresServer;
  readonly secrets: ClusterSecrets;
  readonly replicas: readonly [Replica, Replica];
  /** `admin:<password>` from the admin Secret. */
  readonly admin: string;
  stop(): Promise<void>;
}

export async function startReplicas(config: MlflowConfigInput = {}): Promise<Replicas> {
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
  const started: RunningServer[] = [];
  const stop = async () => {
    await Promise.all(started.map((s) => s.stop()));
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
    const replicas: Replica[] = [];
    // One after the other, as a rolling start would: the first migrates both stores.
    for (const name of ["a", "b"]) {
      const port = await freePort();
      const home = join(dir, name);
      mkdirSync(home);
      const authConfigPath = join(home, "basic_auth.ini");
      const process_ = chartServer(values, {
        secrets,
        port,
        database: {
          from: { host: rdsAddress, port: 5432 },
          to: { host: "127.0.0.1", port: postgres.port },
        },
        artifactsDir: join(dir, "artifacts"),
        authConfigPath,
        flaskSecretKey,
      });
      writeFileSync(authConfigPath, process_.authIni);
      const server = await startServer(
        MLFLOW_BIN as string,
        process_.args,
        port,
        "/health",
        { PATH: process.env.PATH ?? "", HOME: home, ...process_.env },
        120_000,
      );
      started.push(server);
      replicas.push({ port, server });
    }
    const admin = secrets["mlflow-admin"];
    return {
      json,
      values,
      outputs,
      rdsAddress,
      postgres,
      secrets,
      replicas: replicas as unknown as readonly [Replica, Replica],
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
