/**
 * gRPC ModelInfer's translation to the REST form: typed `contents` become JSON data, `raw_input_contents` the
 * binary section, parameters their plain values; answered as raw outputs. Run against the fake engine so the
 * outputs are checkable (the real clients drive it in test/interop).
 */
import { describe, expect, it } from "vitest";
import { modelInfer, restForm } from "../../src/grpc/infer";
import { EventDispatcher } from "../../src/http/prediction-event";
import { FakeEngine, toyScore } from "../http/fake-engine";

const param = (v: boolean | string) =>
  typeof v === "boolean"
    ? { bool_param: v, parameter_choice: "bool_param" }
    : { string_param: v, parameter_choice: "string_param" };

const contentsRequest = () => ({
  model_name: "toy",
  model_version: "",
  id: "g1",
  parameters: { trace: param("yes") },
  inputs: [
    { name: "x", datatype: "FP32", shape: [2, 1], contents: { fp32_contents: [0.5, -1] } },
    { name: "y", datatype: "FP32", shape: [2, 1], contents: { fp32_contents: [1, 0.25] } },
    {
      name: "kind",
      datatype: "BYTES",
      shape: [2, 1],
      contents: { bytes_contents: [Buffer.from("a"), Buffer.from("b")] },
    },
  ],
  outputs: [{ name: "probabilities", parameters: { binary_data: param(true) } }],
  raw_input_contents: [],
});

describe("gRPC ModelInfer", () => {
  it("turns typed contents into the REST body, BYTES as strings and parameters as plain values", () => {
    const { body, binary } = restForm(contentsRequest());
    expect(binary).toBeUndefined();
    expect(body).toEqual({
      id: "g1",
      parameters: { trace: "yes" },
      inputs: [
        { name: "x", datatype: "FP32", shape: [2, 1], data: [0.5, -1] },
        { name: "y", datatype: "FP32", shape: [2, 1], data: [1, 0.25] },
        { name: "kind", datatype: "BYTES", shape: [2, 1], data: ["a", "b"] },
      ],
      outputs: [{ name: "probabilities", parameters: { binary_data: true } }],
    });
  });

  it("turns raw_input_contents into the binary section with each input's size", () => {
    const x = Buffer.alloc(8);
    x.writeFloatLE(0.5, 0);
    x.writeFloatLE(-1, 4);
    const req = { ...contentsRequest(), raw_input_contents: [x, x, Buffer.alloc(10)] };
    const { body, binary } = restForm(req);
    expect(
      (body.inputs as { parameters: { binary_data_size: number } }[]).map(
        (i) => i.parameters.binary_data_size,
      ),
    ).toEqual([8, 8, 10]);
    expect(binary?.length).toBe(26);
  });

  it("fails when raw_input_contents has fewer entries than inputs, naming both counts", () => {
    const req = { ...contentsRequest(), raw_input_contents: [Buffer.alloc(8)] };
    expect(() => restForm(req)).toThrow("raw_input_contents: 1 entries for 3 inputs");
  });

  it("answers the requested outputs as raw little-endian bytes, with the request id", async () => {
    const engine = new FakeEngine();
    const events = new EventDispatcher([], { scoreOutput: "probabilities", labelOutput: "label" }, () => {});
    const {
      message: answer,
      model,
      version,
      rows,
    } = await modelInfer(engine, events, () => "generated", contentsRequest());
    expect({ model, version, rows }).toEqual({ model: "toy", version: "1", rows: 2 });
    expect(answer.id).toBe("g1");
    expect(answer.outputs).toEqual([{ name: "probabilities", datatype: "FP32", shape: [2, 2] }]);
    const raw = (answer.raw_output_contents as Buffer[])[0] as Buffer;
    expect(raw.readFloatLE(4)).toBeCloseTo(toyScore(0.5, 1, "a"), 6);
    expect(raw.readFloatLE(12)).toBeCloseTo(toyScore(-1, 0.25, "b"), 6);
  });

  it("fails with the REST layer's 400 message for a bad request, and 404 for an unknown model", async () => {
    const engine = new FakeEngine();
    const events = new EventDispatcher([], { scoreOutput: "probabilities", labelOutput: "label" }, () => {});
    const bad = contentsRequest();
    bad.inputs[1] = { name: "y", datatype: "FP32", shape: [3, 1], contents: { fp32_contents: [1, 2, 3] } };
    await expect(modelInfer(engine, events, () => "id", bad)).rejects.toMatchObject({
      statusCode: 400,
      message: expect.stringMatching(/rows/),
    });
    await expect(
      modelInfer(engine, events, () => "id", { ...contentsRequest(), model_name: "nope" }),
    ).rejects.toMatchObject({
      statusCode: 404,
    });
  });
});
