import { Worker } from "node:worker_threads";
import type { EngineLogger } from "./options";

/** ORT tensor element types crossing the thread boundary. */
export type OrtType =
  | "float32"
  | "float64"
  | "float16"
  | "int8"
  | "int16"
  | "int32"
  | "int64"
  | "uint8"
  | "uint16"
  | "uint32"
  | "uint64"
  | "bool"
  | "string";

export interface WireTensor {
  readonly name: string;
  readonly type: OrtType;
  readonly data: ArrayBufferView | readonly string[];
  readonly dims: readonly number[];
}

/**
 * A batch's inputs crossing the thread boundary (see packInputs): each input's dims flattened (rank, then
 * dimensions) in metadata order, and the inputs' data concatenated per ORT type.
 */
export interface PackedFeeds {
  readonly dims: readonly number[];
  readonly groups: readonly (ArrayBufferView | readonly string[])[];
}

export interface WireMetadata {
  readonly name: string;
  readonly type: string;
  readonly shape: readonly (number | string)[];
}

export interface RunReply {
  readonly outputs: WireTensor[];
  readonly runNs: number;
}

interface Pending {
  resolve(value: Record<string, unknown>): void;
  reject(err: Error): void;
}

/** One worker thread plus its request/reply bookkeeping. */
export class PoolWorker {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private dead: Error | undefined;
  /** Batches sent and not answered; the dispatcher keeps this at most 1 so a busy worker is not queued on. */
  inFlight = 0;
  busySince = 0n;
  /** Metric labels of this worker, built once. */
  readonly labels: { readonly worker: string };

  constructor(
    readonly index: number,
    logger: EngineLogger,
    onDeath: (worker: PoolWorker) => void = () => {},
  ) {
    this.labels = { worker: String(index) };
    this.worker = new Worker(new URL("./worker.mjs", import.meta.url), { name: `ort-${index}` });
    this.worker.on("message", (msg: { id: number; ok: boolean; error?: string } | unknown[]) => {
      // Runs answer as arrays (see worker.mjs): [id, 1, runNs, types, dims, ...data] or [id, 0, error].
      const packed = Array.isArray(msg);
      const id = packed ? (msg[0] as number) : msg.id;
      const p = this.pending.get(id);
      if (!p) return;
      this.pending.delete(id);
      if (packed) {
        if (msg[1] === 1) p.resolve({ packed: msg });
        else p.reject(new Error(String(msg[2])));
      } else if (msg.ok) p.resolve(msg as unknown as Record<string, unknown>);
      else p.reject(new Error(msg.error));
    });
    const fail = (err: Error) => {
      const first = this.dead === undefined;
      this.dead ??= err;
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
      if (first) onDeath(this);
    };
    this.worker.on("error", (err) => {
      logger.error({ err, worker: index }, "inference worker crashed");
      fail(err);
    });
    this.worker.on("exit", (code) => fail(new Error(`inference worker ${index} exited with code ${code}`)));
  }

  get alive(): boolean {
    return this.dead === undefined;
  }

  call(msg: Record<string, unknown>): Promise<Record<string, unknown>> {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...msg, id });
    });
  }

  async load(key: string, path: string, intraOpNumThreads: number) {
    const r = await this.call({ op: "load", key, path, intraOpNumThreads });
    return r as unknown as { inputs: WireMetadata[]; outputs: WireMetadata[] };
  }

  /**
   * One batch as one flat array message, [id, key, fetches, dims, ...groups]: structured clone costs per
   * object, so this halves the hand-off cost against an object per input. Small buffers are copied (for
   * them transferring costs as much as copying); large ones, fresh from packInputs, are transferred.
   */
  async run(key: string, feeds: PackedFeeds, fetches: readonly string[]): Promise<RunReply> {
    if (this.dead) throw this.dead;
    const id = this.nextId++;
    const r = await new Promise<Record<string, unknown>>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      const transfer: ArrayBuffer[] = [];
      for (const g of feeds.groups) {
        if (ArrayBuffer.isView(g) && g.byteLength >= 65536 && g.buffer instanceof ArrayBuffer) {
          transfer.push(g.buffer);
        }
      }
      this.worker.postMessage([id, key, fetches, feeds.dims, ...feeds.groups], transfer);
    });
    const msg = r.packed as unknown[];
    const runNs = msg[2] as number;
    const types = msg[3] as OrtType[];
    const dims = msg[4] as number[];
    const outputs: WireTensor[] = [];
    let d = 0;
    for (let i = 0; i < fetches.length; i++) {
      const rank = dims[d] as number;
      outputs.push({
        name: fetches[i] as string,
        type: types[i] as OrtType,
        data: msg[5 + i] as WireTensor["data"],
        dims: dims.slice(d + 1, d + 1 + rank),
      });
      d += 1 + rank;
    }
    return { outputs, runNs };
  }

  async release(key: string): Promise<void> {
    await this.call({ op: "release", key });
  }

  async terminate(): Promise<void> {
    this.dead ??= new Error("inference worker terminated");
    await this.worker.terminate();
  }
}
