/**
 * Property-based acceptance test: 1000+ generated requests, valid and invalid, against the real service
 * (real engine, real model) on loopback. No request may get a 5xx; every invalid one gets the 4xx its
 * defect calls for; every valid one gets the same labels and probabilities as a direct ONNX Runtime session.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { binaryRequest, decodeResponse } from "./client";
import {
  CATEGORICAL,
  inferBody,
  NUMERIC,
  type Reference,
  type Row,
  referenceModel,
  type StartedService,
  startRealService,
} from "./real-service";

const RUNS = 1000;
const BODY_LIMIT = 64 * 1024;

let service: StartedService;
let reference: Reference;

beforeAll(async () => {
  service = await startRealService({ BODY_LIMIT_BYTES: String(BODY_LIMIT) });
  reference = await referenceModel("2");
});
afterAll(async () => service?.shutdown("test done"));

const fp32 = fc
  .float({ min: -1e6, max: 1e6, noNaN: true, noDefaultInfinity: true })
  .map((x) => (Object.is(x, -0) ? 0 : x));
const rowArb: fc.Arbitrary<Row> = fc.record({
  ...(Object.fromEntries(NUMERIC.map((n) => [n, fp32])) as Record<
    (typeof NUMERIC)[number],
    fc.Arbitrary<number>
  >),
  admission_type: fc.constantFrom(...CATEGORICAL.admission_type),
  discharge_disposition: fc.constantFrom(...CATEGORICAL.discharge_disposition),
});
const rowsArb = fc.array(rowArb, { minLength: 1, maxLength: 6 });

/** Defects and the status each must get. */
const DEFECTS = {
  dropInput: 400,
  duplicateInput: 400,
  unknownInput: 400,
  wrongDatatype: 400,
  rowMismatch: 400,
  badShape: 400,
  nonNumber: 400,
  hugeExponent: 400,
  fp32Overflow: 400,
  bytesNotString: 400,
  badOutput: 400,
  inputsNotArray: 400,
  idNotString: 400,
  truncatedJson: 400,
  binarySizeOff: 400,
  binaryNaN: 400,
  wrongContentType: 415,
  oversize: 413,
  unknownModel: 404,
  unknownVersion: 404,
} as const;
type Defect = keyof typeof DEFECTS;

type Case =
  | {
      kind: "valid";
      rows: Row[];
      encoding: "json" | "nested" | "binary";
      binaryOut: boolean;
      id: string | undefined;
    }
  | { kind: "defect"; rows: Row[]; defect: Defect; at: number; pick: number; junk: unknown }
  | { kind: "garbage"; body: unknown };

const caseArb: fc.Arbitrary<Case> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant("valid" as const),
      rows: rowsArb,
      encoding: fc.constantFrom("json" as const, "nested" as const, "binary" as const),
      binaryOut: fc.boolean(),
      id: fc.option(fc.string({ maxLength: 40 }), { nil: undefined }),
    }),
  },
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant("defect" as const),
      rows: rowsArb,
      defect: fc.constantFrom(...(Object.keys(DEFECTS) as Defect[])),
      at: fc.nat(NUMERIC.length - 1),
      pick: fc.nat(1000),
      junk: fc.oneof(
        fc.constantFrom("NaN", "Infinity", "-Infinity", "1e999", null, true),
        fc.object(),
        fc.string(),
      ),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("garbage" as const), body: fc.jsonValue() }) },
);

interface Wire {
  path: string;
  body: string | Buffer;
  headers: Record<string, string>;
}

type Input = { name: string; shape: unknown[]; datatype: string; data: unknown[] };

