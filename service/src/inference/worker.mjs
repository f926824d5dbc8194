// ONNX Runtime worker thread. Plain JS on purpose: worker threads get no TypeScript loader under vitest,
// tsx or a compiled build, and this file is small enough to stay obvious without types.
//
// Protocol (every message carries an `id`; the reply echoes it):
//   { op: "load", id, key, path, intraOpNumThreads } -> { id, ok, inputs, outputs }   (session metadata)
//   [id, key, fetches, dims, ...groups]             -> [id, 1, runNs, types, dims, ...data] or [id, 0, error]
//     a run, as flat arrays because structured clone pays per object: `dims` holds each input's rank and
//     dimensions in session input order, `groups` the inputs' data concatenated per ORT type (groups in order
//     of each type's first input); the answer holds the fetched outputs' types, flattened dims and data.
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
    case "release": {
      const session = sessions.get(msg.key);
      sessions.delete(msg.key);
      inputTypes.delete(msg.key);
      if (session) await session.release();
      return { reply: {} };
    }
    default:
      throw new Error(`unknown op ${String(msg.op)}`);
  }
}

/** Input names and types per session key, in session input order (the order the main thread packs). */
const inputTypes = new Map();

async function run(msg) {
  const session = sessions.get(msg[1]);
  if (!session) throw new Error(`no session loaded for ${msg[1]}`);
  let inputs = inputTypes.get(msg[1]);
  if (!inputs) {
    inputs = session.inputMetadata.map((m) => ({ name: m.name, type: m.isTensor ? m.type : "" }));
    inputTypes.set(msg[1], inputs);
  }
  const fetches = msg[2];
  const dims = msg[3];
  const groupOf = new Map();
  const offsets = [];
  const feeds = {};
  let d = 0;
  for (const { name, type } of inputs) {
    const rank = dims[d];
    const shape = dims.slice(d + 1, d + 1 + rank);
    d += 1 + rank;
    let g = groupOf.get(type);
    if (g === undefined) {
      g = groupOf.size;
      groupOf.set(type, g);
      offsets.push(0);
    }
    const group = msg[4 + g];
    const n = shape.reduce((a, b) => a * b, 1);
    const from = offsets[g];
    offsets[g] = from + n;
    const data =
      from === 0 && n === group.length
        ? group
        : type === "string"
          ? group.slice(from, from + n)
          : group.subarray(from, from + n);
    feeds[name] = new ort.Tensor(type, data, shape);
  }
  const started = process.hrtime.bigint();
  const results = await session.run(feeds, fetches);
  const runNs = Number(process.hrtime.bigint() - started);
  const types = [];
  const outDims = [];
  const reply = [msg[0], 1, runNs, types, outDims];
  for (const name of fetches) {
    const t = results[name];
    types.push(t.type);
    outDims.push(t.dims.length, ...t.dims);
    reply.push(t.data);
  }
  return reply;
}

parentPort.on("message", (msg) => {
  if (Array.isArray(msg)) {
    run(msg).then(
      (reply) => parentPort.postMessage(reply),
      (err) => parentPort.postMessage([msg[0], 0, String(err?.message ?? err)]),
    );
    return;
  }
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
