// Worker thread of bench/lower-bound-server.ts: one ONNX Runtime session, one run per message, nothing else.
import { parentPort, workerData } from "node:worker_threads";
import ort from "onnxruntime-node";

const session = await ort.InferenceSession.create(workerData.modelPath, {
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
  executionMode: "sequential",
  graphOptimizationLevel: "all",
});

// [id, names, types, rows, columns] -> [id, label, probabilities]
parentPort.on("message", async ([id, names, types, rows, columns]) => {
  const feeds = {};
  for (let i = 0; i < names.length; i++) {
    feeds[names[i]] = new ort.Tensor(types[i], columns[i], [rows, columns[i].length / rows]);
  }
  const out = await session.run(feeds);
  parentPort.postMessage([id, out.label.data, out.probabilities.data]);
});
parentPort.postMessage("ready");
