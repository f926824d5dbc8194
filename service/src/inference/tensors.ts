import { type Datatype, InvalidInputError, type Tensor, type TensorMetadata } from "../contracts";
import type { OrtType, PackedFeeds, WireMetadata, WireTensor } from "./pool";

type TypedArrayCtor =
  | Float32ArrayConstructor
  | Float64ArrayConstructor
  | Int8ArrayConstructor
  | Int16ArrayConstructor
  | Int32ArrayConstructor
  | BigInt64ArrayConstructor
  | Uint8ArrayConstructor
  | Uint16ArrayConstructor
  | Uint32ArrayConstructor
  | BigUint64ArrayConstructor;

interface TypeInfo {
  readonly ort: OrtType;
  /** Typed array the contract uses for this datatype; undefined for BOOL and BYTES (JS arrays). */
  readonly ctor: TypedArrayCtor | undefined;
}

const TYPES: Record<Datatype, TypeInfo> = {
  BOOL: { ort: "bool", ctor: undefined },
  UINT8: { ort: "uint8", ctor: Uint8Array },
  UINT16: { ort: "uint16", ctor: Uint16Array },
  UINT32: { ort: "uint32", ctor: Uint32Array },
  UINT64: { ort: "uint64", ctor: BigUint64Array },
  INT8: { ort: "int8", ctor: Int8Array },
  INT16: { ort: "int16", ctor: Int16Array },
  INT32: { ort: "int32", ctor: Int32Array },
  INT64: { ort: "int64", ctor: BigInt64Array },
  FP16: { ort: "float16", ctor: Uint16Array },
  FP32: { ort: "float32", ctor: Float32Array },
  FP64: { ort: "float64", ctor: Float64Array },
  BYTES: { ort: "string", ctor: undefined },
};

const FROM_ORT = new Map<string, Datatype>(
  Object.entries(TYPES).map(([dt, info]) => [info.ort, dt as Datatype] as const),
);

export function datatypeOfOrt(type: string): Datatype {
  const dt = FROM_ORT.get(type);
  if (!dt) throw new Error(`ONNX tensor type '${type}' is not supported by the Open Inference Protocol`);
  return dt;
}

/** ORT reports symbolic dimensions as strings (e.g. "N"); the protocol marks them -1. */
export function toTensorMetadata(m: WireMetadata): TensorMetadata {
  return {
    name: m.name,
    datatype: datatypeOfOrt(m.type),
    shape: m.shape.map((d) => (typeof d === "number" && d >= 0 ? d : -1)),
  };
}

const shapeText = (shape: readonly number[]) => `[${shape.join(",")}]`;
const elements = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** Checks one request's inputs against the model and returns its row count (the batch dimension). */
export function validateInputs(
  model: string,
  expected: readonly TensorMetadata[],
  inputs: readonly Tensor[],
  batchable: boolean,
): number {
  const byName = new Map<string, Tensor>();
  for (const t of inputs) {
    if (byName.has(t.name)) throw new InvalidInputError(`input '${t.name}' is given more than once`);
    if (!expected.some((e) => e.name === t.name)) {
      throw new InvalidInputError(
        `unknown input '${t.name}' for model '${model}'; expected inputs: ${expected.map((e) => e.name).join(", ")}`,
      );
    }
    byName.set(t.name, t);
  }
  const missing = expected.filter((e) => !byName.has(e.name)).map((e) => e.name);
  if (missing.length > 0) {
    throw new InvalidInputError(`model '${model}' is missing input(s): ${missing.join(", ")}`);
  }
  let rows: number | undefined;
  let rowsFrom = "";
  for (const e of expected) {
    const t = byName.get(e.name) as Tensor;
    if (t.datatype !== e.datatype) {
      throw new InvalidInputError(`input '${t.name}' has datatype ${t.datatype}; expected ${e.datatype}`);
    }
    if (!Array.isArray(t.shape) || t.shape.some((d) => !Number.isInteger(d) || d < 0)) {
      throw new InvalidInputError(
        `input '${t.name}' has shape ${JSON.stringify(t.shape)}; expected non-negative integers`,
      );
    }
    const fixedBad =
      t.shape.length !== e.shape.length || e.shape.some((d, i) => d !== -1 && d !== (t.shape[i] as number));
    if (fixedBad) {
      throw new InvalidInputError(
        `input '${t.name}' has shape ${shapeText(t.shape)}; expected ${shapeText(e.shape)} (-1 = any size)`,
      );
    }
    checkData(t, e.datatype);
    const want = elements(t.shape);
    if (t.data.length !== want) {
      throw new InvalidInputError(
        `input '${t.name}' has ${t.data.length} element(s) but shape ${shapeText(t.shape)} needs ${want}`,
      );
    }
    const r = t.shape[0] ?? 1;
    if (rows === undefined) {
      rows = r;
      rowsFrom = t.name;
    } else if (batchable && r !== rows) {
      throw new InvalidInputError(
        `inputs have different row counts: '${rowsFrom}' has ${rows} row(s), '${t.name}' has ${r}`,
      );
    }
  }
  if (batchable && rows === 0) throw new InvalidInputError("inputs have 0 rows; send at least one row");
  return rows ?? 1;
}

