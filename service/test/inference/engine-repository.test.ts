import { cp, mkdir, mkdtemp, rename, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Registry } from "prom-client";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { type InferenceEngine, ModelNotFoundError, ModelNotReadyError } from "../../src/contracts";
import { createEngine } from "../../src/inference";
import { MODEL, MODELS_DIR, makeRows, metricValue, output, Reference, toTensors, waitFor } from "./helpers";

const engines: InferenceEngine[] = [];
const tmpDirs: string[] = [];
afterEach(async () => {
  await Promise.all(engines.splice(0).map((e) => e.close()));
});
afterAll(async () => {
  await Promise.all(tmpDirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function start(options: Parameters<typeof createEngine>[0]) {
  const engine = await createEngine(options);
  engines.push(engine);
  return engine;
}

/** A model repository holding only the given committed versions of the readmission model. */
async function repoWith(...versions: string[]): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "inference-repo-"));
  tmpDirs.push(dir);
  for (const v of versions) await publish(dir, v);
  return dir;
}

/** Copies aside, then renames into place: a poll never sees a half-copied version. */
async function publish(dir: string, version: string): Promise<void> {
  const staging = path.join(dir, `.staging-${version}`);
  await cp(path.join(MODELS_DIR, MODEL, version), staging, { recursive: true });
  await mkdir(path.join(dir, MODEL), { recursive: true });
  await rename(staging, path.join(dir, MODEL, version));
}

