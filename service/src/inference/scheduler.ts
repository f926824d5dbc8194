import { type LoadedModelVersion, QueueFullError, type Tensor, type TensorMetadata } from "../contracts";
import type { CounterSeries, GaugeSeries, HistogramSeries } from "../hot-metrics";
import type { EngineMetrics } from "./metrics";
import type { PoolWorker } from "./pool";
import { fromWire, packInputs, sliceRows } from "./tensors";

/** A model version loaded into every worker, with its own queue of requests waiting to be batched. */
export interface LoadedVersion {
  readonly model: string;
  readonly version: string;
  /** Session key inside the workers; unique per load, so a reload never meets a released session. */
  readonly key: string;
  /** Local model file, kept to load the version into a respawned worker. */
  readonly file: string;
  readonly inputs: readonly TensorMetadata[];
  readonly outputs: readonly TensorMetadata[];
  /** Where the version came from and the drift profile that came with it. */
  readonly info: LoadedModelVersion;
  /** Every input and output has a variable first dimension, so requests can be stacked. */
  readonly batchable: boolean;
  readonly queue: Pending[];
  queuedRows: number;
  inFlight: number;
  /** The oldest queued request has waited maxBatchDelay: run what is queued when a worker frees up. */
  expired: boolean;
  timer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  readonly idleWaiters: (() => void)[];
  /** Metric series bound on first dispatch. */
  series: { readonly batchSize: HistogramSeries; readonly duration: HistogramSeries } | undefined;
}

export interface Pending {
  readonly inputs: readonly Tensor[];
  /** Undefined: all outputs. */
  readonly outputs: readonly string[] | undefined;
  readonly rows: number;
  readonly enqueuedAt: number;
  resolve(outputs: Tensor[]): void;
  reject(err: Error): void;
}

export function newLoadedVersion(
  fields: Pick<LoadedVersion, "model" | "version" | "key" | "file" | "inputs" | "outputs" | "info">,
): LoadedVersion {
  const batchable = [...fields.inputs, ...fields.outputs].every(
    (t) => t.shape.length > 0 && t.shape[0] === -1,
  );
  return {
    ...fields,
    batchable,
    queue: [],
    queuedRows: 0,
    inFlight: 0,
    expired: false,
    timer: undefined,
    idleWaiters: [],
    series: undefined,
  };
}

export interface SchedulerLimits {
  readonly maxBatchSize: number;
  readonly maxBatchDelayMicros: number;
  readonly maxQueueRows: number;
}

/**
 * Dynamic batching over a worker pool. A version's queue becomes due when it holds maxBatchSize rows or its
 * oldest request has waited maxBatchDelayMicros; due queues go to idle workers (one batch per worker at a
 * time, so requests keep merging while all workers are busy).
 */
export class Scheduler {
  private readonly active = new Set<LoadedVersion>();
  private queuedRows = 0;
  private flushAll = false;
  private readonly queueGauge: GaugeSeries;
  private readonly busyGauge: GaugeSeries;
  private readonly busySeconds = new WeakMap<PoolWorker, CounterSeries>();

  constructor(
    private readonly workers: readonly PoolWorker[],
    private readonly limits: SchedulerLimits,
    private readonly metrics: EngineMetrics,
  ) {
    this.queueGauge = metrics.queueRows.bind({});
    this.busyGauge = metrics.workersBusy.bind({});
  }

  private seriesOf(lv: LoadedVersion) {
    if (lv.series === undefined) {
      lv.series = {
        batchSize: this.metrics.batchSize.bind({ model: lv.model }),
        duration: this.metrics.duration.bind({ model: lv.model, version: lv.version }),
      };
    }
    return lv.series;
  }

  private busySecondsOf(worker: PoolWorker): CounterSeries {
    let series = this.busySeconds.get(worker);
    if (series === undefined) {
      series = this.metrics.workerBusySeconds.bind(worker.labels);
      this.busySeconds.set(worker, series);
    }
    return series;
  }

  enqueue(lv: LoadedVersion, p: Omit<Pending, "enqueuedAt">): void {
    if (!this.workers.some((w) => w.alive)) throw new Error("no inference worker is running");
    if (this.queuedRows + p.rows > this.limits.maxQueueRows && this.queuedRows > 0) {
      throw new QueueFullError(1);
    }
    lv.queue.push({ ...p, enqueuedAt: performance.now() });
    lv.queuedRows += p.rows;
    this.queuedRows += p.rows;
    this.queueGauge.set(this.queuedRows);
    this.active.add(lv);
    if (lv.queue.length === 1) this.arm(lv);
    this.pump();
  }

  /** Runs everything queued without waiting for batches to fill (used on close). */
  flush(): void {
    this.flushAll = true;
    this.pump();
  }

