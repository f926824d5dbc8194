import { randomBytes } from "node:crypto";
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mlflowChartValues, parseMlflowConfig } from "../../../../constructs/addons/mlflow";
import { freePort, type RunningServer, startServer } from "../../../../service/test/inference/servers";
import { failWhenMissingInCi } from "../../../support/ci";

/**
 * Runs a real MLflow server (pip mlflow, pinned in service/test/inference/servers-requirements.txt) configured
 * the way the chart configures it from the kit's values: MLFLOW_SERVER_ALLOWED_HOSTS from `serverAllowedHosts`
 * and basic auth from the INI the chart renders (auth_ini_configmap.yaml), with the `sqliteFile` the kit sets
 * and an ESO-style alphanumeric admin password. Proves the host patterns admit in-cluster names, pod IPs and
 * the ingress host but not others, and that basic auth works with that INI. Loopback only.
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
const MLFLOW = findMlflow();
if (!MLFLOW) {
  const line = "!".repeat(100);
  console.warn(
    `\n${line}\nSKIPPING MLflow add-on server tests: mlflow with the auth extra is not installed.\n` +
      "Install it with: bash .ci/steps/registry.sh (pins in test/constructs/addons/mlflow/server-requirements.txt)\n" +
      `or point REGISTRY_MLFLOW_BIN at the executable.\n${line}\n`,
  );
}

const INGRESS_HOST = "mlflow.internal.example.com";
const config = parseMlflowConfig({
  ingress: { host: INGRESS_HOST, certificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/x" },
});
const values = mlflowChartValues({
  config,
  namespace: "mlflow",
  region: "eu-west-1",
  databaseHost: "db.example.internal",
  databasePort: 5432,
  bucket: "models",
  roleArn: "arn:aws:iam::123456789012:role/mlflow",
  monitoring: false,
  vpcCidr: "10.0.0.0/16",
  // biome-ignore lint/suspicious/noExplicitAny: reading the rendered values
}) as Record<string, any>;

/** An ESO Password generator value with `symbols: 0`: letters and digits only. */
function generatedPassword(length: number): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  return Array.from(randomBytes(length), (b) => alphabet[b % alphabet.length]).join("");
}

function get(port: number, path: string, host: string, auth?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: "127.0.0.1",
        port,
        path,
        method: "GET",
        headers: {
          Host: host,
          ...(auth ? { Authorization: `Basic ${Buffer.from(auth).toString("base64")}` } : {}),
        },
        timeout: 15_000,
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      },
    );
    req.on("timeout", () => req.destroy(new Error(`GET ${path} (Host ${host}) timed out`)));
    req.on("error", reject);
    req.end();
  });
}

failWhenMissingInCi("MLflow server", !MLFLOW && "mlflow not found (bash .ci/steps/registry.sh)");

describe.skipIf(!MLFLOW)("MLflow server with the kit's host allow-list and basic-auth INI", () => {
  const dir = mkdtempSync(join(tmpdir(), "mlflow-addon-"));
  const password = generatedPassword(32);
  let server: RunningServer | undefined;
  let port = 0;
  const search = "/api/2.0/mlflow/experiments/search?max_results=1";

  beforeAll(async () => {
    port = await freePort();
    // The chart's auth_template.ini, with its sed substitutions applied as the init container does.
    const sqlite = String(values.auth.sqliteFile).replace(/^\/tmp\//, `${dir}/`);
    const ini = [
      "[mlflow]",
      `default_permission = ${values.auth.defaultPermission}`,
      `database_uri = sqlite:///${sqlite}`,
      "admin_username = admin",
      `admin_password = ${password}`,
      "authorization_function = mlflow.server.auth:authenticate_request_basic_auth",
      "",
    ].join("\n");
    writeFileSync(join(dir, "basic_auth.ini"), ini);
    server = await startServer(
      MLFLOW as string,
      [
        "server",
        "--host=127.0.0.1",
        `--port=${port}`,
        `--backend-store-uri=sqlite:///${dir}/mlflow.db`,
        `--default-artifact-root=${dir}/artifacts`,
        "--app-name=basic-auth",
        "--workers=1",
      ],
      port,
      "/health",
      {
        ...process.env,
        MLFLOW_SERVER_ALLOWED_HOSTS: (values.serverAllowedHosts as string[]).join(","),
        MLFLOW_AUTH_CONFIG_PATH: join(dir, "basic_auth.ini"),
        MLFLOW_FLASK_SERVER_SECRET_KEY: randomBytes(16).toString("hex"),
        MLFLOW_DISABLE_TELEMETRY: "true",
      },
      120_000,
    );
  }, 150_000);

  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const admin = () => `admin:${password}`;

  it("admits the Service names, pod IPs in private ranges and the ingress host", async () => {
    for (const host of [
      "mlflow.mlflow.svc:5000",
      "mlflow.mlflow.svc.cluster.local:5000",
      "mlflow:5000",
      "10.0.3.7:5000",
      "172.31.2.2:5000",
      "192.168.1.9:5000",
      INGRESS_HOST,
      `localhost:${port}`,
    ]) {
      expect([host, await get(port, search, host, admin())]).toEqual([host, 200]);
    }
  }, 120_000);

  it("answers 403 for other Host headers (DNS rebinding protection stays on)", async () => {
    for (const host of ["evil.example.com", "172.32.0.1:5000", "mlflow.other.svc:5000", "8.8.8.8:5000"]) {
      expect([host, await get(port, search, host, admin())]).toEqual([host, 403]);
    }
  }, 60_000);

  it("answers 401 without or with wrong credentials, and serves the admin from the INI", async () => {
    expect(await get(port, search, "mlflow.mlflow.svc:5000")).toBe(401);
    expect(await get(port, search, "mlflow.mlflow.svc:5000", "admin:wrong")).toBe(401);
    expect(await get(port, search, "mlflow.mlflow.svc:5000", admin())).toBe(200);
  }, 60_000);
});