function checkData(t: Tensor, dt: Datatype): void {
  const ctor = TYPES[dt].ctor;
  if (ctor) {
    if (!(t.data instanceof ctor)) {
      throw new InvalidInputError(`input '${t.name}' (${dt}) data must be a ${ctor.name}`);
    }
  } else if (dt === "BYTES") {
    if (!Array.isArray(t.data) || t.data.some((v) => typeof v !== "string")) {
      throw new InvalidInputError(`input '${t.name}' (BYTES) data must be strings (UTF-8 text)`);
    }
  } else if (!Array.isArray(t.data) || t.data.some((v) => typeof v !== "boolean")) {
    throw new InvalidInputError(`input '${t.name}' (BOOL) data must be booleans`);
  }
}

/**
 * Concatenates the same input of several requests along the batch dimension and packs the batch for the
 * worker: each input's dims flattened (rank, then dimensions), and the data of every input of one ORT type in
 * one array (groups in order of each type's first input). Structured clone pays per object, so a few arrays
 * cross the thread boundary instead of an object per input.
 */
export function packInputs(
  meta: readonly TensorMetadata[],
  requests: readonly (readonly Tensor[])[],
): PackedFeeds {
  const dims: number[] = [];
  const parts: (readonly Tensor[])[] = [];
  const totals: number[] = [];
  const groupOf = new Map<OrtType, number>();
  const groupTypes: Datatype[] = [];
  for (const m of meta) {
    const mine = requests.map((inputs) => inputs.find((t) => t.name === m.name) as Tensor);
    const first = mine[0] as Tensor;
    let rows = 0;
    let total = 0;
    for (const t of mine) {
      rows += t.shape[0] ?? 1;
      total += t.data.length;
    }
    const d = [rows, ...first.shape.slice(1)];
    dims.push(d.length, ...d);
    const type = TYPES[m.datatype].ort;
    let g = groupOf.get(type);
    if (g === undefined) {
      g = groupTypes.length;
      groupOf.set(type, g);
      groupTypes.push(m.datatype);
      parts.push([]);
      totals.push(0);
    }
    (parts[g] as Tensor[]).push(...mine);
    totals[g] = (totals[g] as number) + total;
  }
  const groups = groupTypes.map((dt, g) => {
    const tensors = parts[g] as readonly Tensor[];
    const ctor = TYPES[dt].ctor;
    if (ctor) {
      const out = new ctor(totals[g] as number);
      let offset = 0;
      for (const t of tensors) {
        (out as Float32Array).set(t.data as Float32Array, offset);
        offset += t.data.length;
      }
      return out;
    }
    if (dt === "BOOL") {
      const out = new Uint8Array(totals[g] as number);
      let offset = 0;
      for (const t of tensors) for (const b of t.data as readonly boolean[]) out[offset++] = b ? 1 : 0;
      return out;
    }
    const out: string[] = [];
    for (const t of tensors) for (const s of t.data as readonly string[]) out.push(s);
    return out;
  });
  return { dims, groups };
}

/** Decodes one ORT output into the contract's Tensor form. */
export function fromWire(t: WireTensor): Tensor {
  const datatype = datatypeOfOrt(t.type);
  const data =
    datatype === "BOOL" ? Array.from(t.data as Uint8Array, (b) => b !== 0) : (t.data as Tensor["data"]);
  return { name: t.name, datatype, shape: [...t.dims], data };
}

/** Rows [start, start + rows) of a batched output. */
export function sliceRows(t: Tensor, start: number, rows: number): Tensor {
  const total = t.shape[0] ?? 0;
  const perRow = total === 0 ? 0 : t.data.length / total;
  const from = start * perRow;
  const to = (start + rows) * perRow;
  // A copy, not a view: a view would keep (and expose through .buffer) the other callers' rows.
  const data = ArrayBuffer.isView(t.data)
    ? (t.data as Float32Array).slice(from, to)
    : (t.data as readonly unknown[]).slice(from, to);
  return {
    name: t.name,
    datatype: t.datatype,
    shape: [rows, ...t.shape.slice(1)],
    data: data as Tensor["data"],
  };
}