  /** Resolves once the version has nothing queued and nothing running. */
  drained(lv: LoadedVersion): Promise<void> {
    if (lv.queue.length === 0 && lv.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => lv.idleWaiters.push(resolve));
  }

  private arm(lv: LoadedVersion): void {
    const first = lv.queue[0];
    if (!first) return;
    const waitedMicros = (performance.now() - first.enqueuedAt) * 1000;
    const leftMicros = this.limits.maxBatchDelayMicros - waitedMicros;
    const fire = () => {
      lv.timer = undefined;
      lv.expired = true;
      this.pump();
    };
    if (leftMicros <= 0) lv.expired = true;
    else if (leftMicros < 1000) lv.timer = setImmediate(fire);
    else lv.timer = setTimeout(fire, leftMicros / 1000);
  }

  private disarm(lv: LoadedVersion): void {
    if (lv.timer === undefined) return;
    clearTimeout(lv.timer as NodeJS.Timeout);
    clearImmediate(lv.timer as NodeJS.Immediate);
    lv.timer = undefined;
  }

  private isDue(lv: LoadedVersion): boolean {
    return lv.queue.length > 0 && (this.flushAll || lv.expired || lv.queuedRows >= this.limits.maxBatchSize);
  }

  /** Dispatches due batches to idle workers; also called when a worker becomes usable again. */
  pump(): void {
    for (const worker of this.workers) {
      if (!worker.alive || worker.inFlight > 0) continue;
      const lv = this.pickDue();
      if (!lv) return;
      this.dispatch(worker, lv, this.take(lv));
    }
  }

  /** The due version whose oldest request waited longest, so one busy model cannot starve another. */
  private pickDue(): LoadedVersion | undefined {
    let best: LoadedVersion | undefined;
    for (const lv of this.active) {
      if (!this.isDue(lv)) continue;
      if (!best || (lv.queue[0] as Pending).enqueuedAt < (best.queue[0] as Pending).enqueuedAt) best = lv;
    }
    return best;
  }

  private take(lv: LoadedVersion): Pending[] {
    const batch: Pending[] = [];
    let rows = 0;
    while (lv.queue.length > 0) {
      const next = lv.queue[0] as Pending;
      if (batch.length > 0 && (!lv.batchable || rows + next.rows > this.limits.maxBatchSize)) break;
      lv.queue.shift();
      batch.push(next);
      rows += next.rows;
    }
    lv.queuedRows -= rows;
    this.queuedRows -= rows;
    this.queueGauge.set(this.queuedRows);
    this.disarm(lv);
    lv.expired = false;
    if (lv.queue.length === 0) this.active.delete(lv);
    else this.arm(lv);
    return batch;
  }

  private dispatch(worker: PoolWorker, lv: LoadedVersion, batch: Pending[]): void {
    const rows = batch.reduce((n, p) => n + p.rows, 0);
    const wanted = batch.some((p) => p.outputs === undefined)
      ? lv.outputs.map((o) => o.name)
      : [...new Set(batch.flatMap((p) => p.outputs as string[]))];
    let feeds: ReturnType<typeof packInputs>;
    try {
      feeds = packInputs(
        lv.inputs,
        batch.map((p) => p.inputs),
      );
    } catch (err) {
      for (const p of batch) p.reject(err as Error);
      return;
    }
    worker.inFlight++;
    lv.inFlight++;
    const started = process.hrtime.bigint();
    this.busyGauge.inc();
    const series = this.seriesOf(lv);
    series.batchSize.observe(rows);
    worker
      .run(lv.key, feeds, wanted)
      .then(
        (reply) => {
          series.duration.observe(reply.runNs / 1e9);
          const outputs = reply.outputs.map(fromWire);
          let offset = 0;
          for (const p of batch) {
            const names = p.outputs ?? lv.outputs.map((o) => o.name);
            const mine = names.map((name) => {
              const t = outputs.find((o) => o.name === name) as Tensor;
              return lv.batchable ? sliceRows(t, offset, p.rows) : t;
            });
            offset += p.rows;
            p.resolve(mine);
          }
        },
        (err: Error) => {
          const e = new Error(
            `inference failed for model '${lv.model}' version '${lv.version}': ${err.message}`,
          );
          for (const p of batch) p.reject(e);
        },
      )
      .finally(() => {
        worker.inFlight--;
        lv.inFlight--;
        this.busyGauge.dec();
        this.busySecondsOf(worker).inc(Number(process.hrtime.bigint() - started) / 1e9);
        if (lv.inFlight === 0 && lv.queue.length === 0) {
          for (const wake of lv.idleWaiters.splice(0)) wake();
        }
        this.pump();
      });
  }
}