describe("engine model repository: load and unload", () => {
  it("lists the model READY with the highest version of its repository", async () => {
    const engine = await start({
      models: [{ name: MODEL, source: MODELS_DIR }],
      workers: 1,
      pollIntervalMs: 0,
    });
    expect(engine.repositoryIndex()).toEqual([{ name: MODEL, version: "2", state: "READY" }]);
    expect(engine.ready()).toBe(true);
    expect(engine.isReady(MODEL)).toBe(true);
    expect(engine.isReady(MODEL, "2")).toBe(true);
  });

  it("drains in-flight requests on unload, then refuses requests until loaded again", async () => {
    const registry = new Registry();
    const engine = await start({
      models: [{ name: MODEL, source: MODELS_DIR }],
      workers: 1,
      maxBatchSize: 64,
      maxBatchDelayMicros: 200_000,
      pollIntervalMs: 0,
      registry,
    });
    // Queued behind a 200 ms batching delay when unload starts: unload must wait for them, not fail them.
    const inFlight = Array.from({ length: 8 }, (_, i) =>
      engine.infer({ model: MODEL, inputs: toTensors(makeRows(i, 1)) }),
    );
    const unloaded = engine.unload(MODEL);
    expect(engine.repositoryIndex()[0]?.state).toBe("UNLOADING");
    const settled = await Promise.allSettled(inFlight);
    expect(settled.map((s) => s.status)).toEqual(Array(8).fill("fulfilled"));
    await unloaded;

    expect(engine.repositoryIndex()).toEqual([{ name: MODEL, state: "UNAVAILABLE", reason: "unloaded" }]);
    expect(engine.ready()).toBe(false);
    expect(engine.isReady(MODEL)).toBe(false);
    expect(engine.metadata(MODEL)).toBeUndefined();
    await expect(engine.infer({ model: MODEL, inputs: toTensors(makeRows(9, 1)) })).rejects.toBeInstanceOf(
      ModelNotReadyError,
    );
    expect(await registry.metrics()).not.toMatch(/inference_model_version_info\{/);

    await engine.load(MODEL);
    expect(engine.repositoryIndex()).toEqual([{ name: MODEL, version: "2", state: "READY" }]);
    const r = await engine.infer({ model: MODEL, inputs: toTensors(makeRows(10, 2)) });
    expect(output(r.outputs, "label").shape).toEqual([2]);
    expect(await metricValue(registry, "inference_model_loads_total", { result: "success" })).toBe(2);
  });

  it("fails when loading or unloading a model that is not configured", async () => {
    const engine = await start({
      models: [{ name: MODEL, source: MODELS_DIR }],
      workers: 1,
      pollIntervalMs: 0,
    });
    await expect(engine.load("churn")).rejects.toBeInstanceOf(ModelNotFoundError);
    await expect(engine.unload("churn")).rejects.toBeInstanceOf(ModelNotFoundError);
  });

  it("fails when a source has no model: the model is UNAVAILABLE with the reason and others still serve", async () => {
    const empty = await repoWith();
    const engine = await start({
      models: [
        { name: MODEL, source: MODELS_DIR },
        { name: "churn", source: empty },
      ],
      workers: 1,
      pollIntervalMs: 0,
    });
    const churn = engine.repositoryIndex().find((e) => e.name === "churn");
    expect(churn?.state).toBe("UNAVAILABLE");
    expect(churn?.reason).toContain(`model directory ${path.join(empty, "churn")} does not exist`);
    expect(engine.ready()).toBe(false);
    await expect(engine.infer({ model: "churn", inputs: [] })).rejects.toBeInstanceOf(ModelNotReadyError);
    await expect(engine.load("churn")).rejects.toThrow(/does not exist/);
    const r = await engine.infer({ model: MODEL, inputs: toTensors(makeRows(1, 1)) });
    expect(r.version).toBe("2");
  });

  it("fails when options are invalid, naming the option", async () => {
    await expect(createEngine({ models: [{ name: MODEL, source: MODELS_DIR }], workers: 0 })).rejects.toThrow(
      "engine option workers must be an integer >= 1, got 0",
    );
    await expect(createEngine({ models: [{ name: "a/b", source: MODELS_DIR }] })).rejects.toThrow(
      "models[0].name must match",
    );
    await expect(createEngine({ models: [{ name: MODEL, source: "ftp://host/models" }] })).rejects.toThrow(
      "source 'ftp://host/models' is not supported",
    );
    await expect(
      createEngine({ models: [{ name: MODEL, source: "models:/readmission@champion" }] }),
    ).rejects.toThrow(/MLFLOW_TRACKING_URI/);
  });
});

describe("engine hot swap from a local repository", () => {
  it("swaps to a newly published version under load without failing a request", async () => {
    const registry = new Registry();
    const repo = await repoWith("1");
    const engine = await start({
      models: [{ name: MODEL, source: repo }],
      workers: 2,
      maxBatchDelayMicros: 1000,
      pollIntervalMs: 100,
      registry,
    });
    expect(engine.repositoryIndex()[0]?.version).toBe("1");
    const ref2 = await Reference.open("2");
    const rows = makeRows(77, 3);
    const versions: string[] = [];
    const perClient: string[][] = [];
    const failures: unknown[] = [];
    const deadline = Date.now() + 60_000;
    let sent = 0;
    const client = async () => {
      const mine: string[] = [];
      perClient.push(mine);
      // Bounded: each client stops 20 responses after it got version 2, or at the deadline.
      let afterSwap = 0;
      while (afterSwap < 20 && Date.now() < deadline) {
        sent++;
        try {
          const r = await engine.infer({ model: MODEL, inputs: toTensors(rows) });
          versions.push(r.version);
          mine.push(r.version);
          if (r.version === "2") {
            afterSwap++;
            const want = await ref2.run(rows);
            expect(Array.from(output(r.outputs, "probabilities").data as Float32Array)).toEqual(
              want.probabilities,
            );
          }
        } catch (err) {
          failures.push(err);
        }
      }
    };
    const clients = [client(), client()];
    await waitFor("version 1 responses", () => versions.length > 20);
    await publish(repo, "2");
    await Promise.all(clients);
    await ref2.release();

    expect(failures).toEqual([]);
    expect(versions.length).toBe(sent);
    expect(versions).toContain("1");
    for (const seen of perClient) expect(seen.at(-1)).toBe("2");
    // Once a caller saw version 2, routing never sent it back to version 1.
    for (const seen of perClient) expect(seen.slice(seen.indexOf("2"))).not.toContain("1");
    expect(engine.repositoryIndex()[0]?.version).toBe("2");
    expect(await metricValue(registry, "inference_model_swaps_total", { model: MODEL })).toBe(1);
    const text = await registry.metrics();
    expect(text).toMatch(/inference_model_version_info\{model="readmission",version="2"/);
    expect(text).not.toMatch(/inference_model_version_info\{model="readmission",version="1"/);
  });
});

describe("engine worker pool", () => {
  it("respawns a worker that died, loads its sessions again and keeps serving", async () => {
    const registry = new Registry();
    const engine = await start({
      models: [{ name: MODEL, source: MODELS_DIR }],
      workers: 1,
      maxBatchDelayMicros: 0,
      pollIntervalMs: 0,
      registry,
    });
    // White-box: kill the thread under the pool, as a native crash in onnxruntime would.
    const pool = (engine as unknown as { workers: { worker: { terminate(): Promise<number> } }[] }).workers;
    const first = pool[0];
    await first?.worker.terminate();
    const ref = await Reference.open("2");
    const rows = makeRows(5, 2);
    const r = await engine.infer({ model: MODEL, inputs: toTensors(rows) });
    expect(pool[0]).not.toBe(first);
    expect(r.version).toBe("2");
    expect(Array.from(output(r.outputs, "probabilities").data as Float32Array)).toEqual(
      (await ref.run(rows)).probabilities,
    );
    await ref.release();
    expect(await metricValue(registry, "inference_workers")).toBe(1);
  });
});
