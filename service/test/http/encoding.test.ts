/**
 * What standard Open Inference Protocol clients send: bodies without a Content-Type, gzip/deflate request
 * bodies, Accept-Encoding. Requests go over node:http so nothing is added or decoded behind the test's back
 * (fetch adds Accept-Encoding and decodes answers by itself).
 */
import { request as httpRequest } from "node:http";
import { deflateRawSync, deflateSync, gunzipSync, gzipSync, inflateSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requestCodings, responseCoding } from "../../src/http/encoding";
import { binaryRequest, decodeResponse } from "./client";
import { FakeEngine, toyScore } from "./fake-engine";
import { expectMatchesOpenApi, type Running, startServer } from "./helpers";

const LIMIT = 64 * 1024;
const engine = new FakeEngine();
let server: Running;

beforeAll(async () => {
  server = await startServer({ engine, bodyLimit: LIMIT });
});
afterAll(async () => server.close());

interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

function send(
  path: string,
  headers: Record<string, string>,
  body?: Buffer,
  method = "POST",
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${server.url}${path}`, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body);
  });
}

const X = [0.5, -1, 2];
const Y = [1, 0.25, -3];
const KIND = ["a", "b", "b"];
const inferBody = () =>
  Buffer.from(
    JSON.stringify({
      id: "enc",
      inputs: [
        { name: "x", shape: [3, 1], datatype: "FP32", data: X },
        { name: "y", shape: [3, 1], datatype: "FP32", data: Y },
        { name: "kind", shape: [3, 1], datatype: "BYTES", data: KIND },
      ],
    }),
  );
const INFER = "/v2/models/toy/infer";

function expectToyAnswer(json: unknown) {
  const answer = json as { id: string; outputs: { name: string; data: number[] }[] };
  expect(answer.id).toBe("enc");
  const probs = answer.outputs.find((o) => o.name === "probabilities")?.data as number[];
  X.forEach((x, i) => {
    expect(probs[i * 2 + 1]).toBeCloseTo(toyScore(x, Y[i] as number, KIND[i] as string), 6);
  });
}

const json = (a: RawAnswer) => JSON.parse(a.body.toString("utf8")) as { error: string };

/** A length-prefixed BYTES-free binary request for the toy model (x, y FP32; kind BYTES). */
function toyBinary() {
  return binaryRequest(
    [
      { name: "x", shape: [3, 1], datatype: "FP32", values: X },
      { name: "y", shape: [3, 1], datatype: "FP32", values: Y },
      { name: "kind", shape: [3, 1], datatype: "BYTES", values: KIND },
    ],
    { id: "enc" },
  );
}

describe("requests without Content-Type", () => {
  it("reads a body without Content-Type as JSON (what Triton's client sends)", async () => {
    const a = await send(INFER, {}, inferBody());
    expect(a.status).toBe(200);
    expectToyAnswer(JSON.parse(a.body.toString()));
  });

  it("reads a body without Content-Type as binary tensors when Inference-Header-Content-Length is there", async () => {
    const { body, headers } = toyBinary();
    const a = await send(
      INFER,
      { "inference-header-content-length": headers["inference-header-content-length"] as string },
      body,
    );
    expect(a.status).toBe(200);
    expectToyAnswer(JSON.parse(a.body.toString()));
  });

  it("fails when a body without Content-Type is not JSON, with 400 naming the JSON error", async () => {
    const a = await send(INFER, {}, Buffer.from("inputs=1"));
    expect(a.status).toBe(400);
    expect(json(a).error).toMatch(/not valid JSON/);
  });

  it("fails with 415 naming the type when the Content-Type is something else, and keeps serving", async () => {
    const a = await send(INFER, { "content-type": "text/plain" }, inferBody());
    expect(a.status).toBe(415);
    expectMatchesOpenApi("POST", "/v2/models/{name}/infer", 415, json(a));
    expect(json(a).error).toContain('unsupported Content-Type "text/plain"');
    expect((await send(INFER, { "content-type": "application/json" }, inferBody())).status).toBe(200);
  });
});

describe("Content-Encoding on requests", () => {
  for (const [coding, encode] of [
    ["gzip", gzipSync],
    ["deflate", deflateSync],
    ["x-gzip", gzipSync],
  ] as const) {
    it(`decodes a ${coding} JSON body`, async () => {
      const a = await send(INFER, { "content-encoding": coding }, encode(inferBody()));
      expect(a.status).toBe(200);
      expectToyAnswer(JSON.parse(a.body.toString()));
    });
  }

  it("decodes raw deflate too (clients that send deflate without the zlib header)", async () => {
    const a = await send(
      INFER,
      { "content-type": "application/json", "content-encoding": "deflate" },
      deflateRawSync(inferBody()),
    );
    expect(a.status).toBe(200);
    expectToyAnswer(JSON.parse(a.body.toString()));
  });

  it("decodes a gzip binary-extension body: the header length counts decoded bytes", async () => {
    const { body, headers } = toyBinary();
    const a = await send(INFER, { ...headers, "content-encoding": "gzip" }, gzipSync(body));
    expect(a.status).toBe(200);
    expectToyAnswer(JSON.parse(a.body.toString()));
  });

  it("undoes stacked codings in reverse order (gzip applied after deflate)", async () => {
    const a = await send(INFER, { "content-encoding": "deflate, gzip" }, gzipSync(deflateSync(inferBody())));
    expect(a.status).toBe(200);
    expectToyAnswer(JSON.parse(a.body.toString()));
  });

  it("fails with 413 when the body decodes past the limit, though its compressed size is far below it", async () => {
    // 4 MiB of zeros compress to ~4 KiB: a small upload that would expand 64x past the limit.
    const bomb = gzipSync(Buffer.alloc(4 * 1024 * 1024, 0x20));
    expect(bomb.length).toBeLessThan(LIMIT / 4);
    const a = await send(INFER, { "content-encoding": "gzip" }, bomb);
    expect(a.status).toBe(413);
    expect(json(a).error).toBe(
      `decompressed request body is larger than the limit of ${LIMIT} bytes (BODY_LIMIT_BYTES)`,
    );
    expect((await send(INFER, {}, inferBody())).status).toBe(200);
  });

  it("accepts a compressed body that decodes to exactly the limit", async () => {
    const body = inferBody();
    const padded = Buffer.concat([
      body.subarray(0, body.length - 1),
      Buffer.from(" ".repeat(LIMIT - body.length)),
      Buffer.from("}"),
    ]);
    expect(padded.length).toBe(LIMIT);
    const a = await send(INFER, { "content-encoding": "gzip" }, gzipSync(padded));
    expect(a.status).toBe(200);
  });

  it("fails with 400 when the body is not valid gzip", async () => {
    const a = await send(INFER, { "content-encoding": "gzip" }, inferBody());
    expect(a.status).toBe(400);
    expect(json(a).error).toMatch(/^request body is not valid gzip data: /);
  });

  it("fails with 400 when a gzip body is cut short", async () => {
    const whole = gzipSync(inferBody());
    const a = await send(INFER, { "content-encoding": "gzip" }, whole.subarray(0, whole.length - 10));
    expect(a.status).toBe(400);
    expect(json(a).error).toMatch(/not valid gzip data/);
  });

  it("fails with 415 naming the coding when it is not gzip or deflate, and keeps serving", async () => {
    const a = await send(INFER, { "content-encoding": "br" }, inferBody());
    expect(a.status).toBe(415);
    expect(json(a).error).toBe('unsupported Content-Encoding "br": expected gzip, deflate or identity');
    expect((await send(INFER, { "content-encoding": "identity" }, inferBody())).status).toBe(200);
  });
});

describe("Accept-Encoding on responses", () => {
  it("answers gzip when asked, and the decoded answer is the plain one", async () => {
    const a = await send(INFER, { "accept-encoding": "gzip" }, inferBody());
    expect(a.status).toBe(200);
    expect(a.headers["content-encoding"]).toBe("gzip");
    expect(a.headers.vary).toMatch(/accept-encoding/i);
    expect(Number(a.headers["content-length"])).toBe(a.body.length);
    expectToyAnswer(JSON.parse(gunzipSync(a.body).toString()));
  });

  it("answers deflate (zlib format) when only deflate is accepted", async () => {
    const a = await send(INFER, { "accept-encoding": "deflate, gzip;q=0" }, inferBody());
    expect(a.headers["content-encoding"]).toBe("deflate");
    expectToyAnswer(JSON.parse(inflateSync(a.body).toString()));
  });

  it("answers uncompressed when no offered coding is acceptable, or no Accept-Encoding is sent", async () => {
    const cases: Record<string, string>[] = [
      { "accept-encoding": "br, gzip;q=0, deflate;q=0" },
      { "accept-encoding": "identity" },
      {},
    ];
    for (const headers of cases) {
      const a = await send(INFER, headers, inferBody());
      expect(a.headers["content-encoding"]).toBeUndefined();
      expectToyAnswer(JSON.parse(a.body.toString()));
    }
  });

  it("compresses binary answers whole; Inference-Header-Content-Length counts decoded bytes", async () => {
    const { body, headers } = toyBinary();
    const req = JSON.parse(body.subarray(0, Number(headers["inference-header-content-length"])).toString());
    req.parameters = { binary_data_output: true };
    const header = Buffer.from(JSON.stringify(req));
    const a = await send(
      INFER,
      { "inference-header-content-length": String(header.length), "accept-encoding": "gzip" },
      Buffer.concat([header, body.subarray(Number(headers["inference-header-content-length"]))]),
    );
    expect(a.headers["content-encoding"]).toBe("gzip");
    const decoded = decodeResponse(
      gunzipSync(a.body),
      a.headers["inference-header-content-length"] as string,
    );
    const probs = decoded.outputs.find((o) => o.name === "probabilities")?.data as number[];
    expect(probs[1]).toBeCloseTo(toyScore(X[0] as number, Y[0] as number, "a"), 6);
  });

  it("compresses error answers too, still JSON", async () => {
    const a = await send("/v2/models/nope/infer", { "accept-encoding": "gzip" }, inferBody());
    expect(a.status).toBe(404);
    expect(JSON.parse(gunzipSync(a.body).toString())).toEqual({ error: "model 'nope' not found" });
  });

  it("compresses GET answers (metadata)", async () => {
    const a = await send("/v2/models/toy", { "accept-encoding": "gzip" }, undefined, "GET");
    expect(a.status).toBe(200);
    expect(JSON.parse(gunzipSync(a.body).toString()).name).toBe("toy");
  });
});

describe("coding negotiation", () => {
  it("lists request codings in the order applied and ignores identity", () => {
    expect(requestCodings("deflate, identity, GZIP")).toEqual(["deflate", "gzip"]);
    expect(requestCodings(undefined)).toEqual([]);
  });

  it("fails on an unknown request coding, naming it", () => {
    expect(() => requestCodings("gzip, zstd")).toThrow('unsupported Content-Encoding "zstd"');
  });

  it("prefers gzip, honours q=0 and the wildcard", () => {
    expect(responseCoding("deflate, gzip")).toBe("gzip");
    expect(responseCoding("gzip;q=0, deflate;q=0.5")).toBe("deflate");
    expect(responseCoding("*")).toBe("gzip");
    expect(responseCoding("*;q=0, deflate")).toBe("deflate");
    expect(responseCoding("br")).toBeUndefined();
    expect(responseCoding("gzip;q=0")).toBeUndefined();
  });
});
