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

  constructor(
    readonly index: number,
    logger: EngineLogger,
    onDeath: (worker: PoolWorker) => void = () => {},
  ) {
    this.worker = new Worker(new URL("./worker.mjs", import.meta.url), { name: `ort-${index}` });
    this.worker.on("message", (msg: { id: number; ok: boolean; error?: string }) => {
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (msg.ok) p.resolve(msg as unknown as Record<string, unknown>);
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

  call(msg: Record<string, unknown>, transfer: ArrayBuffer[] = []): Promise<Record<string, unknown>> {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...msg, id }, transfer);
    });
  }

  async load(key: string, path: string, intraOpNumThreads: number) {
    const r = await this.call({ op: "load", key, path, intraOpNumThreads });
    return r as unknown as { inputs: WireMetadata[]; outputs: WireMetadata[] };
  }

  async run(key: string, feeds: WireTensor[], fetches: readonly string[]): Promise<RunReply> {
    const transfer: ArrayBuffer[] = [];
    for (const f of feeds) {
      // Feeds are fresh buffers built by the batcher, so handing them over costs no copy.
      if (ArrayBuffer.isView(f.data) && f.data.buffer instanceof ArrayBuffer) transfer.push(f.data.buffer);
    }
    const r = await this.call({ op: "run", key, feeds, fetches }, transfer);
    return r as unknown as RunReply;
  }

  async release(key: string): Promise<void> {
    await this.call({ op: "release", key });
  }

  async terminate(): Promise<void> {
    this.dead ??= new Error("inference worker terminated");
    await this.worker.terminate();
  }
}
