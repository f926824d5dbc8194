/** Every client-error status of the HTTP layer, each answered as `{"error": ...}` while the server keeps serving. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { binaryRequest } from "./client";
import { FakeEngine } from "./fake-engine";
import { expectMatchesOpenApi, type Running, startServer } from "./helpers";

const engine = new FakeEngine();
let server: Running;
const INFER = "/v2/models/{name}/infer";

beforeAll(async () => {
  server = await startServer({ engine, bodyLimit: 4096 });
});
afterAll(async () => server.close());

async function post(
  path: string,
  body: string | Buffer,
  headers: Record<string, string> = { "content-type": "application/json" },
) {
  const res = await fetch(server.url + path, { method: "POST", body, headers });
  return { status: res.status, headers: res.headers, body: (await res.json()) as { error: string } };
}

const valid = () => ({
  inputs: [
    { name: "x", shape: [1, 1], datatype: "FP32", data: [1] as unknown[] },
    { name: "y", shape: [1, 1], datatype: "FP32", data: [2] as unknown[] },
    { name: "kind", shape: [1, 1], datatype: "BYTES", data: ["a"] as unknown[] },
  ],
});

async function expectError(
  status: number,
  body: string | Buffer,
  pattern: RegExp,
  headers?: Record<string, string>,
) {
  const r = await post("/v2/models/toy/infer", body, headers);
  expect(r.status).toBe(status);
  expectMatchesOpenApi("POST", INFER, status, r.body);
  expect(r.body.error).toMatch(pattern);
  return r;
}

describe("HTTP client errors", () => {
  it("answers 413 when the body is over the limit", async () => {
    await expectError(
      413,
      JSON.stringify({ ...valid(), pad: "x".repeat(5000) }),
      /larger than the limit of 4096 bytes/,
    );
  });

  it("answers 415 when the content type is not JSON or octet-stream", async () => {
    await expectError(415, JSON.stringify(valid()), /unsupported Content-Type/, {
      "content-type": "text/plain",
    });
  });

  it("answers 400 when the JSON is malformed", async () => {
    await expectError(400, '{"inputs": [', /not valid JSON/);
  });

  it("answers 400 when the body is empty", async () => {
    await expectError(400, "", /empty/);
  });

  it("answers 400 when shape and data disagree, naming the input", async () => {
    const b = valid();
    b.inputs[1].data = [1, 2];
    await expectError(400, JSON.stringify(b), /inputs\[1\]\.data: shape \[1,1\] needs 1 elements, got 2/);
  });

  it("answers 400 when inputs disagree on the number of rows", async () => {
    const b = valid();
    b.inputs[1] = { name: "y", shape: [2, 1], datatype: "FP32", data: [1, 2] };
    await expectError(
      400,
      JSON.stringify(b),
      /inputs\[1\]\.shape\[0\]: every input needs the same number of rows/,
    );
  });

  it("answers 400 when the shape does not fit the model", async () => {
    const b = valid();
    b.inputs[0] = { name: "x", shape: [1, 2], datatype: "FP32", data: [1, 2] };
    await expectError(400, JSON.stringify(b), /inputs\[0\]\.shape: input 'x' expects shape \[-1,1\]/);
  });

  it("answers 400 when the datatype does not fit the model", async () => {
    const b = valid();
    b.inputs[0] = { name: "x", shape: [1, 1], datatype: "INT32", data: [1] };
    await expectError(400, JSON.stringify(b), /inputs\[0\]\.datatype: input 'x' expects FP32, got INT32/);
  });

  it("answers 400 when an input is missing or unknown", async () => {
    const b = valid();
    b.inputs.pop();
    await expectError(400, JSON.stringify(b), /inputs: missing kind/);
    const c = valid();
    c.inputs[2] = { ...c.inputs[2], name: "colour" } as (typeof c.inputs)[number];
    await expectError(400, JSON.stringify(c), /inputs\[2\]\.name: model 'toy' has no input "colour"/);
  });

  it("answers 400 when a number is given as the string NaN", async () => {
    const b = valid();
    b.inputs[0].data = ["NaN"];
    await expectError(
      400,
      JSON.stringify(b),
      /inputs\[0\]\.data\[0\]: expected a finite FP32 number, got "NaN"/,
    );
  });

  it("answers 400 when a huge exponent overflows to Infinity", async () => {
    const text = JSON.stringify(valid()).replace('"data":[1]', '"data":[1e999]');
    await expectError(400, text, /inputs\[0\]\.data\[0\]: expected a finite FP32 number, got Infinity/);
  });

  it("answers 400 when a finite double overflows FP32", async () => {
    const b = valid();
    b.inputs[0].data = [1e39];
    await expectError(400, JSON.stringify(b), /1e\+39 overflows FP32/);
  });

  it("answers 400 when binary FP32 data carries NaN or Infinity", async () => {
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY]) {
      const { body, headers } = binaryRequest([
        { name: "x", shape: [2, 1], datatype: "FP32", values: [1, bad] },
        { name: "y", shape: [2, 1], datatype: "FP32", values: [1, 1] },
        { name: "kind", shape: [2, 1], datatype: "BYTES", values: ["a", "b"] },
      ]);
      await expectError(
        400,
        body,
        /inputs\[0\]\.binary_data\[1\]: expected a finite FP32 number, got (NaN|Infinity)/,
        headers,
      );
    }
  });

  it("answers 400 when a binary BYTES element is not UTF-8", async () => {
    const { body, headers } = binaryRequest([
      { name: "x", shape: [1, 1], datatype: "FP32", values: [1] },
      { name: "y", shape: [1, 1], datatype: "FP32", values: [1] },
      { name: "kind", shape: [1, 1], datatype: "BYTES", values: ["a"] },
    ]);
    body[body.length - 1] = 0xff;
    await expectError(400, body, /inputs\[2\]\.binary_data: BYTES element 0 is not valid UTF-8/, headers);
  });

  it("answers 400 when binary sizes do not add up", async () => {
    const { body, headers } = binaryRequest([
      { name: "x", shape: [1, 1], datatype: "FP32", values: [1] },
      { name: "y", shape: [1, 1], datatype: "FP32", values: [1] },
      { name: "kind", shape: [1, 1], datatype: "BYTES", values: ["a"] },
    ]);
    await expectError(
      400,
      Buffer.concat([body, Buffer.from([0])]),
      /1 bytes of binary data not claimed/,
      headers,
    );
    await expectError(400, body.subarray(0, body.length - 1), /runs past|BYTES element 0 runs past/, headers);
    await expectError(400, body, /Inference-Header-Content-Length/, {
      ...headers,
      "inference-header-content-length": "x",
    });
  });

  it("answers 400 when values are nested absurdly deep", async () => {
    const deep = `${"[".repeat(100_000)}1${"]".repeat(100_000)}`;
    const server2 = await startServer({ engine, bodyLimit: 1024 * 1024 });
    try {
      for (const text of [
        `{"inputs": ${deep}}`,
        `{"inputs": [{"name": "x", "shape": [1, 1], "datatype": "FP32", "data": ${deep}}]}`,
        `{"id": ${deep}, "inputs": []}`,
      ]) {
        const res = await fetch(`${server2.url}/v2/models/toy/infer`, {
          method: "POST",
          body: text,
          headers: { "content-type": "application/json" },
        });
        expect(res.status).toBe(400);
        expect(((await res.json()) as { error: string }).error).toMatch(/inputs|id/);
      }
    } finally {
      await server2.close();
    }
  });

  it("reads a body without a content type as JSON (Triton's client sends none): 400 for one without inputs", async () => {
    const res = await fetch(`${server.url}/v2/models/toy/infer`, {
      method: "POST",
      body: new Uint8Array([123, 125]),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(/inputs/);
  });

  it("answers 404 when the model is unknown", async () => {
    const r = await post("/v2/models/nope/infer", JSON.stringify(valid()));
    expect(r.status).toBe(404);
    expectMatchesOpenApi("POST", INFER, 404, r.body);
    expect(r.body.error).toBe("model 'nope' not found");
    const meta = await fetch(`${server.url}/v2/models/toy/versions/9`);
    expect(meta.status).toBe(404);
  });

  it("types error answers exactly application/json, as KServe's client needs to read the message", async () => {
    for (const res of [
      await fetch(`${server.url}/v2/models/toy/infer`, { method: "POST", body: "{" }),
      await fetch(`${server.url}/v3/anything`),
    ]) {
      expect(res.headers.get("content-type")).toBe("application/json");
      expect(((await res.json()) as { error: string }).error.length).toBeGreaterThan(0);
    }
  });

  it("answers 404 with a JSON error for unknown routes", async () => {
    const res = await fetch(`${server.url}/v3/anything`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: "no route for GET /v3/anything" });
  });

  it("answers 503 with Retry-After when the engine queue is full", async () => {
    engine.capacity = 0;
    try {
      const r = await expectError(503, JSON.stringify(valid()), /queue is full/);
      expect(r.headers.get("retry-after")).toBe("2");
    } finally {
      engine.capacity = Number.POSITIVE_INFINITY;
    }
  });

  it("keeps serving after every error above", async () => {
    const r = await post("/v2/models/toy/infer", JSON.stringify(valid()));
    expect(r.status).toBe(200);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    const codes = [...metrics.matchAll(/(?:code|status_code)="(\d+)"/g)].map((m) => m[1]);
    expect(codes).toContain("400");
    expect(codes.filter((c) => c?.startsWith("5") && c !== "503")).toEqual([]);
    expect(metrics).toMatch(/inference_requests_total\{model="unknown",version="",code="404"\} 1/);
  });
});

describe("OpenAPI check used by these tests", () => {
  it("fails when a body does not match the documented schema", () => {
    expect(() => expectMatchesOpenApi("GET", "/v2", 200, { name: 1 })).toThrow(/violates OpenAPI/);
    expect(() => expectMatchesOpenApi("POST", INFER, 500, { error: "x" })).toThrow(/lists no 500 response/);
  });
});
