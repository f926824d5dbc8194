/**
 * The real service (engine, model, HTTP on loopback): endpoints against the OpenAPI document, dynamic batching
 * visible through HTTP with every caller getting its own rows, and a full queue answered 503 + Retry-After.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectMatchesOpenApi } from "./helpers";
import {
  CATEGORICAL,
  exampleRows,
  histogramTotals,
  inferBody,
  NUMERIC,
  type Reference,
  type Row,
  referenceModel,
  type StartedService,
  startRealService,
} from "./real-service";

/** Deterministic distinct rows: row k differs from every other row in age and BMI. */
function distinctRows(k: number, n: number): Row[] {
  const base = exampleRows()[k % 5] as Row;
  return Array.from({ length: n }, (_, j) => ({
    ...base,
    age: 20 + ((k * 7 + j * 3) % 70),
    bmi: 18 + ((k * 13 + j) % 25),
    admission_type: CATEGORICAL.admission_type[(k + j) % 4] as string,
  }));
}

interface InferJson {
  id: string;
  error?: string;
  outputs: { name: string; data: number[] }[];
}

async function infer(url: string, body: unknown, path = "/v2/models/readmission/infer") {
  const res = await fetch(url + path, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as InferJson };
}

function outputsOf(body: { outputs: { name: string; data: number[] }[] }) {
  return {
    labels: body.outputs.find((o) => o.name === "label")?.data,
    probabilities: body.outputs.find((o) => o.name === "probabilities")?.data,
  };
}

function expectSameAsReference(
  got: { labels?: number[]; probabilities?: number[] },
  want: { labels: number[]; probabilities: number[] },
) {
  expect(got.labels).toEqual(want.labels);
  expect(got.probabilities).toHaveLength(want.probabilities.length);
  got.probabilities?.forEach((p, i) => {
    expect(Math.abs(p - (want.probabilities[i] as number))).toBeLessThan(1e-6);
  });
}

let reference: Reference;
beforeAll(async () => {
  reference = await referenceModel("2");
});

describe("real service endpoints", () => {
  let service: StartedService;
  beforeAll(async () => {
    service = await startRealService();
  });
  afterAll(async () => service?.shutdown("test done"));

  it("serves the model's metadata as the ONNX file declares it", async () => {
    const res = await fetch(`${service.url}/v2/models/readmission`);
    const body = (await res.json()) as {
      versions: string[];
      inputs: { name: string }[];
      outputs: { name: string; datatype: string; shape: number[] }[];
    };
    expect(res.status).toBe(200);
    expectMatchesOpenApi("GET", "/v2/models/{name}", 200, body);
    expect(body.versions).toEqual(["2"]);
    expect(body.inputs.map((i: { name: string }) => i.name).sort()).toEqual(
      [...NUMERIC, ...Object.keys(CATEGORICAL)].sort(),
    );
    expect(body.outputs).toContainEqual({ name: "probabilities", datatype: "FP32", shape: [-1, 2] });
  });

  it("predicts the shipped example rows like ONNX Runtime", async () => {
    const rows = exampleRows();
    const r = await infer(service.url, inferBody(rows, { id: "example" }));
    expect(r.status).toBe(200);
    expectMatchesOpenApi("POST", "/v2/models/{name}/infer", 200, r.body);
    expect(r.body).toMatchObject({ model_name: "readmission", model_version: "2", id: "example" });
    expectSameAsReference(outputsOf(r.body), await reference.predict(rows));
  });

  it("serves readiness, repository index, and unload/load through the repository extension", async () => {
    const index = await (await fetch(`${service.url}/v2/repository/index`, { method: "POST" })).json();
    expectMatchesOpenApi("POST", "/v2/repository/index", 200, index);
    expect(index).toEqual([{ name: "readmission", version: "2", state: "READY", reason: "" }]);
    const unload = await fetch(`${service.url}/v2/repository/models/readmission/unload`, { method: "POST" });
    expect(unload.status).toBe(200);
    expect((await fetch(`${service.url}/v2/health/ready`)).status).toBe(503);
    const refused = await infer(service.url, inferBody(exampleRows()));
    expect(refused.status).toBe(503);
    expectMatchesOpenApi("POST", "/v2/models/{name}/infer", 503, refused.body);
    const load = await fetch(`${service.url}/v2/repository/models/readmission/load`, { method: "POST" });
    expect(load.status).toBe(200);
    expect((await fetch(`${service.url}/v2/models/readmission/versions/2/ready`)).status).toBe(200);
    expect((await infer(service.url, inferBody(exampleRows()))).status).toBe(200);
    const unknown = await fetch(`${service.url}/v2/repository/models/nope/load`, { method: "POST" });
    expect(unknown.status).toBe(404);
  });
});

describe("dynamic batching through HTTP", () => {
  let service: StartedService;
  beforeAll(async () => {
    // One worker and a 20 ms batching window: concurrent requests must share ONNX Runtime runs.
    service = await startRealService({
      INFERENCE_WORKERS: "1",
      MAX_BATCH_DELAY_US: "20000",
      MAX_BATCH_SIZE: "64",
    });
  });
  afterAll(async () => service?.shutdown("test done"));

  it("merges concurrent requests into batches and gives every caller its own rows", async () => {
    const requests = Array.from({ length: 24 }, (_, k) => distinctRows(k, 1 + (k % 3)));
    const answers = await Promise.all(
      requests.map((rows, k) => infer(service.url, inferBody(rows, { id: `caller-${k}` }))),
    );
    for (const [k, a] of answers.entries()) {
      expect(a.status).toBe(200);
      expect(a.body.id).toBe(`caller-${k}`);
      expectSameAsReference(outputsOf(a.body), await reference.predict(requests[k] as Row[]));
    }
    const { sum, count } = histogramTotals(
      await (await fetch(`${service.url}/metrics`)).text(),
      "inference_batch_size_rows",
    );
    const rows = requests.reduce((a, r) => a + r.length, 0);
    expect(sum).toBe(rows);
    expect(sum / count).toBeGreaterThan(1);
  });
});

describe("full queue through HTTP", () => {
  let service: StartedService;
  beforeAll(async () => {
    service = await startRealService({
      INFERENCE_WORKERS: "1",
      // Batches fill only by time (200 ms), so the 4-row queue overflows while 64 callers arrive.
      MAX_QUEUE_ROWS: "4",
      MAX_BATCH_SIZE: "64",
      MAX_BATCH_DELAY_US: "200000",
    });
  });
  afterAll(async () => service?.shutdown("test done"));

  it("answers 503 with Retry-After past the queue bound and serves the rest correctly", async () => {
    const rows = distinctRows(3, 1);
    const want = await reference.predict(rows);
    const answers = await Promise.all(Array.from({ length: 64 }, () => infer(service.url, inferBody(rows))));
    const refused = answers.filter((a) => a.status === 503);
    const served = answers.filter((a) => a.status === 200);
    expect(refused.length + served.length).toBe(64);
    expect(refused.length).toBeGreaterThan(0);
    expect(served.length).toBeGreaterThan(0);
    for (const r of refused) {
      expectMatchesOpenApi("POST", "/v2/models/{name}/infer", 503, r.body);
      expect(Number(r.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    }
    for (const s of served) expectSameAsReference(outputsOf(s.body), want);
    expect((await infer(service.url, inferBody(rows))).status).toBe(200);
  });
});
