import ort from "onnxruntime-node";

export interface RawBenchOptions {
  /** Path to the model.onnx to measure. */
  readonly modelPath: string;
  /** Rows per run; default [1, 32]. */
  readonly batchSizes?: readonly number[];
  /** Measured time per batch size after a short warm-up; default 2000 ms. */
  readonly durationMs?: number;
  /** Default 1, as in the engine's workers. */
  readonly intraOpNumThreads?: number;
  /** One row of feature values by input name; missing numeric inputs get 1, missing string inputs "unknown". */
  readonly sample?: Readonly<Record<string, number | string>>;
}

export interface RawBenchResult {
  readonly batchSize: number;
  readonly runs: number;
  readonly rows: number;
  readonly seconds: number;
  readonly rowsPerSecond: number;
  readonly meanRunMicros: number;
}

type Feeds = Record<string, ort.Tensor>;

function feedsFor(session: ort.InferenceSession, rows: number, sample: RawBenchOptions["sample"]): Feeds {
  const feeds: Feeds = {};
  for (const m of session.inputMetadata) {
    if (!m.isTensor) throw new Error(`input '${m.name}' is not a tensor`);
    const rest = m.shape.slice(1).map((d) => (typeof d === "number" && d > 0 ? d : 1));
    const dims = [rows, ...rest];
    const n = dims.reduce((a, b) => a * b, 1);
    const v = sample?.[m.name];
    if (m.type === "string") {
      feeds[m.name] = new ort.Tensor("string", new Array<string>(n).fill(String(v ?? "unknown")), dims);
    } else if (m.type === "float32") {
      feeds[m.name] = new ort.Tensor("float32", new Float32Array(n).fill(Number(v ?? 1)), dims);
    } else if (m.type === "float64") {
      feeds[m.name] = new ort.Tensor("float64", new Float64Array(n).fill(Number(v ?? 1)), dims);
    } else if (m.type === "int64") {
      feeds[m.name] = new ort.Tensor(
        "int64",
        new BigInt64Array(n).fill(BigInt(Math.trunc(Number(v ?? 1)))),
        dims,
      );
    } else if (m.type === "int32") {
      feeds[m.name] = new ort.Tensor("int32", new Int32Array(n).fill(Number(v ?? 1)), dims);
    } else {
      throw new Error(`bench cannot synthesise input '${m.name}' of type ${m.type}`);
    }
  }
  return feeds;
}

/**
 * Raw in-process ONNX Runtime throughput (one session, no worker pool, no batching, no HTTP): the ceiling
 * the served numbers are compared with.
 */
export async function rawThroughput(options: RawBenchOptions): Promise<RawBenchResult[]> {
  const session = await ort.InferenceSession.create(options.modelPath, {
    intraOpNumThreads: options.intraOpNumThreads ?? 1,
    interOpNumThreads: 1,
    executionMode: "sequential",
    graphOptimizationLevel: "all",
  });
  const durationMs = options.durationMs ?? 2000;
  const results: RawBenchResult[] = [];
  try {
    for (const batchSize of options.batchSizes ?? [1, 32]) {
      const feeds = feedsFor(session, batchSize, options.sample);
      const warmUntil = performance.now() + Math.min(200, durationMs / 5);
      while (performance.now() < warmUntil) await session.run(feeds);
      let runs = 0;
      const started = performance.now();
      const until = started + durationMs;
      while (performance.now() < until) {
        await session.run(feeds);
        runs++;
      }
      const seconds = (performance.now() - started) / 1000;
      results.push({
        batchSize,
        runs,
        rows: runs * batchSize,
        seconds,
        rowsPerSecond: (runs * batchSize) / seconds,
        meanRunMicros: (seconds * 1e6) / runs,
      });
    }
  } finally {
    await session.release();
  }
  return results;
}
