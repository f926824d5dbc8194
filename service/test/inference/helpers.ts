import { readFileSync } from "node:fs";
import path from "node:path";
import ort from "onnxruntime-node";
import type { Registry } from "prom-client";
import type { Tensor } from "../../src/contracts";

import { CATEGORICAL, MODEL, MODELS_DIR, NUMERIC } from "../support/readmission";

export { MODEL, MODELS_DIR, NUMERIC };
export const modelFile = (version: string) => path.join(MODELS_DIR, MODEL, version, "model.onnx");
export const profileFile = (version: string) => path.join(MODELS_DIR, MODEL, version, "profile.json");

/** The committed profile of `version` with one field broken: age's bin frequencies no longer sum to 1. */
export function brokenProfile(version: string): string {
  const p = JSON.parse(readFileSync(profileFile(version), "utf8"));
  p.features.age.binFrequencies = p.features.age.binFrequencies.map((f: number) => f * 2);
  return JSON.stringify(p);
}

export const ADMISSION = CATEGORICAL.admission_type;
export const DISPOSITION = CATEGORICAL.discharge_disposition;

type Rows = Record<string, (number | string)[]>;

/** Deterministic pseudo-random rows (mulberry32) with realistic ranges and known categories. */
export function makeRows(seed: number, n: number): Rows {
  let s = seed >>> 0;
  const rnd = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const ranges: Record<string, [number, number]> = {
    age: [18, 95],
    num_prior_admissions: [0, 6],
    length_of_stay_days: [1, 20],
    num_medications: [1, 40],
    num_lab_procedures: [5, 90],
    num_diagnoses: [1, 12],
    hba1c: [4, 12],
    bmi: [16, 50],
    systolic_bp: [90, 190],
    creatinine: [0.4, 3],
  };
  const rows: Rows = {};
  for (const name of NUMERIC) {
    const [lo, hi] = ranges[name] as [number, number];
    rows[name] = Array.from({ length: n }, () => Math.fround(lo + rnd() * (hi - lo)));
  }
  rows.admission_type = Array.from(
    { length: n },
    () => ADMISSION[Math.floor(rnd() * ADMISSION.length)] as string,
  );
  rows.discharge_disposition = Array.from(
    { length: n },
    () => DISPOSITION[Math.floor(rnd() * DISPOSITION.length)] as string,
  );
  return rows;
}

/** Rows → the engine's input tensors, shape [n, 1] each. */
export function toTensors(rows: Rows): Tensor[] {
  return Object.entries(rows).map(([name, values]) =>
    typeof values[0] === "string"
      ? { name, datatype: "BYTES", shape: [values.length, 1], data: values as string[] }
      : { name, datatype: "FP32", shape: [values.length, 1], data: Float32Array.from(values as number[]) },
  );
}

export interface Example {
  readonly inputs: Rows;
  readonly label: number[];
  readonly probabilities: number[][];
}

/** Inputs and outputs the training pipeline recorded with Python ONNX Runtime (independent of this code). */
export function loadExample(version: string): Example {
  const raw = JSON.parse(readFileSync(path.join(MODELS_DIR, MODEL, version, "example.json"), "utf8"));
  return { inputs: raw.inputs, label: raw.outputs.label, probabilities: raw.outputs.probabilities };
}

/** Reference outputs from a plain onnxruntime-node session in the test process, one call per row set. */
export class Reference {
  private constructor(private readonly session: ort.InferenceSession) {}

  static async open(version: string): Promise<Reference> {
    return new Reference(await ort.InferenceSession.create(modelFile(version)));
  }

  async run(rows: Rows): Promise<{ label: bigint[]; probabilities: number[] }> {
    const feeds: Record<string, ort.Tensor> = {};
    for (const [name, values] of Object.entries(rows)) {
      feeds[name] =
        typeof values[0] === "string"
          ? new ort.Tensor("string", values as string[], [values.length, 1])
          : new ort.Tensor("float32", Float32Array.from(values as number[]), [values.length, 1]);
    }
    const out = await this.session.run(feeds);
    return {
      label: Array.from(out.label?.data as BigInt64Array),
      probabilities: Array.from(out.probabilities?.data as Float32Array),
    };
  }

  release(): Promise<void> {
    return this.session.release();
  }
}

export function output(tensors: readonly Tensor[], name: string): Tensor {
  const t = tensors.find((o) => o.name === name);
  if (!t) throw new Error(`no output '${name}' in [${tensors.map((o) => o.name).join(", ")}]`);
  return t;
}

/** Observations of the batch-size histogram: count and sum of rows. */
export async function batchStats(registry: Registry): Promise<{ count: number; sum: number }> {
  const m = await registry.getSingleMetric("inference_batch_size_rows")?.get();
  const v = m?.values ?? [];
  const pick = (suffix: string) =>
    v
      .filter((x) => (x as { metricName?: string }).metricName === `inference_batch_size_rows_${suffix}`)
      .reduce((a, x) => a + x.value, 0);
  return { count: pick("count"), sum: pick("sum") };
}

export async function metricValue(registry: Registry, name: string, labels: Record<string, string> = {}) {
  const m = await registry.getSingleMetric(name)?.get();
  const hit = m?.values.find((x) => Object.entries(labels).every(([k, val]) => String(x.labels[k]) === val));
  return hit?.value;
}

/** Polls `check` until it returns true; bounded so a broken engine fails the test instead of hanging. */
export async function waitFor(what: string, check: () => boolean, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
