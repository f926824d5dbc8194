import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type InferenceEngine,
  InvalidInputError,
  ModelNotFoundError,
  type Tensor,
} from "../../src/contracts";
import { createEngine } from "../../src/inference";
import { MODEL, MODELS_DIR, makeRows, output, toTensors } from "./helpers";

const valid = (rows = 1) => toTensors(makeRows(7, rows));
const replace = (inputs: Tensor[], name: string, t: Partial<Tensor>): Tensor[] =>
  inputs.map((i) => (i.name === name ? ({ ...i, ...t } as Tensor) : i));

describe("engine input validation (real readmission model)", () => {
  let engine: InferenceEngine;

  beforeAll(async () => {
    engine = await createEngine({
      models: [{ name: MODEL, source: MODELS_DIR }],
      workers: 1,
      maxBatchDelayMicros: 0,
      pollIntervalMs: 0,
    });
  });
  afterAll(async () => engine?.close());

  const infer = (inputs: Tensor[], outputs?: string[]) => engine.infer({ model: MODEL, inputs, outputs });
  const rejects = (p: Promise<unknown>, message: RegExp) =>
    Promise.all([expect(p).rejects.toBeInstanceOf(InvalidInputError), expect(p).rejects.toThrow(message)]);

  it("serves metadata with a variable batch dimension and BYTES categoricals", () => {
    const meta = engine.metadata(MODEL);
    expect(meta?.versions).toEqual(["2"]);
    expect(meta?.inputs.find((i) => i.name === "age")).toEqual({
      name: "age",
      datatype: "FP32",
      shape: [-1, 1],
    });
    expect(meta?.inputs.find((i) => i.name === "admission_type")?.datatype).toBe("BYTES");
    expect(meta?.outputs).toEqual([
      { name: "label", datatype: "INT64", shape: [-1] },
      { name: "probabilities", datatype: "FP32", shape: [-1, 2] },
    ]);
  });

  it("fails when inputs claim to be validated against metadata that is not the served version's", async () => {
    const served = engine.metadata(MODEL)?.inputs ?? [];
    const lookalike = served.map((m) => ({ ...m }));
    const missing = valid().filter((t) => t.name !== "bmi");
    await rejects(
      engine.infer({ model: MODEL, inputs: missing, validatedAgainst: lookalike }),
      /missing input\(s\): bmi/,
    );
    // With the served version's own metadata the caller's check stands and the engine answers.
    const ok = await engine.infer({ model: MODEL, inputs: valid(2), validatedAgainst: served });
    expect(output(ok.outputs, "label").data).toHaveLength(2);
  });

  it("fails when an input is missing", async () => {
    await rejects(infer(valid().filter((t) => t.name !== "bmi")), /missing input\(s\): bmi/);
  });

  it("fails when an input is not one of the model's", async () => {
    const extra: Tensor = {
      name: "weight_kg",
      datatype: "FP32",
      shape: [1, 1],
      data: new Float32Array([80]),
    };
    await rejects(infer([...valid(), extra]), /unknown input 'weight_kg'.*expected inputs: age, /);
  });

  it("fails when an input is given twice", async () => {
    const inputs = valid();
    await rejects(infer([...inputs, inputs[0] as Tensor]), /input 'age' is given more than once/);
  });

  it("fails when a datatype differs from the model's", async () => {
    const inputs = replace(valid(), "age", { datatype: "FP64", data: new Float64Array([50]) });
    await rejects(infer(inputs), /input 'age' has datatype FP64; expected FP32/);
  });

  it("fails when the data array does not match the datatype", async () => {
    const inputs = replace(valid(), "bmi", { data: new Float64Array([25]) });
    await rejects(infer(inputs), /input 'bmi' \(FP32\) data must be a Float32Array/);
  });

  it("fails when a BYTES input holds non-strings", async () => {
    const inputs = replace(valid(), "admission_type", { data: [3] as unknown as string[] });
    await rejects(infer(inputs), /input 'admission_type' \(BYTES\) data must be strings/);
  });

  it("fails when the rank differs from the model's", async () => {
    const inputs = replace(valid(), "age", { shape: [1] });
    await rejects(infer(inputs), /input 'age' has shape \[1\]; expected \[-1,1\]/);
  });

  it("fails when a fixed dimension differs from the model's", async () => {
    const inputs = replace(valid(), "age", { shape: [1, 2], data: new Float32Array([50, 51]) });
    await rejects(infer(inputs), /input 'age' has shape \[1,2\]; expected \[-1,1\]/);
  });

  it("fails when the element count does not match the shape", async () => {
    const inputs = replace(valid(), "age", { shape: [2, 1] });
    await rejects(infer(inputs), /input 'age' has 1 element\(s\) but shape \[2,1\] needs 2/);
  });

  it("fails when inputs have different row counts", async () => {
    const inputs = replace(valid(), "bmi", { shape: [2, 1], data: new Float32Array([20, 30]) });
    await rejects(infer(inputs), /different row counts: 'age' has 1 row\(s\), 'bmi' has 2/);
  });

  it("fails when the batch has no rows", async () => {
    const inputs = valid().map((t) => ({
      ...t,
      shape: [0, 1],
      data: t.datatype === "BYTES" ? [] : new Float32Array(),
    }));
    await rejects(infer(inputs as Tensor[]), /0 rows/);
  });

  it("fails when an unknown output is requested", async () => {
    await rejects(infer(valid(), ["score"]), /unknown output 'score'.*outputs: label, probabilities/);
  });

  it("fails when an output is requested twice", async () => {
    await rejects(infer(valid(), ["label", "label"]), /output 'label' is requested more than once/);
  });

  it("fails with ModelNotFoundError for an unknown model or version", async () => {
    await expect(engine.infer({ model: "churn", inputs: valid() })).rejects.toBeInstanceOf(
      ModelNotFoundError,
    );
    const wrongVersion = engine.infer({ model: MODEL, version: "7", inputs: valid() });
    await expect(wrongVersion).rejects.toBeInstanceOf(ModelNotFoundError);
    await expect(wrongVersion).rejects.toThrow("model 'readmission' version '7' not found");
    expect(engine.metadata("churn")).toBeUndefined();
    expect(engine.isReady(MODEL, "7")).toBe(false);
  });

  it("keeps serving valid requests after rejecting bad ones, by default and by explicit version", async () => {
    await infer(valid().slice(1)).catch(() => undefined);
    const r = await engine.infer({ model: MODEL, version: "2", inputs: valid(3) });
    expect(r.version).toBe("2");
    expect(output(r.outputs, "probabilities").shape).toEqual([3, 2]);
  });
});
