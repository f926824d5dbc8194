// ONNX Runtime worker thread. Plain JS on purpose: worker threads get no TypeScript loader under vitest,
// tsx or a compiled build, and this file is small enough to stay obvious without types.
//
// Protocol (every message carries an `id`; the reply echoes it):
//   { op: "load", id, key, path, intraOpNumThreads } -> { id, ok, inputs, outputs }   (session metadata)
//   { op: "run", id, key, feeds: [{ name, type, data, dims }], fetches: [name] }
//                                                   -> { id, ok, outputs: [{ name, type, data, dims }], runNs }
//   { op: "release", id, key }                      -> { id, ok }
// Failures answer { id, ok: false, error }. Sessions live until released: one per model version, because
// creating and releasing sessions per request leaks native memory in onnxruntime-node.
import { parentPort } from "node:worker_threads";
import ort from "onnxruntime-node";

/** @type {Map<string, import("onnxruntime-node").InferenceSession>} */
const sessions = new Map();

function metadataOf(list) {
  return list.map((m) => ({ name: m.name, type: m.type, shape: m.isTensor ? m.shape : [] }));
}

const WARM = {
  float32: (n) => new Float32Array(n),
  float64: (n) => new Float64Array(n),
  int32: (n) => new Int32Array(n),
  int64: (n) => new BigInt64Array(n),
  string: (n) => new Array(n).fill(""),
  bool: (n) => new Uint8Array(n),
};

// One throw-away row before the version takes traffic, so the first real request does not pay for
// ORT's lazy allocations. Best effort: a model that rejects the synthetic row still loads.
async function warmUp(session) {
  const feeds = {};
  for (const m of session.inputMetadata) {
    const make = m.isTensor ? WARM[m.type] : undefined;
    if (!make) return;
    const dims = m.shape.map((d) => (typeof d === "number" && d > 0 ? d : 1));
    feeds[m.name] = new ort.Tensor(m.type, make(dims.reduce((a, b) => a * b, 1)), dims);
  }
  try {
    await session.run(feeds);
  } catch {
    // ignored on purpose, see above
  }
}

async function handle(msg) {
  switch (msg.op) {
    case "load": {
      if (!sessions.has(msg.key)) {
        const session = await ort.InferenceSession.create(msg.path, {
          intraOpNumThreads: msg.intraOpNumThreads,
          interOpNumThreads: 1,
          executionMode: "sequential",
          graphOptimizationLevel: "all",
        });
        await warmUp(session);
        sessions.set(msg.key, session);
      }
      const s = sessions.get(msg.key);
      return { reply: { inputs: metadataOf(s.inputMetadata), outputs: metadataOf(s.outputMetadata) } };
    }
    case "run": {
      const session = sessions.get(msg.key);
      if (!session) throw new Error(`no session loaded for ${msg.key}`);
      const feeds = {};
      for (const f of msg.feeds) feeds[f.name] = new ort.Tensor(f.type, f.data, f.dims);
      const started = process.hrtime.bigint();
      const results = await session.run(feeds, msg.fetches);
      const runNs = Number(process.hrtime.bigint() - started);
      const outputs = [];
      const transfer = [];
      for (const name of msg.fetches) {
        const t = results[name];
        outputs.push({ name, type: t.type, data: t.data, dims: t.dims });
        if (ArrayBuffer.isView(t.data)) transfer.push(t.data.buffer);
      }
      return { reply: { outputs, runNs }, transfer };
    }
    case "release": {
      const session = sessions.get(msg.key);
      sessions.delete(msg.key);
      if (session) await session.release();
      return { reply: {} };
    }
    default:
      throw new Error(`unknown op ${String(msg.op)}`);
  }
}

parentPort.on("message", (msg) => {
  handle(msg).then(
    ({ reply, transfer }) => {
      try {
        parentPort.postMessage({ id: msg.id, ok: true, ...reply }, transfer ?? []);
      } catch {
        // A buffer can be shared by two outputs or not be transferable; fall back to copying.
        parentPort.postMessage({ id: msg.id, ok: true, ...reply });
      }
    },
    (err) => parentPort.postMessage({ id: msg.id, ok: false, error: String(err?.message ?? err) }),
  );
});
