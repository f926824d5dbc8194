/** Binary tensor data extension both ways, prediction hand-off to sinks, and ECS request logs. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PredictionEvent } from "../../src/contracts";
import { buildServer } from "../../src/http/server";
import { createLogger } from "../../src/logging";
import { createHttpMetrics, createRegistry } from "../../src/metrics";
import { binaryRequest, decodeResponse } from "./client";
import { FakeEngine, toyScore } from "./fake-engine";
import { type Running, startServer } from "./helpers";

const engine = new FakeEngine();
const events: PredictionEvent[] = [];
let server: Running;
let verbose: Running;

beforeAll(async () => {
  server = await startServer({
    engine,
    sinks: [
      {
        record: () => {
          throw new Error("sink exploded");
        },
      },
      { record: (e) => events.push(e) },
    ],
  });
  verbose = await startServer({ engine, logFeatures: true });
});
afterAll(async () => {
  await server.close();
  await verbose.close();
});

const X = [0.25, -1.5, 3];
const Y = [1, 2, -4];
const KIND = ["a", "b", "é"];
const inputs = () => [
  { name: "x", shape: [3, 1], datatype: "FP32" as const, values: X },
  { name: "y", shape: [3, 1], datatype: "FP32" as const, values: Y },
  { name: "kind", shape: [3, 1], datatype: "BYTES" as const, values: KIND },
];

async function send(url: string, body: Buffer, headers: Record<string, string>) {
  const res = await fetch(`${url}/v2/models/toy/infer`, { method: "POST", body, headers });
  const bytes = Buffer.from(await res.arrayBuffer());
  return {
    res,
    decoded:
      res.status === 200
        ? decodeResponse(bytes, res.headers.get("inference-header-content-length"))
        : undefined,
    bytes,
  };
}

describe("binary tensor data extension", () => {
  it("decodes binary inputs and answers JSON outputs when none are asked binary", async () => {
    const { body, headers } = binaryRequest(inputs());
    const { res, decoded } = await send(server.url, body, headers);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    const probs = decoded?.outputs.find((o) => o.name === "probabilities")?.data as number[];
    X.forEach((x, i) => {
      expect(probs[i * 2 + 1]).toBeCloseTo(toyScore(x, Y[i] as number, KIND[i] as string), 6);
    });
  });

  it("answers every output binary with binary_data_output and the header length", async () => {
    const { body, headers } = binaryRequest(inputs(), { parameters: { binary_data_output: true } });
    const { res, decoded } = await send(server.url, body, headers);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/octet-stream");
    expect(Number(res.headers.get("inference-header-content-length"))).toBeGreaterThan(0);
    const label = decoded?.outputs.find((o) => o.name === "label");
    expect(decoded?.header.outputs).toContainEqual({
      name: "label",
      datatype: "INT64",
      shape: [3],
      parameters: { binary_data_size: 24 },
    });
    expect(label?.data).toEqual(
      X.map((x, i) => (toyScore(x, Y[i] as number, KIND[i] as string) > 0.5 ? 1 : 0)),
    );
  });

  it("lets a per-output binary_data override the request default", async () => {
    const { body, headers } = binaryRequest(inputs(), {
      parameters: { binary_data_output: true },
      outputs: [{ name: "probabilities", parameters: { binary_data: false } }, { name: "label" }],
    });
    const { res, decoded } = await send(server.url, body, headers);
    expect(res.status).toBe(200);
    const [probs, label] = (decoded?.header.outputs ?? []) as {
      name: string;
      data?: unknown;
      parameters?: unknown;
    }[];
    expect(probs?.name).toBe("probabilities");
    expect(Array.isArray(probs?.data)).toBe(true);
    expect(label?.parameters).toEqual({ binary_data_size: 24 });
  });

  it("accepts a binary body sent as application/json with the header", async () => {
    const { body, headers } = binaryRequest(inputs());
    const { res } = await send(server.url, body, { ...headers, "content-type": "application/json" });
    expect(res.status).toBe(200);
  });
});

describe("prediction hand-off and logs", () => {
  it("hands every served prediction to the sinks even when another sink throws", async () => {
    events.length = 0;
    const res = await fetch(`${server.url}/v2/models/toy/infer`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        id: "evt-1",
        inputs: inputs().map((t) => ({ name: t.name, shape: t.shape, datatype: t.datatype, data: t.values })),
        outputs: [{ name: "label" }],
      }),
    });
    expect(res.status).toBe(200);
    await expect.poll(() => events.length).toBe(1);
    const e = events[0] as PredictionEvent;
    expect(e.requestId).toBe("evt-1");
    expect(e.model).toBe("toy");
    expect(e.version).toBe("1");
    expect(e.features.kind).toEqual(KIND);
    expect(Array.from(e.features.x as ArrayLike<number>)).toEqual(X);
    // Scores come from the probabilities output even though the client only asked for the label.
    e.scores.forEach((s, i) => {
      expect(s).toBeCloseTo(toyScore(X[i] as number, Y[i] as number, KIND[i] as string), 6);
    });
    expect(e.labels).toEqual(e.scores.map((s) => (s > 0.5 ? 1 : 0)));
    await expect.poll(() => server.logs.some((l) => l.includes("sink exploded"))).toBe(true);
    expect((await fetch(`${server.url}/v2/health/live`)).status).toBe(200);
  });

  it("logs ECS JSON with the request id and without feature values by default", async () => {
    const before = server.logs.length;
    await fetch(`${server.url}/v2/models/toy/infer`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        id: "log-me",
        inputs: [{ name: "x", shape: [1, 1], datatype: "FP32", data: [987654] }],
      }),
    });
    await expect.poll(() => server.logs.length).toBeGreaterThan(before);
    const lines = server.logs.slice(before).map((l) => JSON.parse(l));
    const line = lines.find((l) => l["http.request.id"] === "log-me");
    expect(line).toMatchObject({ "ecs.version": expect.any(String), "log.level": "warn" });
    expect(line.http.response.status_code).toBe(400);
    expect(server.logs.join("\n")).not.toContain("987654");
  });

  it("logs feature values only when enabled", async () => {
    const res = await fetch(`${verbose.url}/v2/models/toy/infer`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        id: "verbose-1",
        inputs: inputs().map((t) => ({ name: t.name, shape: t.shape, datatype: t.datatype, data: t.values })),
      }),
    });
    expect(res.status).toBe(200);
    const line = verbose.logs.map((l) => JSON.parse(l)).find((l) => l.inference?.id === "verbose-1");
    expect(line.inference.features.x).toEqual(X);
    expect(line["http.request.id"]).toBe("verbose-1");
  });
});

describe("closing the server", () => {
  it("hands the events of requests answered just before close to the sinks before close resolves", async () => {
    const seen: string[] = [];
    const metrics = createHttpMetrics(createRegistry({ defaultMetrics: false }));
    const { app } = buildServer({
      engine,
      metrics,
      logger: createLogger({ level: "silent" }),
      sinks: [{ record: (e) => void seen.push(e.requestId) }],
    });
    const payload = (id: string) => ({
      id,
      inputs: inputs().map((t) => ({ name: t.name, shape: t.shape, datatype: t.datatype, data: t.values })),
    });
    const answers = await Promise.all(
      ["last-1", "last-2", "last-3"].map((id) =>
        app.inject({ method: "POST", url: "/v2/models/toy/infer", payload: payload(id) }),
      ),
    );
    expect(answers.map((a) => a.statusCode)).toEqual([200, 200, 200]);
    // Closing in the same turn as the answers: the dispatcher's setImmediate has not run yet.
    expect(seen).toEqual([]);
    await app.close();
    expect(seen.sort()).toEqual(["last-1", "last-2", "last-3"]);
  });
});
