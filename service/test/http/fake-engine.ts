/**
 * A small in-test engine for protocol edge cases (queue full, not ready, repository states). The acceptance
 * tests use the real engine; this one computes p = sigmoid(sum of numeric inputs) so answers are checkable.
 */
import {
  type InferenceEngine,
  type InferenceRequest,
  type InferenceResult,
  type ModelMetadata,
  ModelNotFoundError,
  ModelNotReadyError,
  type ModelState,
  QueueFullError,
  type RepositoryEntry,
} from "../../src/contracts";

export const TOY: ModelMetadata = {
  name: "toy",
  versions: ["1"],
  platform: "onnxruntime_onnx",
  inputs: [
    { name: "x", datatype: "FP32", shape: [-1, 1] },
    { name: "y", datatype: "FP32", shape: [-1, 1] },
    { name: "kind", datatype: "BYTES", shape: [-1, 1] },
  ],
  outputs: [
    { name: "label", datatype: "INT64", shape: [-1] },
    { name: "probabilities", datatype: "FP32", shape: [-1, 2] },
  ],
};

/** Reference answer of the fake model for one row. */
export function toyScore(x: number, y: number, kind: string): number {
  return 1 / (1 + Math.exp(-(x + y + (kind === "b" ? 1 : 0))));
}

export class FakeEngine implements InferenceEngine {
  state: ModelState = "READY";
  inFlight = 0;
  /** Requests running at once beyond which infer throws QueueFullError. */
  capacity = Number.POSITIVE_INFINITY;
  delayMs = 0;
  calls: InferenceRequest[] = [];

  metadata(model: string, version?: string): ModelMetadata | undefined {
    if (model !== "toy" || (version !== undefined && version !== "1") || this.state !== "READY")
      return undefined;
    return TOY;
  }
  isReady(model: string, version?: string): boolean {
    return this.metadata(model, version) !== undefined;
  }
  ready(): boolean {
    return this.state === "READY";
  }
  async infer(request: InferenceRequest): Promise<InferenceResult> {
    if (request.model !== "toy") throw new ModelNotFoundError(request.model);
    if (this.state !== "READY") throw new ModelNotReadyError(request.model);
    if (this.inFlight >= this.capacity) throw new QueueFullError(2);
    this.calls.push(request);
    this.inFlight++;
    try {
      if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
      const col = (n: string) => request.inputs.find((t) => t.name === n)?.data as ArrayLike<number | string>;
      const [x, y, kind] = [col("x"), col("y"), col("kind")];
      const rows = x.length;
      const probabilities = new Float32Array(rows * 2);
      const label = new BigInt64Array(rows);
      for (let i = 0; i < rows; i++) {
        const p = toyScore(Number(x[i]), Number(y[i]), String(kind[i]));
        probabilities[i * 2] = 1 - p;
        probabilities[i * 2 + 1] = p;
        label[i] = p > 0.5 ? 1n : 0n;
      }
      return {
        model: "toy",
        version: "1",
        outputs: [
          { name: "label", datatype: "INT64", shape: [rows], data: label },
          { name: "probabilities", datatype: "FP32", shape: [rows, 2], data: probabilities },
        ],
      };
    } finally {
      this.inFlight--;
    }
  }
  repositoryIndex(): readonly RepositoryEntry[] {
    return [{ name: "toy", version: "1", state: this.state }];
  }
  async load(model: string): Promise<void> {
    if (model !== "toy") throw new ModelNotFoundError(model);
    this.state = "READY";
  }
  async unload(model: string): Promise<void> {
    if (model !== "toy") throw new ModelNotFoundError(model);
    this.state = "UNAVAILABLE";
  }
  async close(): Promise<void> {}
}
