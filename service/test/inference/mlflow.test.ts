import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Registry } from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type InferenceEngine, ModelNotReadyError } from "../../src/contracts";
import { createEngine } from "../../src/inference";
import {
  batchStats,
  loadExample,
  MODEL,
  makeRows,
  metricValue,
  modelFile,
  output,
  Reference,
  toTensors,
  waitFor,
} from "./helpers";
import { findServerBin, freePort, type RunningServer, skipBanner, startServer } from "./servers";

const MLFLOW = findServerBin("MLFLOW_BIN", "mlflow");
if (!MLFLOW) skipBanner("MLflow registry alias / hot swap tests", "mlflow (pip mlflow)", "MLFLOW_BIN");

/** Registers model versions the way a training job does, through the REST API of the real server. */
class MlflowRegistry {
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

  /** Logs the committed model.onnx as a run artifact and registers it as a new version; returns the version. */
  async registerVersion(name: string, committedVersion: string): Promise<string> {
    const run = (await this.call("POST", "runs/create", { experiment_id: "0" })) as {
      run: { info: { run_id: string; artifact_uri: string } };
    };
    const { run_id, artifact_uri } = run.run.info;
    const rel = artifact_uri.replace(/^mlflow-artifacts:\//, "");
    const put = await fetch(`${this.url}/api/2.0/mlflow-artifacts/artifacts/${rel}/model/model.onnx`, {
      method: "PUT",
      body: await readFile(modelFile(committedVersion)),
    });
    if (!put.ok) throw new Error(`artifact upload answered ${put.status}`);
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

describe.skipIf(!MLFLOW)("engine with an MLflow registry alias (real MLflow server on loopback)", () => {
  let dir: string;
  let server: RunningServer;
  let mlflow: MlflowRegistry;
  const engines: InferenceEngine[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "inference-mlflow-"));
    const port = await freePort();
    server = await startServer(
      MLFLOW as string,
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
    mlflow = new MlflowRegistry(server.url);
    await mlflow.call("POST", "registered-models/create", { name: MODEL });
    expect(await mlflow.registerVersion(MODEL, "1")).toBe("1");
    expect(await mlflow.registerVersion(MODEL, "2")).toBe("2");
    await mlflow.setAlias(MODEL, "champion", "1");
  });

  afterAll(async () => {
    await Promise.all(engines.map((e) => e.close()));
    await server?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("follows the alias and swaps v1 → v2 during a burst of requests without a single failure", async () => {
    const registry = new Registry();
    const engine = await createEngine({
      models: [{ name: MODEL, source: `models:/${MODEL}@champion` }],
      mlflowTrackingUri: server.url,
      workers: 2,
      maxBatchSize: 16,
      maxBatchDelayMicros: 1000,
      pollIntervalMs: 200,
      registry,
    });
    engines.push(engine);
    expect(engine.repositoryIndex()).toEqual([{ name: MODEL, version: "1", state: "READY" }]);
    const example = loadExample("1");
    const first = await engine.infer({ model: MODEL, inputs: toTensors(example.inputs) });
    expect(Array.from(output(first.outputs, "label").data as BigInt64Array).map(Number)).toEqual(
      example.label,
    );

    const refs = { "1": await Reference.open("1"), "2": await Reference.open("2") };
    const clients = 8;
    const rowsOf = Array.from({ length: clients }, (_, c) => makeRows(500 + c, 1 + (c % 3)));
    const expected = await Promise.all(
      rowsOf.map(async (rows) => ({ "1": await refs["1"].run(rows), "2": await refs["2"].run(rows) })),
    );
    const seen: string[][] = rowsOf.map(() => []);
    const failures: unknown[] = [];
    let total = 0;
    let aliasMoved = false;
    const deadline = Date.now() + 60_000;

    const client = async (c: number) => {
      const rows = rowsOf[c] as Record<string, (number | string)[]>;
      let afterSwap = 0;
      // Bounded: ends 30 responses after this client saw v2, or at the deadline.
      while (afterSwap < 30 && Date.now() < deadline) {
        try {
          const r = await engine.infer({ model: MODEL, inputs: toTensors(rows) });
          total++;
          (seen[c] as string[]).push(r.version);
          const want = expected[c]?.[r.version as "1" | "2"];
          expect(want, `unexpected version ${r.version}`).toBeDefined();
          expect(Array.from(output(r.outputs, "label").data as BigInt64Array)).toEqual(want?.label);
          expect(Array.from(output(r.outputs, "probabilities").data as Float32Array)).toEqual(
            want?.probabilities,
          );
          if (r.version === "2") afterSwap++;
        } catch (err) {
          failures.push(err);
          if (failures.length > 20) return;
        }
        if (total >= 200 && !aliasMoved) {
          aliasMoved = true;
          await mlflow.setAlias(MODEL, "champion", "2");
        }
      }
    };
    const before = await batchStats(registry);
    await Promise.all(Array.from({ length: clients }, (_, c) => client(c)));
    const after = await batchStats(registry);
    await refs["1"].release();
    await refs["2"].release();

    expect(failures).toEqual([]);
    expect(aliasMoved).toBe(true);
    for (const versions of seen) {
      expect(versions[0]).toBe("1");
      expect(versions.at(-1)).toBe("2");
      // Routing switches once: a client never goes back to v1 after it got v2.
      expect(versions.slice(versions.indexOf("2"))).not.toContain("1");
    }
    expect(engine.repositoryIndex()).toEqual([{ name: MODEL, version: "2", state: "READY" }]);
    expect(engine.metadata(MODEL)?.versions).toEqual(["2"]);
    expect(await metricValue(registry, "inference_model_swaps_total", { model: MODEL })).toBe(1);
    expect(await metricValue(registry, "inference_model_loads_total", { result: "success" })).toBe(2);
    // Concurrent clients were served in merged batches.
    expect((after.sum - before.sum) / (after.count - before.count)).toBeGreaterThan(1);
    console.info(
      `MLflow hot swap: ${total} requests, 0 failures, ${after.count - before.count} runs, ` +
        `mean batch ${((after.sum - before.sum) / (after.count - before.count)).toFixed(2)} rows`,
    );
  });

  it("fails when the alias does not exist: UNAVAILABLE with MLflow's answer, READY once the alias is set", async () => {
    const engine = await createEngine({
      models: [{ name: MODEL, source: `models:/${MODEL}@challenger` }],
      mlflowTrackingUri: server.url,
      workers: 1,
      pollIntervalMs: 100,
    });
    engines.push(engine);
    expect(engine.ready()).toBe(false);
    const entry = engine.repositoryIndex()[0];
    expect(entry?.state).toBe("UNAVAILABLE");
    expect(entry?.reason).toMatch(
      /MLflow answered 40\d to \/api\/2\.0\/mlflow\/registered-models\/alias.*challenger/,
    );
    await expect(engine.infer({ model: MODEL, inputs: toTensors(makeRows(1, 1)) })).rejects.toBeInstanceOf(
      ModelNotReadyError,
    );

    // The engine keeps polling a model that failed to load, so it serves once the alias exists.
    await mlflow.setAlias(MODEL, "challenger", "1");
    await waitFor("the polled alias to load", () => engine.ready());
    expect(engine.repositoryIndex()).toEqual([{ name: MODEL, version: "1", state: "READY" }]);
    const r = await engine.infer({ model: MODEL, inputs: toTensors(makeRows(1, 1)) });
    expect(r.version).toBe("1");
  });
});