function defective(c: Extract<Case, { kind: "defect" }>): Wire {
  const body = inferBody(c.rows) as { inputs: Input[]; [k: string]: unknown };
  const inputs = body.inputs;
  const numeric = inputs[c.at] as Input;
  const categorical = inputs[NUMERIC.length + (c.pick % 2)] as Input;
  const n = c.rows.length;
  let path = "/v2/models/readmission/infer";
  const headers: Record<string, string> = { "content-type": "application/json" };
  const json = () => JSON.stringify(body);
  switch (c.defect) {
    case "dropInput":
      inputs.splice(c.pick % inputs.length, 1);
      return { path, body: json(), headers };
    case "duplicateInput":
      inputs.push({ ...numeric });
      return { path, body: json(), headers };
    case "unknownInput":
      inputs.push({ name: `extra_${c.pick}`, shape: [n, 1], datatype: "FP32", data: c.rows.map(() => 1) });
      return { path, body: json(), headers };
    case "wrongDatatype":
      numeric.datatype = ["FP64", "INT32", "BYTES", "BOOL", "FP16", "float", ""][c.pick % 7] as string;
      return { path, body: json(), headers };
    case "rowMismatch":
      numeric.shape = [n + 1, 1];
      numeric.data = [...numeric.data, 1];
      return { path, body: json(), headers };
    case "badShape":
      numeric.shape = [[n], [n, 2], [0, 1], [-1, 1], ["a", 1], [n, 1, 1], "n"][c.pick % 7] as unknown[];
      return { path, body: json(), headers };
    case "nonNumber":
      numeric.data[c.pick % n] = typeof c.junk === "number" ? "NaN" : c.junk;
      return { path, body: json(), headers };
    case "hugeExponent":
      numeric.data[c.pick % n] = "__HUGE__";
      return { path, body: json().replace('"__HUGE__"', c.pick % 2 === 0 ? "1e999" : "-2.5e400"), headers };
    case "fp32Overflow":
      numeric.data[c.pick % n] = (c.pick % 2 === 0 ? 1 : -1) * 3.5e38;
      return { path, body: json(), headers };
    case "bytesNotString":
      categorical.data[c.pick % n] = [1, null, true, {}, 3.5][c.pick % 5];
      return { path, body: json(), headers };
    case "badOutput":
      body.outputs = [{ name: `nope_${c.pick}` }];
      return { path, body: json(), headers };
    case "inputsNotArray":
      body.inputs = [{}, "x", null, 5][c.pick % 4] as unknown as Input[];
      return { path, body: json(), headers };
    case "idNotString":
      body.id = [5, null, {}, ["a"], true][c.pick % 5];
      return { path, body: json(), headers };
    case "truncatedJson": {
      const text = json();
      return { path, body: text.slice(0, 1 + (c.pick % (text.length - 1))), headers };
    }
    case "wrongContentType":
      return {
        path,
        body: json(),
        headers: {
          "content-type": ["text/plain", "application/xml", "multipart/form-data; boundary=x"][
            c.pick % 3
          ] as string,
        },
      };
    case "oversize":
      body.padding = "x".repeat(BODY_LIMIT + 1);
      return { path, body: json(), headers };
    case "unknownModel":
      path = `/v2/models/model_${c.pick}/infer`;
      return { path, body: json(), headers };
    case "unknownVersion":
      path = `/v2/models/readmission/versions/${100 + c.pick}/infer`;
      return { path, body: json(), headers };
    case "binarySizeOff":
    case "binaryNaN": {
      const bin = binaryRequest([
        ...NUMERIC.map((name) => ({
          name,
          shape: [n, 1],
          datatype: "FP32" as const,
          values: c.rows.map((r, i) =>
            c.defect === "binaryNaN" && name === numeric.name && i === c.pick % n ? Number.NaN : r[name],
          ),
        })),
        ...(Object.keys(CATEGORICAL) as (keyof typeof CATEGORICAL)[]).map((name) => ({
          name,
          shape: [n, 1],
          datatype: "BYTES" as const,
          values: c.rows.map((r) => r[name]),
        })),
      ]);
      const b =
        c.defect === "binarySizeOff"
          ? c.pick % 2 === 0
            ? Buffer.concat([bin.body, Buffer.from([7])])
            : bin.body.subarray(0, -1)
          : bin.body;
      return { path, body: b, headers: bin.headers };
    }
  }
}

