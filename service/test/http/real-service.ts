/**
 * The real service in-process (real engine, real model, real HTTP on loopback port 0) and an independent
 * reference: a direct ONNX Runtime session on the same model file.
 */
import { readFileSync } from "node:fs";
import { Writable } from "node:stream";
import ort from "onnxruntime-node";
import { loadConfig } from "../../src/config";
import { type RunningService, startService } from "../../src/main";

import { CATEGORICAL, MODELS_DIR, NUMERIC } from "../support/readmission";

export { CATEGORICAL, MODELS_DIR, NUMERIC };

export type Row = Record<(typeof NUMERIC)[number], number> & Record<keyof typeof CATEGORICAL, string>;

/** The example rows shipped with the model (version directory `version`). */
export function exampleRows(version = "2"): Row[] {
  const ex = JSON.parse(readFileSync(`${MODELS_DIR}/readmission/${version}/example.json`, "utf8")) as {
    inputs: Record<string, (number | string)[]>;
  };
  const n = ex.inputs.age?.length ?? 0;
  return Array.from(
    { length: n },
    (_, i) => Object.fromEntries(Object.entries(ex.inputs).map(([k, v]) => [k, v[i]])) as Row,
  );
}

/** Open Inference Protocol JSON body for rows, one [N,1] input per feature. */
export function inferBody(
  rows: readonly Row[],
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    ...extra,
    inputs: [
      ...NUMERIC.map((name) => ({
        name,
        shape: [rows.length, 1],
        datatype: "FP32",
        data: rows.map((r) => r[name]),
      })),
      ...Object.keys(CATEGORICAL).map((name) => ({
        name,
        shape: [rows.length, 1],
        datatype: "BYTES",
        data: rows.map((r) => r[name as keyof typeof CATEGORICAL]),
      })),
    ],
  };
}

export interface Reference {
  predict(rows: readonly Row[]): Promise<{ labels: number[]; probabilities: number[] }>;
}

/** Direct ORT session on `readmission/<version>/model.onnx`, bypassing the engine and the HTTP layer. */
export async function referenceModel(version = "2", dir = MODELS_DIR): Promise<Reference> {
  const session = await ort.InferenceSession.create(`${dir}/readmission/${version}/model.onnx`);
  return {
    async predict(rows) {
      const feeds: Record<string, ort.Tensor> = {};
      for (const name of NUMERIC)
        feeds[name] = new ort.Tensor("float32", Float32Array.from(rows.map((r) => r[name])), [
          rows.length,
          1,
        ]);
      for (const name of Object.keys(CATEGORICAL) as (keyof typeof CATEGORICAL)[]) {
        feeds[name] = new ort.Tensor(
          "string",
          rows.map((r) => r[name]),
          [rows.length, 1],
        );
      }
      const out = await session.run(feeds);
      return {
        labels: Array.from(out.label?.data as BigInt64Array, Number),
        probabilities: Array.from(out.probabilities?.data as Float32Array),
      };
    },
  };
}

export interface StartedService extends RunningService {
  readonly logs: string[];
}

/** Starts the real service from environment-style settings (PORT=0, loopback, warn-level logs captured). */
export async function startRealService(env: Record<string, string> = {}): Promise<StartedService> {
  const logs: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      logs.push(...String(chunk).split("\n").filter(Boolean));
      cb();
    },
  });
  const config = loadConfig({
    HOST: "127.0.0.1",
    PORT: "0",
    LOG_LEVEL: "warn",
    MODEL_POLL_INTERVAL_MS: "0",
    INFERENCE_WORKERS: "2",
    ...env,
  });
  const service = await startService(config, destination);
  return Object.assign(service, { logs });
}

/** Reads one histogram's _sum and _count for a metric from the /metrics text. */
export function histogramTotals(metricsText: string, name: string): { sum: number; count: number } {
  const total = (suffix: string) =>
    metricsText
      .split("\n")
      .filter((l) => l.startsWith(`${name}_${suffix}`))
      .reduce((acc, l) => acc + Number(l.split(" ").pop()), 0);
  return { sum: total("sum"), count: total("count") };
}
