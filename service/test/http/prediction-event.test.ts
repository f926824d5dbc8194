import { describe, expect, it } from "vitest";
import type { InferenceResult, Tensor } from "../../src/contracts";
import { buildEvent, EventDispatcher } from "../../src/http/prediction-event";

const options = { scoreOutput: "probabilities", labelOutput: "label" };
const result: InferenceResult = {
  model: "m",
  version: "3",
  outputs: [
    { name: "label", datatype: "INT64", shape: [2], data: BigInt64Array.from([1n, 0n]) },
    {
      name: "probabilities",
      datatype: "FP32",
      shape: [2, 2],
      data: Float32Array.from([0.25, 0.75, 0.5, 0.5]),
    },
  ],
};

describe("buildEvent", () => {
  it("splits an [N,k] input into k features name[j], each one value per row", () => {
    const wide: Tensor = {
      name: "x",
      datatype: "FP32",
      shape: [2, 3],
      data: Float32Array.from([1, 2, 3, 4, 5, 6]),
    };
    const cat: Tensor = { name: "c", datatype: "BYTES", shape: [2, 1], data: ["a", "b"] };
    const event = buildEvent("req-1", [wide, cat], result, options);
    expect(event.features).toEqual({ "x[0]": [1, 4], "x[1]": [2, 5], "x[2]": [3, 6], c: ["a", "b"] });
    expect(event.scores).toEqual([0.75, 0.5]);
    expect(event.labels).toEqual([1, 0]);
    expect(event).toMatchObject({ requestId: "req-1", model: "m", version: "3" });
  });
});

describe("EventDispatcher", () => {
  it("drain() hands pending events to every sink at once, before the next event-loop turn", () => {
    const seen: string[] = [];
    const sink = { record: (e: { requestId: string }) => void seen.push(e.requestId) };
    const dispatcher = new EventDispatcher([sink], options, (err) => {
      throw err;
    });
    const input: Tensor = { name: "x", datatype: "FP32", shape: [2, 1], data: Float32Array.from([1, 2]) };
    dispatcher.dispatch("a", [input], result);
    dispatcher.dispatch("b", [input], result);
    expect(seen).toEqual([]);
    dispatcher.drain();
    expect(seen).toEqual(["a", "b"]);
  });
});