function validWire(c: Extract<Case, { kind: "valid" }>): Wire {
  const extra: Record<string, unknown> = {};
  if (c.id !== undefined) extra.id = c.id;
  if (c.binaryOut) extra.parameters = { binary_data_output: true };
  const path = "/v2/models/readmission/infer";
  if (c.encoding === "binary") {
    const bin = binaryRequest(
      [
        ...NUMERIC.map((name) => ({
          name,
          shape: [c.rows.length, 1],
          datatype: "FP32" as const,
          values: c.rows.map((r) => r[name]),
        })),
        ...(Object.keys(CATEGORICAL) as (keyof typeof CATEGORICAL)[]).map((name) => ({
          name,
          shape: [c.rows.length, 1],
          datatype: "BYTES" as const,
          values: c.rows.map((r) => r[name]),
        })),
      ],
      extra,
    );
    return { path, ...bin };
  }
  const body = inferBody(c.rows, extra) as { inputs: Input[] };
  if (c.encoding === "nested") for (const i of body.inputs) i.data = i.data.map((v) => [v]);
  return { path, body: JSON.stringify(body), headers: { "content-type": "application/json" } };
}

describe("generated requests against the real service", () => {
  it(`answers ${RUNS} generated requests without a 5xx, valid ones exactly like ONNX Runtime`, async () => {
    const statuses = new Map<number, number>();
    let valid = 0;
    await fc.assert(
      fc.asyncProperty(caseArb, async (c) => {
        const wire =
          c.kind === "valid"
            ? validWire(c)
            : c.kind === "defect"
              ? defective(c)
              : {
                  path: "/v2/models/readmission/infer",
                  body: JSON.stringify(c.body),
                  headers: { "content-type": "application/json" },
                };
        const res = await fetch(service.url + wire.path, {
          method: "POST",
          body: wire.body,
          headers: wire.headers,
        });
        const bytes = Buffer.from(await res.arrayBuffer());
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        expect(res.status, `5xx for ${bytes.toString("utf8", 0, 200)}`).toBeLessThan(500);
        if (c.kind === "defect") {
          expect(res.status, `${c.defect}: ${bytes.toString("utf8", 0, 200)}`).toBe(DEFECTS[c.defect]);
          expect(JSON.parse(bytes.toString("utf8")).error).toEqual(expect.any(String));
          return;
        }
        if (c.kind === "garbage") {
          expect(res.status).toBe(400);
          return;
        }
        expect(res.status, bytes.toString("utf8", 0, 300)).toBe(200);
        valid++;
        const { header, outputs } = decodeResponse(bytes, res.headers.get("inference-header-content-length"));
        if (c.id !== undefined) expect(header.id).toBe(c.id);
        const want = await reference.predict(c.rows);
        const label = outputs.find((o) => o.name === "label");
        const probs = outputs.find((o) => o.name === "probabilities");
        expect(label?.shape).toEqual([c.rows.length]);
        expect(probs?.shape).toEqual([c.rows.length, 2]);
        expect(label?.data).toEqual(want.labels);
        ((probs?.data ?? []) as number[]).forEach((p, i) => {
          expect(Math.abs(p - (want.probabilities[i] as number))).toBeLessThan(1e-6);
        });
      }),
      { numRuns: RUNS, seed: Number(process.env.FC_SEED ?? Date.now() % 2 ** 31), endOnFailure: true },
    );
    const total = [...statuses.values()].reduce((a, b) => a + b, 0);
    console.info(
      `property test: ${total} requests, statuses ${JSON.stringify(Object.fromEntries(statuses))}, ${valid} valid`,
    );
    expect(total).toBeGreaterThanOrEqual(RUNS);
    expect(valid).toBeGreaterThan(RUNS / 5);
    expect((await fetch(`${service.url}/v2/health/ready`)).status).toBe(200);
  });
});
