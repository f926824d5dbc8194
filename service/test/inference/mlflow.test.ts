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
  output,
  profileFile,
  Reference,
  toTensors,
  waitFor,
} from "./helpers";
import { MlflowRegistry, startMlflow } from "./mlflow-server";
import { type RunningServer, requireServerBin } from "./servers";

const MLFLOW = requireServerBin(
  "MLFLOW_BIN",
  "mlflow",
  "MLflow registry alias / hot swap tests",
  "mlflow (pip mlflow)",
);

describe.skipIf(!MLFLOW)("engine with an MLflow registry alias (real MLflow server on loopback)", () => {
  let dir: string;
  let server: RunningServer;
  let mlflow: MlflowRegistry;
  const engines: InferenceEngine[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "inference-mlflow-"));
    server = await startMlflow(MLFLOW as string, dir);
    mlflow = new MlflowRegistry(server.url);
    await mlflow.call("POST", "registered-models/create", { name: MODEL });
    // Version 1 carries its drift profile beside the model file; version 2 has none.
    const profile = await readFile(profileFile("1"));
    expect(await mlflow.registerVersion(MODEL, "1", { "profile.json": profile })).toBe("1");
    expect(await mlflow.registerVersion(MODEL, "2")).toBe("2");
    expect(await mlflow.registerVersion(MODEL, "2", { "profile.json": "{not json" })).toBe("3");
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
    const v1 = engine.loadedVersion(MODEL);
    expect(v1?.profile).toMatchObject({
      state: "found",
      location: expect.stringMatching(/^mlflow-artifacts:\/.+\/model\/profile\.json$/),
      profile: { model: MODEL, version: "1" },
    });
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
    // The swap brought version 2's own (absent) profile, not version 1's.
    expect(engine.loadedVersion(MODEL)).toMatchObject({
      version: "2",
      source: `models:/${MODEL}@champion`,
      profile: { state: "missing", location: expect.stringMatching(/\/model\/profile\.json$/) },
    });
    expect(await metricValue(registry, "inference_model_swaps_total", { model: MODEL })).toBe(1);
    expect(await metricValue(registry, "inference_model_loads_total", { result: "success" })).toBe(2);
    // Concurrent clients were served in merged batches.
    expect((after.sum - before.sum) / (after.count - before.count)).toBeGreaterThan(1);
    console.info(
      `MLflow hot swap: ${total} requests, 0 failures, ${after.count - before.count} runs, ` +
        `mean batch ${((after.sum - before.sum) / (after.count - before.count)).toFixed(2)} rows`,
    );
  });

  it("serves a pinned version (models:/<name>/<version>) and never moves with the alias", async () => {
    const engine = await createEngine({
      models: [{ name: MODEL, source: `models:/${MODEL}/2` }],
      mlflowTrackingUri: server.url,
      workers: 1,
      pollIntervalMs: 100,
    });
    engines.push(engine);
    expect(engine.repositoryIndex()).toEqual([{ name: MODEL, version: "2", state: "READY" }]);
    const example = loadExample("2");
    const r = await engine.infer({ model: MODEL, inputs: toTensors(example.inputs) });
    expect(r.version).toBe("2");
    expect(Array.from(output(r.outputs, "label").data as BigInt64Array).map(Number)).toEqual(example.label);
    // The champion alias moving is nothing to a pinned source: still version 2 after several polls.
    await mlflow.setAlias(MODEL, "champion", "3");
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(engine.loadedVersion(MODEL)?.version).toBe("2");
    await mlflow.setAlias(MODEL, "champion", "1");
  });

  it("fails when the pinned version does not exist: UNAVAILABLE with MLflow's answer", async () => {
    const engine = await createEngine({
      models: [{ name: MODEL, source: `models:/${MODEL}/99` }],
      mlflowTrackingUri: server.url,
      workers: 1,
      pollIntervalMs: 100,
    });
    engines.push(engine);
    expect(engine.ready()).toBe(false);
    expect(engine.repositoryIndex()[0]?.reason).toMatch(
      /MLflow answered 40\d to \/api\/2\.0\/mlflow\/model-versions\/get/,
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

  it("fails when the version's profile.json is not JSON: the version is still served, its profile invalid", async () => {
    await mlflow.setAlias(MODEL, "broken", "3");
    const engine = await createEngine({
      models: [{ name: MODEL, source: `models:/${MODEL}@broken` }],
      mlflowTrackingUri: server.url,
      workers: 1,
      pollIntervalMs: 0,
    });
    engines.push(engine);
    expect(engine.repositoryIndex()).toEqual([{ name: MODEL, version: "3", state: "READY" }]);
    expect(engine.loadedVersion(MODEL)?.profile).toMatchObject({
      state: "invalid",
      location: expect.stringMatching(/^mlflow-artifacts:\/.+\/model\/profile\.json$/),
      reason: expect.stringMatching(/^invalid JSON \(.+\)$/),
    });
    const r = await engine.infer({ model: MODEL, inputs: toTensors(makeRows(2, 3)) });
    expect(r.version).toBe("3");
  });
});
