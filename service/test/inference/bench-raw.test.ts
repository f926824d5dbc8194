import { describe, expect, it } from "vitest";
import { rawThroughput } from "../../src/inference";
import { modelFile } from "./helpers";

describe("rawThroughput (in-process ONNX Runtime ceiling for bench:serve)", () => {
  it("measures rows per second at batch 1 and 32 on the committed model", async () => {
    const results = await rawThroughput({
      modelPath: modelFile("2"),
      durationMs: 100,
      sample: { admission_type: "emergency", discharge_disposition: "home" },
    });
    expect(results.map((r) => r.batchSize)).toEqual([1, 32]);
    for (const r of results) {
      expect(r.runs).toBeGreaterThan(0);
      expect(r.rows).toBe(r.runs * r.batchSize);
      expect(r.seconds).toBeGreaterThanOrEqual(0.1);
      expect(r.rowsPerSecond).toBeCloseTo(r.rows / r.seconds, 6);
      expect(r.meanRunMicros).toBeCloseTo((r.seconds * 1e6) / r.runs, 6);
    }
  });

  it("fails when the model file does not exist", async () => {
    await expect(rawThroughput({ modelPath: "/nonexistent/model.onnx", durationMs: 10 })).rejects.toThrow(
      /nonexistent\/model\.onnx/,
    );
  });
});
