/**
 * Explicit model control, as Seldon Core 2's agent drives a server: the engine starts with no model, the agent
 * writes `<repo>/<model>_<n>/<n>/…` after start (with the Triton repository handler's extra files beside it)
 * and asks for a load by that name; unload and a deleted directory must not make the server unready.
 */
import { cp, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { type InferenceEngine, ModelNotFoundError, ModelNotReadyError } from "../../src/contracts";
import { createEngine } from "../../src/inference";
import { MODEL, MODELS_DIR, makeRows, output, Reference, toTensors } from "./helpers";

const engines: InferenceEngine[] = [];
const tmpDirs: string[] = [];
afterEach(async () => {
  await Promise.all(engines.splice(0).map((e) => e.close()));
});
afterAll(async () => {
  await Promise.all(tmpDirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function emptyRepo(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "inference-explicit-"));
  tmpDirs.push(dir);
  return dir;
}

/** What Seldon's agent leaves for Model `name` generation `n` with SELDON_SERVER_TYPE=triton. */
async function agentWrites(repo: string, name: string, n: number, modelVersion: string): Promise<string> {
  const dir = path.join(repo, `${name}_${n}`);
  await cp(path.join(MODELS_DIR, MODEL, modelVersion), path.join(dir, String(n)), { recursive: true });
  await cp(path.join(MODELS_DIR, MODEL, modelVersion, "model.onnx"), path.join(dir, "model.onnx"));
  await writeFile(path.join(dir, "config.pbtxt"), `name: "${name}_${n}"\n`);
  return `${name}_${n}`;
}

async function start(repo: string, models: { name: string; source: string }[] = []) {
  const engine = await createEngine({ models, workers: 1, pollIntervalMs: 0, explicitRepository: repo });
  engines.push(engine);
  return engine;
}

describe("engine with explicit model control", () => {
  it("starts with no model and is ready, with an empty repository index", async () => {
    const engine = await start(await emptyRepo());
    expect(engine.ready()).toBe(true);
    expect(engine.repositoryIndex()).toEqual([]);
  });

  it("loads a model directory written after start, by name, and serves ONNX Runtime's answers", async () => {
    const repo = await emptyRepo();
    const engine = await start(repo);
    const name = await agentWrites(repo, MODEL, 3, "1");
    await engine.load(name);
    expect(engine.repositoryIndex()).toEqual([{ name, version: "3", state: "READY" }]);
    expect(engine.isReady(name, "3")).toBe(true);
    const rows = makeRows(7, 5);
    const r = await engine.infer({ model: name, inputs: toTensors(rows) });
    expect(r.version).toBe("3");
    const reference = await Reference.open("1");
    try {
      const want = await reference.run(rows);
      expect(Array.from(output(r.outputs, "label").data as BigInt64Array)).toEqual(want.label);
      const got = Array.from(output(r.outputs, "probabilities").data as Float32Array);
      got.forEach((p, i) => {
        expect(p).toBeCloseTo(want.probabilities[i] as number, 6);
      });
    } finally {
      await reference.release();
    }
  });

  it("unloads on request and stays ready; the agent may then delete the files", async () => {
    const repo = await emptyRepo();
    const engine = await start(repo);
    const name = await agentWrites(repo, MODEL, 1, "2");
    await engine.load(name);
    await engine.unload(name);
    expect(engine.ready()).toBe(true);
    expect(engine.repositoryIndex()).toEqual([{ name, state: "UNAVAILABLE", reason: "unloaded" }]);
    await expect(engine.infer({ model: name, inputs: toTensors(makeRows(1, 1)) })).rejects.toBeInstanceOf(
      ModelNotReadyError,
    );
    await rm(path.join(repo, name), { recursive: true });
    const next = await agentWrites(repo, MODEL, 2, "2");
    await engine.load(next);
    expect(engine.isReady(next)).toBe(true);
    expect(engine.ready()).toBe(true);
  });

  it("fails when the directory is not there, or the name would leave the repository, with not found", async () => {
    const repo = await emptyRepo();
    await mkdir(path.join(repo, "..", "outside-model"), { recursive: true });
    const engine = await start(repo);
    for (const name of ["readmission_9", "..", "../outside-model", ".hidden"]) {
      await expect(engine.load(name)).rejects.toBeInstanceOf(ModelNotFoundError);
    }
    expect(engine.repositoryIndex()).toEqual([]);
  });

  it("fails when a model directory has no version yet: UNAVAILABLE with the reason, the server still ready", async () => {
    const repo = await emptyRepo();
    const engine = await start(repo);
    await mkdir(path.join(repo, "half_1"));
    await expect(engine.load("half_1")).rejects.toThrow(/no <version>\/model.onnx under/);
    const entry = engine.repositoryIndex().find((e) => e.name === "half_1");
    expect(entry?.state).toBe("UNAVAILABLE");
    expect(engine.ready()).toBe(true);
  });

  it("also serves the models it was started with", async () => {
    const engine = await start(await emptyRepo(), [{ name: MODEL, source: MODELS_DIR }]);
    expect(engine.repositoryIndex()).toEqual([{ name: MODEL, version: "2", state: "READY" }]);
  });

  it("does not look for unconfigured models without explicit control", async () => {
    const engine = await createEngine({ models: [], workers: 1, pollIntervalMs: 0 });
    engines.push(engine);
    await expect(engine.load(MODEL)).rejects.toBeInstanceOf(ModelNotFoundError);
  });
});
