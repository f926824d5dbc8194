/**
 * Every endpoint of the HTTP layer against a small in-test engine, each JSON answer validated against the
 * served OpenAPI document.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeEngine, toyScore } from "./fake-engine";
import { compileAllResponseSchemas, expectMatchesOpenApi, type Running, startServer } from "./helpers";

const engine = new FakeEngine();
const drift = {
  status: (model?: string) =>
    model === undefined ? { models: { toy: { drifted: false } } } : { model, drifted: false },
};
let server: Running;

beforeAll(async () => {
  server = await startServer({ engine, drift });
});
afterAll(async () => server.close());

async function call(method: string, path: string, body?: unknown) {
  const res = await fetch(server.url + path, {
    method,
    ...(body === undefined
      ? {}
      : { body: JSON.stringify(body), headers: { "content-type": "application/json" } }),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text.length > 0 ? JSON.parse(text) : undefined };
}

const rows = (x: number[], y: number[], kind: string[]) => ({
  inputs: [
    { name: "x", shape: [x.length, 1], datatype: "FP32", data: x },
    { name: "y", shape: [y.length, 1], datatype: "FP32", data: y },
    { name: "kind", shape: [kind.length, 1], datatype: "BYTES", data: kind },
  ],
});

describe("Open Inference Protocol endpoints", () => {
  it("serves server metadata with both extensions", async () => {
    const r = await call("GET", "/v2");
    expect(r.status).toBe(200);
    expectMatchesOpenApi("GET", "/v2", 200, r.body);
    expect(r.body.extensions).toEqual(expect.arrayContaining(["model_repository", "binary_tensor_data"]));
  });

  it("serves liveness and readiness", async () => {
    const live = await call("GET", "/v2/health/live");
    expectMatchesOpenApi("GET", "/v2/health/live", live.status, live.body);
    expect(live.status).toBe(200);
    const ready = await call("GET", "/v2/health/ready");
    expectMatchesOpenApi("GET", "/v2/health/ready", ready.status, ready.body);
    expect(ready.body).toEqual({ ready: true });
  });

  it("serves model metadata, by name and by version", async () => {
    for (const [path, template] of [
      ["/v2/models/toy", "/v2/models/{name}"],
      ["/v2/models/toy/versions/1", "/v2/models/{name}/versions/{version}"],
    ] as const) {
      const r = await call("GET", path);
      expect(r.status).toBe(200);
      expectMatchesOpenApi("GET", template, 200, r.body);
      expect(r.body.inputs.map((i: { name: string }) => i.name)).toEqual(["x", "y", "kind"]);
    }
  });

  it("serves model readiness, by name and by version", async () => {
    const a = await call("GET", "/v2/models/toy/ready");
    expectMatchesOpenApi("GET", "/v2/models/{name}/ready", a.status, a.body);
    expect(a.body).toEqual({ name: "toy", ready: true });
    const b = await call("GET", "/v2/models/toy/versions/1/ready");
    expectMatchesOpenApi("GET", "/v2/models/{name}/versions/{version}/ready", b.status, b.body);
    expect(b.body).toEqual({ name: "toy", version: "1", ready: true });
  });

  it("answers an inference with the engine's values and echoes the id", async () => {
    const r = await call("POST", "/v2/models/toy/infer", {
      id: "req-7",
      ...rows([0.5, -2], [1, 0], ["a", "b"]),
    });
    expect(r.status).toBe(200);
    expectMatchesOpenApi("POST", "/v2/models/{name}/infer", 200, r.body);
    expect(r.body.id).toBe("req-7");
    expect(r.headers.get("x-request-id")).toBe("req-7");
    expect(r.body.model_name).toBe("toy");
    expect(r.body.model_version).toBe("1");
    const probs = r.body.outputs.find((o: { name: string }) => o.name === "probabilities");
    expect(probs.shape).toEqual([2, 2]);
    expect(probs.data[1]).toBeCloseTo(toyScore(0.5, 1, "a"), 6);
    expect(probs.data[3]).toBeCloseTo(toyScore(-2, 0, "b"), 6);
    const label = r.body.outputs.find((o: { name: string }) => o.name === "label");
    expect(label).toEqual({ name: "label", datatype: "INT64", shape: [2], data: [1, 0] });
  });

  it("generates an id when the request has none and uses it as the request id", async () => {
    const r = await call("POST", "/v2/models/toy/versions/1/infer", rows([1], [1], ["a"]));
    expect(r.status).toBe(200);
    expectMatchesOpenApi("POST", "/v2/models/{name}/versions/{version}/infer", 200, r.body);
    expect(r.body.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(r.headers.get("x-request-id")).toBe(r.body.id);
  });

  it("accepts nested data arrays and answers only the requested outputs", async () => {
    const body = rows([0], [0], ["a"]);
    (body.inputs[0] as { data: unknown }).data = [[0]];
    const r = await call("POST", "/v2/models/toy/infer", { ...body, outputs: [{ name: "label" }] });
    expect(r.status).toBe(200);
    expect(r.body.outputs.map((o: { name: string }) => o.name)).toEqual(["label"]);
  });

  it("serves the repository index, filtered by readiness", async () => {
    const r = await call("POST", "/v2/repository/index");
    expect(r.status).toBe(200);
    expectMatchesOpenApi("POST", "/v2/repository/index", 200, r.body);
    expect(r.body).toEqual([{ name: "toy", version: "1", state: "READY", reason: "" }]);
    const ready = await call("POST", "/v2/repository/index", { ready: true });
    expect(ready.body).toHaveLength(1);
  });

  it("unloads and loads a model through the repository extension", async () => {
    const unload = await call("POST", "/v2/repository/models/toy/unload");
    expect(unload.status).toBe(200);
    expectMatchesOpenApi("POST", "/v2/repository/models/{name}/unload", 200, unload.body);
    const notReady = await call("GET", "/v2/models/toy/ready");
    expect(notReady.status).toBe(503);
    expectMatchesOpenApi("GET", "/v2/models/{name}/ready", 503, notReady.body);
    const infer = await call("POST", "/v2/models/toy/infer", rows([1], [1], ["a"]));
    expect(infer.status).toBe(503);
    expectMatchesOpenApi("POST", "/v2/models/{name}/infer", 503, infer.body);
    const ready = await call("POST", "/v2/repository/index", { ready: true });
    expect(ready.body).toEqual([]);
    const serverReady = await call("GET", "/v2/health/ready");
    expect(serverReady.status).toBe(503);
    const load = await call("POST", "/v2/repository/models/toy/load");
    expect(load.status).toBe(200);
    expectMatchesOpenApi("POST", "/v2/repository/models/{name}/load", 200, load.body);
    expect((await call("GET", "/v2/models/toy/ready")).status).toBe(200);
  });

  it("serves drift status for all models and for one", async () => {
    const all = await call("GET", "/drift");
    expect(all.status).toBe(200);
    expectMatchesOpenApi("GET", "/drift", 200, all.body);
    expect(all.body).toEqual({ models: { toy: { drifted: false } } });
    const one = await call("GET", "/v2/models/toy/drift");
    expectMatchesOpenApi("GET", "/v2/models/{name}/drift", 200, one.body);
    expect(one.body).toEqual({ model: "toy", drifted: false });
  });

  it("serves Prometheus metrics in the text format", async () => {
    const res = await fetch(`${server.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    expect(text).toMatch(/^inference_requests_total\{model="toy",version="1",code="200"\} [1-9]/m);
    expect(text).toContain("# TYPE http_request_duration_seconds histogram");
  });

  it("documents JSON responses whose schemas all compile", () => {
    expect(compileAllResponseSchemas()).toBeGreaterThan(30);
  });

  it("serves its OpenAPI document, which lists every route it answers", async () => {
    const r = await call("GET", "/openapi.json");
    expect(r.status).toBe(200);
    expect(r.body.openapi).toBe("3.1.0");
    expect(Object.keys(r.body.paths)).toEqual(
      expect.arrayContaining([
        "/v2",
        "/v2/health/live",
        "/v2/health/ready",
        "/v2/models/{name}",
        "/v2/models/{name}/versions/{version}",
        "/v2/models/{name}/ready",
        "/v2/models/{name}/versions/{version}/ready",
        "/v2/models/{name}/infer",
        "/v2/models/{name}/versions/{version}/infer",
        "/v2/repository/index",
        "/v2/repository/models/{name}/load",
        "/v2/repository/models/{name}/unload",
        "/v2/models/{name}/drift",
        "/drift",
        "/metrics",
        "/openapi.json",
      ]),
    );
  });
});
