import { Registry } from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type InferenceEngine, ModelNotReadyError, QueueFullError } from "../../src/contracts";
import { createEngine } from "../../src/inference";
import {
  batchStats,
  loadExample,
  MODEL,
  MODELS_DIR,
  makeRows,
  metricValue,
  output,
  Reference,
  toTensors,
} from "./helpers";

describe("engine dynamic batching (real readmission model, version 2)", () => {
  let engine: InferenceEngine;
  let registry: Registry;
  let ref: Reference;

  beforeAll(async () => {
    registry = new Registry();
    ref = await Reference.open("2");
    // One worker and a long delay make the merge deterministic: all requests sent in one tick share runs.
    engine = await createEngine({
      models: [{ name: MODEL, source: MODELS_DIR }],
      workers: 1,
      maxBatchSize: 16,
      maxBatchDelayMicros: 50_000,
      pollIntervalMs: 0,
      registry,
    });
  });

  afterAll(async () => {
    await engine?.close();
    await ref?.release();
  });

  it("merges concurrent requests into few runs and gives each caller exactly its own rows", async () => {
    const before = await batchStats(registry);
    const sizes = [1, 2, 3, 1, 1, 2, 3, 1, 2, 1, 3, 1];
    const rowSets = sizes.map((n, i) => makeRows(1000 + i, n));
    const results = await Promise.all(
      rowSets.map((rows) => engine.infer({ model: MODEL, inputs: toTensors(rows) })),
    );

    const after = await batchStats(registry);
    const runs = after.count - before.count;
    const rows = after.sum - before.sum;
    expect(rows).toBe(sizes.reduce((a, b) => a + b, 0));
    expect(runs).toBeLessThan(sizes.length);
    expect(rows / runs).toBeGreaterThan(1);

    for (const [i, result] of results.entries()) {
      const n = sizes[i] as number;
      const expected = await ref.run(rowSets[i] as Record<string, (number | string)[]>);
      expect(result.version).toBe("2");
      const label = output(result.outputs, "label");
      const probabilities = output(result.outputs, "probabilities");
      expect(label.datatype).toBe("INT64");
      expect(label.shape).toEqual([n]);
      expect(Array.from(label.data as BigInt64Array)).toEqual(expected.label);
      expect(probabilities.shape).toEqual([n, 2]);
      const got = Array.from(probabilities.data as Float32Array);
      expect(got).toHaveLength(expected.probabilities.length);
      for (const [j, p] of got.entries()) expect(p).toBeCloseTo(expected.probabilities[j] as number, 6);
    }
  });

  it("reproduces the outputs the training pipeline recorded with Python ONNX Runtime", async () => {
    const example = loadExample("2");
    const result = await engine.infer({ model: MODEL, inputs: toTensors(example.inputs) });
    expect(Array.from(output(result.outputs, "label").data as BigInt64Array).map(Number)).toEqual(
      example.label,
    );
    const got = Array.from(output(result.outputs, "probabilities").data as Float32Array);
    const want = example.probabilities.flat();
    for (const [j, p] of got.entries()) expect(p).toBeCloseTo(want[j] as number, 5);
  });

  it("gives each caller only the outputs it asked for when requests sharing a batch ask for different ones", async () => {
    const before = await batchStats(registry);
    const asks = [["label"], ["probabilities"], undefined, ["probabilities", "label"]];
    const rowSets = asks.map((_, i) => makeRows(2000 + i, 2));
    const results = await Promise.all(
      asks.map((outputs, i) =>
        engine.infer({
          model: MODEL,
          inputs: toTensors(rowSets[i] as Record<string, (number | string)[]>),
          outputs,
        }),
      ),
    );
    const after = await batchStats(registry);
    expect(after.count - before.count).toBe(1);

    expect(results.map((r) => r.outputs.map((o) => o.name))).toEqual([
      ["label"],
      ["probabilities"],
      ["label", "probabilities"],
      ["probabilities", "label"],
    ]);
    for (const [i, result] of results.entries()) {
      const expected = await ref.run(rowSets[i] as Record<string, (number | string)[]>);
      for (const t of result.outputs) {
        if (t.name === "label") {
          expect(Array.from(t.data as BigInt64Array)).toEqual(expected.label);
          continue;
        }
        for (const [j, p] of (t.data as Float32Array).entries()) {
          expect(p).toBeCloseTo(expected.probabilities[j] as number, 6);
        }
      }
    }
  });

  it("publishes worker and duration metrics", async () => {
    await engine.infer({ model: MODEL, inputs: toTensors(makeRows(3000, 1)) });
    expect(await metricValue(registry, "inference_workers")).toBe(1);
    expect(await metricValue(registry, "inference_workers_busy")).toBe(0);
    expect(
      await metricValue(registry, "inference_worker_busy_seconds_total", { worker: "0" }),
    ).toBeGreaterThan(0);
    const text = await registry.metrics();
    expect(text).toMatch(/inference_duration_seconds_count\{model="readmission",version="2"\} [1-9]/);
    expect(text).toMatch(
      /inference_model_version_info\{model="readmission",version="2",source="local:[^"]+"\} 1/,
    );
    expect(text).toMatch(/inference_model_loads_total\{model="readmission",result="success"\} 1/);
  });
});

describe("engine bounded queue", () => {
  it("fails when the queue is full with QueueFullError, and close() still answers what was queued", async () => {
    const registry = new Registry();
    // A 5 s delay and a large batch keep the queued rows waiting, so the bound is hit deterministically.
    const engine = await createEngine({
      models: [{ name: MODEL, source: MODELS_DIR }],
      workers: 1,
      maxBatchSize: 64,
      maxBatchDelayMicros: 5_000_000,
      maxQueueRows: 6,
      pollIntervalMs: 0,
      registry,
    });
    const queued = [0, 1, 2].map((i) =>
      engine.infer({ model: MODEL, inputs: toTensors(makeRows(4000 + i, 2)) }),
    );
    expect(await metricValue(registry, "inference_queue_depth_rows")).toBe(6);

    const overflow = engine.infer({ model: MODEL, inputs: toTensors(makeRows(4100, 1)) });
    await expect(overflow).rejects.toBeInstanceOf(QueueFullError);
    const err = (await overflow.catch((e: unknown) => e)) as QueueFullError;
    expect(err.retryAfterSeconds).toBeGreaterThan(0);

    await engine.close();
    const results = await Promise.all(queued);
    expect(results.map((r) => output(r.outputs, "label").shape)).toEqual([[2], [2], [2]]);
    expect(await metricValue(registry, "inference_queue_depth_rows")).toBe(0);
    await expect(engine.infer({ model: MODEL, inputs: toTensors(makeRows(4200, 1)) })).rejects.toBeInstanceOf(
      ModelNotReadyError,
    );
    expect(engine.ready()).toBe(false);
  });
});
