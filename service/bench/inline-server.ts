/**
 * Attribution reference for bench:serve: the service's own HTTP layer (buildServer: decoding, validation,
 * encoding, metrics, logging) over a minimal engine that runs ONNX Runtime on the main thread, one request per
 * run, no worker pool and no batching. Comparing it with the floor and the full service separates the HTTP
 * layer's cost from the worker-pool engine's. With INLINE_STUB=1 it answers a cached result (no ORT at all).
 */
import ort from "onnxruntime-node";
import type {
  InferenceEngine,
  InferenceRequest,
  InferenceResult,
  ModelMetadata,
  Tensor,
} from "../src/contracts";
import { buildServer } from "../src/http/server";
import { toTensorMetadata } from "../src/inference/tensors";
import { createLogger } from "../src/logging";
import { createHttpMetrics, createRegistry } from "../src/metrics";

const MODEL = new URL("../models/readmission/2/model.onnx", import.meta.url).pathname;
const session = await ort.InferenceSession.create(MODEL, { intraOpNumThreads: 1, interOpNumThreads: 1 });
const meta: ModelMetadata = {
  name: "readmission",
  versions: ["2"],
  platform: "onnxruntime_onnx",
  inputs: session.inputMetadata.map((m) =>
    toTensorMetadata({ name: m.name, type: m.isTensor ? m.type : "", shape: m.isTensor ? m.shape : [] }),
  ),
  outputs: session.outputMetadata.map((m) =>
    toTensorMetadata({ name: m.name, type: m.isTensor ? m.type : "", shape: m.isTensor ? m.shape : [] }),
  ),
};
const ORT_TYPE: Record<string, ort.Tensor.Type> = { FP32: "float32", BYTES: "string", INT64: "int64" };
const DATATYPE: Record<string, Tensor["datatype"]> = { float32: "FP32", string: "BYTES", int64: "INT64" };

// INLINE_STUB=1: answer a cached result per row count after the first run, isolating the HTTP layer entirely.
const stub = process.env.INLINE_STUB === "1";
const cache = new Map<number, InferenceResult>();

const engine: InferenceEngine = {
  metadata: (model) => (model === "readmission" ? meta : undefined),
  isReady: (model) => model === "readmission",
  ready: () => true,
  async infer(request: InferenceRequest): Promise<InferenceResult> {
    const rows = request.inputs[0]?.shape[0] ?? 0;
    const cached = stub ? cache.get(rows) : undefined;
    if (cached) return cached;
    const feeds: Record<string, ort.Tensor> = {};
    for (const t of request.inputs) {
      feeds[t.name] = new ort.Tensor(ORT_TYPE[t.datatype] as "float32", t.data as Float32Array, [...t.shape]);
    }
    const out = await session.run(feeds);
    const result: InferenceResult = {
      model: "readmission",
      version: "2",
      outputs: Object.entries(out).map(([name, t]) => ({
        name,
        datatype: DATATYPE[t.type] as Tensor["datatype"],
        shape: [...t.dims],
        data: t.data as Float32Array,
      })),
    };
    if (stub) cache.set(rows, result);
    return result;
  },
  repositoryIndex: () => [{ name: "readmission", version: "2", state: "READY" }],
  load: async () => {},
  unload: async () => {},
  close: async () => {},
};

const { app } = buildServer({
  engine,
  metrics: createHttpMetrics(createRegistry()),
  logger: createLogger({ level: "warn" }),
});
const url = await app.listen({ host: "127.0.0.1", port: 0 });
process.stdout.write(`Server listening at ${url}\n`);
process.once("SIGTERM", () => void app.close().then(() => process.exit(0)));
