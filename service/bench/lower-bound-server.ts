/**
 * Lower-bound reference for bench:serve: the floor's body parsing plus the architecture the service must have
 * (inference on a worker thread, requests merged per event-loop turn) and nothing else: no validation, no
 * metrics, no logging, no drift, no events, one fixed answer layout. No correct service can be cheaper per
 * request, so its ratio to the floor is the most any implementation can reach on the machine that runs it.
 * JSON bodies only; the readmission model's two outputs.
 */
import { Worker } from "node:worker_threads";
import Fastify from "fastify";

interface JsonInput {
  readonly name: string;
  readonly datatype: string;
  readonly shape: readonly number[];
  readonly data: readonly (number | string)[];
}
interface Pending {
  readonly inputs: readonly JsonInput[];
  readonly rows: number;
  resolve(answer: { label: BigInt64Array; probabilities: Float32Array }): void;
}

const modelPath = new URL("../models/readmission/2/model.onnx", import.meta.url).pathname;
const worker = new Worker(new URL("./lower-bound-worker.mjs", import.meta.url), {
  workerData: { modelPath },
});
await new Promise((resolve) => worker.once("message", resolve));

let queue: Pending[] = [];
let busy = false;
let scheduled = false;
let nextId = 0;
const inFlight = new Map<number, Pending[]>();

/** Column i of every queued request, concatenated. */
function column(batch: readonly Pending[], i: number): Float32Array | string[] {
  if ((batch[0] as Pending).inputs[i]?.datatype === "BYTES") {
    const out: string[] = [];
    for (const p of batch) for (const v of (p.inputs[i] as JsonInput).data) out.push(v as string);
    return out;
  }
  let n = 0;
  for (const p of batch) n += (p.inputs[i] as JsonInput).data.length;
  const out = new Float32Array(n);
  let o = 0;
  for (const p of batch) for (const v of (p.inputs[i] as JsonInput).data) out[o++] = v as number;
  return out;
}

function pump(): void {
  scheduled = false;
  if (busy || queue.length === 0) return;
  const batch = queue;
  queue = [];
  busy = true;
  const first = (batch[0] as Pending).inputs;
  const rows = batch.reduce((n, p) => n + p.rows, 0);
  const id = nextId++;
  inFlight.set(id, batch);
  worker.postMessage([
    id,
    first.map((t) => t.name),
    first.map((t) => (t.datatype === "BYTES" ? "string" : "float32")),
    rows,
    first.map((_, i) => column(batch, i)),
  ]);
}

worker.on("message", ([id, label, probabilities]: [number, BigInt64Array, Float32Array]) => {
  const batch = inFlight.get(id) as Pending[];
  inFlight.delete(id);
  let row = 0;
  for (const p of batch) {
    p.resolve({
      label: label.subarray(row, row + p.rows),
      probabilities: probabilities.subarray(2 * row, 2 * (row + p.rows)),
    });
    row += p.rows;
  }
  busy = false;
  pump();
});

const app = Fastify({ logger: false, bodyLimit: 4 * 1024 * 1024 });
app.removeAllContentTypeParsers();
app.addContentTypeParser("application/json", { parseAs: "buffer" }, (_request, body: Buffer, done) => {
  try {
    done(null, JSON.parse(body.toString("utf8")));
  } catch (err) {
    done(err as Error);
  }
});

app.post("/v2/models/readmission/infer", async (request, reply) => {
  const inputs = (request.body as { inputs: JsonInput[] }).inputs;
  const rows = (inputs[0] as JsonInput).shape[0] as number;
  const { label, probabilities } = await new Promise<{ label: BigInt64Array; probabilities: Float32Array }>(
    (resolve) => {
      queue.push({ inputs, rows, resolve });
      if (!scheduled) {
        scheduled = true;
        setImmediate(pump);
      }
    },
  );
  reply.type("application/json; charset=utf-8");
  return (
    `{"model_name":"readmission","model_version":"2","id":"${request.id}","outputs":[` +
    `{"name":"label","datatype":"INT64","shape":[${rows}],"data":[${label.join(",")}]},` +
    `{"name":"probabilities","datatype":"FP32","shape":[${rows},2],"data":[${probabilities.join(",")}]}]}`
  );
});

const url = await app.listen({ host: "127.0.0.1", port: 0 });
process.stdout.write(`Server listening at ${url}\n`);
process.once("SIGTERM", () => void app.close().then(() => worker.terminate().then(() => process.exit(0))));
