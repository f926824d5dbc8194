/**
 * A real MLflow tracking/registry server on loopback (installed by .ci/steps/inference.sh) and a client that
 * registers model versions the way a training job does, through the server's REST API.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { modelFile } from "./helpers";
import { freePort, type RunningServer, startServer } from "./servers";

/** Starts `mlflow server` with a SQLite store and proxied artifacts under `dir`. */
export async function startMlflow(bin: string, dir: string): Promise<RunningServer> {
  const port = await freePort();
  return startServer(
    bin,
    [
      "server",
      "--backend-store-uri",
      `sqlite:///${dir}/mlflow.db`,
      "--artifacts-destination",
      path.join(dir, "artifacts"),
      "--host",
      "127.0.0.1",
      "--port",
      String(port),
      "--workers",
      "1",
    ],
    port,
    "/health",
    // No telemetry: the test talks to loopback only.
    { ...process.env, MLFLOW_DISABLE_TELEMETRY: "true", DO_NOT_TRACK: "true" },
    150_000,
  );
}

export class MlflowRegistry {
  constructor(readonly url: string) {}

  async call(method: string, api: string, body?: unknown): Promise<Record<string, unknown>> {
    const res = await fetch(`${this.url}/api/2.0/mlflow/${api}`, {
      method,
      headers: { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = (await res.json()) as Record<string, unknown>;
    if (!res.ok) throw new Error(`MLflow ${api} answered ${res.status}: ${JSON.stringify(json)}`);
    return json;
  }

  /**
   * Logs the committed model.onnx of `committedVersion` as a run artifact under `model/`, plus `extra` files
   * beside it (e.g. the drift profile as `profile.json`), and registers it as a new version; returns the
   * version.
   */
  async registerVersion(
    name: string,
    committedVersion: string,
    extra: Record<string, Uint8Array | string> = {},
  ): Promise<string> {
    const run = (await this.call("POST", "runs/create", { experiment_id: "0" })) as {
      run: { info: { run_id: string; artifact_uri: string } };
    };
    const { run_id, artifact_uri } = run.run.info;
    const rel = artifact_uri.replace(/^mlflow-artifacts:\//, "");
    const files = { "model.onnx": await readFile(modelFile(committedVersion)), ...extra };
    for (const [file, body] of Object.entries(files)) {
      const put = await fetch(`${this.url}/api/2.0/mlflow-artifacts/artifacts/${rel}/model/${file}`, {
        method: "PUT",
        body,
      });
      if (!put.ok) throw new Error(`artifact upload of ${file} answered ${put.status}`);
    }
    const mv = (await this.call("POST", "model-versions/create", {
      name,
      source: `${artifact_uri}/model`,
      run_id,
    })) as { model_version: { version: string } };
    return mv.model_version.version;
  }

  setAlias(name: string, alias: string, version: string) {
    return this.call("POST", "registered-models/alias", { name, alias, version });
  }
}
