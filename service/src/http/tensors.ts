/**
 * Open Inference Protocol tensor data: JSON arrays (flat row-major or nested) and the binary tensor data
 * extension (little-endian, BOOL one byte, BYTES as 4-byte length + bytes) to typed arrays and back.
 */
import { isUtf8 } from "node:buffer";
import os from "node:os";
import type { Datatype, Tensor } from "../contracts";
import { badRequest } from "./errors";

type TensorData = Tensor["data"];

export const DATATYPES: readonly Datatype[] = [
  "BOOL",
  "UINT8",
  "UINT16",
  "UINT32",
  "UINT64",
  "INT8",
  "INT16",
  "INT32",
  "INT64",
  "FP16",
  "FP32",
  "FP64",
  "BYTES",
];

const ELEMENT_SIZE: Readonly<Record<Exclude<Datatype, "BYTES">, number>> = {
  BOOL: 1,
  UINT8: 1,
  INT8: 1,
  UINT16: 2,
  INT16: 2,
  FP16: 2,
  UINT32: 4,
  INT32: 4,
  FP32: 4,
  UINT64: 8,
  INT64: 8,
  FP64: 8,
};

const INT_RANGE: Readonly<Partial<Record<Datatype, readonly [number, number]>>> = {
  INT8: [-128, 127],
  INT16: [-32768, 32767],
  INT32: [-2147483648, 2147483647],
  UINT8: [0, 255],
  UINT16: [0, 65535],
  UINT32: [0, 4294967295],
  INT64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  UINT64: [0, Number.MAX_SAFE_INTEGER],
};

// Typed-array views over wire bytes assume a little-endian host, which every supported platform is.
if (os.endianness() !== "LE") throw new Error("the binary tensor codec requires a little-endian host");

const MAX_NESTING = 32;

/** Short JSON rendering of a bad value for error messages. */
export function show(value: unknown): string {
  let text: string | undefined;
  try {
    text = typeof value === "number" && !Number.isFinite(value) ? String(value) : JSON.stringify(value);
  } catch {
    // Deeply nested or cyclic values: describe, never recurse again.
    text = Array.isArray(value) ? "[...]" : typeof value;
  }
  if (text === undefined) text = typeof value;
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

export function elementCount(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Flattens nested JSON arrays row-major; non-array data is a client error. */
function flatten(data: unknown, path: string): unknown[] {
  if (!Array.isArray(data)) throw badRequest(`${path}: expected an array, got ${show(data)}`);
  if (data.length === 0 || !Array.isArray(data[0])) return data;
  const out: unknown[] = [];
  const walk = (node: unknown[], depth: number): void => {
    if (depth > MAX_NESTING) throw badRequest(`${path}: nested deeper than ${MAX_NESTING} levels`);
    for (const item of node) {
      if (Array.isArray(item)) walk(item, depth + 1);
      else out.push(item);
    }
  };
  walk(data, 1);
  return out;
}

function typedArrayFor(
  datatype: Datatype,
  n: number,
): Exclude<TensorData, readonly boolean[] | readonly string[]> {
  switch (datatype) {
    case "FP32":
      return new Float32Array(n);
    case "FP64":
      return new Float64Array(n);
    case "INT8":
      return new Int8Array(n);
    case "INT16":
      return new Int16Array(n);
    case "INT32":
      return new Int32Array(n);
    case "INT64":
      return new BigInt64Array(n);
    case "UINT8":
      return new Uint8Array(n);
    case "UINT16":
      return new Uint16Array(n);
    case "UINT32":
      return new Uint32Array(n);
    case "UINT64":
      return new BigUint64Array(n);
    default:
      throw badRequest(`datatype ${datatype} has no typed array`);
  }
}

/** Decodes the JSON `data` of one input; `path` names it in errors, e.g. `inputs[2].data`. */
export function decodeJsonData(
  datatype: Datatype,
  shape: readonly number[],
  data: unknown,
  path: string,
): TensorData {
  const flat = flatten(data, path);
  const expected = elementCount(shape);
  if (flat.length !== expected) {
    throw badRequest(
      `${path}: shape [${shape.join(",")}] needs ${expected} elements, got ${flat.length} (data is row-major)`,
    );
  }
  switch (datatype) {
    case "BYTES": {
      for (let i = 0; i < flat.length; i++) {
        if (typeof flat[i] !== "string")
          throw badRequest(`${path}[${i}]: expected a string, got ${show(flat[i])}`);
      }
      return flat as string[];
    }
    case "BOOL": {
      for (let i = 0; i < flat.length; i++) {
        if (typeof flat[i] !== "boolean")
          throw badRequest(`${path}[${i}]: expected true or false, got ${show(flat[i])}`);
      }
      return flat as boolean[];
    }
    case "FP16":
      throw badRequest(`${path}: FP16 is not supported by this server`);
    case "FP32": {
      const out = new Float32Array(expected);
      for (let i = 0; i < expected; i++) {
        const x = flat[i];
        if (typeof x !== "number" || !Number.isFinite(x)) {
          throw badRequest(`${path}[${i}]: expected a finite FP32 number, got ${show(x)}`);
        }
        out[i] = x;
        if (!Number.isFinite(out[i])) throw badRequest(`${path}[${i}]: ${show(x)} overflows FP32`);
      }
      return out;
    }
    case "FP64": {
      const out = new Float64Array(expected);
      for (let i = 0; i < expected; i++) {
        const x = flat[i];
        if (typeof x !== "number" || !Number.isFinite(x)) {
          throw badRequest(`${path}[${i}]: expected a finite FP64 number, got ${show(x)}`);
        }
        out[i] = x;
      }
      return out;
    }
    default: {
      const [min, max] = INT_RANGE[datatype] as readonly [number, number];
      const out = typedArrayFor(datatype, expected);
      const big = datatype === "INT64" || datatype === "UINT64";
      for (let i = 0; i < expected; i++) {
        const x = flat[i];
        if (typeof x !== "number" || !Number.isInteger(x) || x < min || x > max) {
          throw badRequest(
            `${path}[${i}]: expected an integer in ${datatype} range [${min}, ${max}], got ${show(x)}`,
          );
        }
        if (big) (out as BigInt64Array)[i] = BigInt(x);
        else (out as Int32Array)[i] = x;
      }
      return out;
    }
  }
}

/** Decodes one input's binary section (already cut to `binary_data_size` bytes). */
export function decodeBinaryData(
  datatype: Datatype,
  shape: readonly number[],
  bytes: Buffer,
  path: string,
): TensorData {
  const expected = elementCount(shape);
  if (datatype === "BYTES") {
    const out: string[] = [];
    let offset = 0;
    while (offset < bytes.length) {
      if (offset + 4 > bytes.length)
        throw badRequest(`${path}: truncated BYTES length prefix at byte ${offset}`);
      const len = bytes.readUInt32LE(offset);
      offset += 4;
      if (offset + len > bytes.length)
        throw badRequest(`${path}: BYTES element ${out.length} runs past its data`);
      const element = bytes.subarray(offset, offset + len);
      if (!isUtf8(element)) throw badRequest(`${path}: BYTES element ${out.length} is not valid UTF-8`);
      out.push(element.toString("utf8"));
      offset += len;
    }
    if (out.length !== expected) {
      throw badRequest(
        `${path}: shape [${shape.join(",")}] needs ${expected} BYTES elements, got ${out.length}`,
      );
    }
    return out;
  }
  if (datatype === "FP16") throw badRequest(`${path}: FP16 is not supported by this server`);
  const size = ELEMENT_SIZE[datatype];
  if (bytes.length !== expected * size) {
    throw badRequest(
      `${path}: shape [${shape.join(",")}] of ${datatype} needs ${expected * size} bytes, binary_data_size is ${bytes.length}`,
    );
  }
  if (datatype === "BOOL") {
    const out: boolean[] = new Array(expected);
    for (let i = 0; i < expected; i++) {
      const b = bytes[i];
      if (b !== 0 && b !== 1) throw badRequest(`${path}[${i}]: BOOL byte must be 0 or 1, got ${b}`);
      out[i] = b === 1;
    }
    return out;
  }
  // Copy into a fresh, aligned buffer: the section may start at any offset of the body.
  const out = typedArrayFor(datatype, expected);
  new Uint8Array(out.buffer).set(bytes);
  if (datatype === "FP32" || datatype === "FP64") {
    const floats = out as Float32Array | Float64Array;
    for (let i = 0; i < expected; i++) {
      if (!Number.isFinite(floats[i])) {
        throw badRequest(`${path}[${i}]: expected a finite ${datatype} number, got ${String(floats[i])}`);
      }
    }
  }
  return out;
}

/** JSON-ready element list of an output tensor; 64-bit integers become numbers (exact up to 2^53). */
export function toJsonData(data: TensorData): (number | string | boolean)[] {
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) {
    const out = new Array<number>(data.length);
    for (let i = 0; i < data.length; i++) out[i] = Number(data[i]);
    return out;
  }
  if (Array.isArray(data)) {
    return (data as readonly (string | boolean | Buffer)[]).map((x) =>
      Buffer.isBuffer(x) ? x.toString("base64") : x,
    ) as (string | boolean)[];
  }
  return Array.from(data as ArrayLike<number>);
}

/**
 * JSON text of an output's data. Numeric typed arrays are joined directly (Number#toString is what JSON uses),
 * which skips building an intermediate array; non-finite floats fall back to JSON.stringify (null).
 */
export function toJsonText(data: TensorData): string {
  if (data instanceof Float32Array || data instanceof Float64Array) {
    for (let i = 0; i < data.length; i++) {
      if (!Number.isFinite(data[i])) return JSON.stringify(toJsonData(data));
    }
    return `[${data.join(",")}]`;
  }
  if (ArrayBuffer.isView(data)) return `[${(data as unknown as { join(s: string): string }).join(",")}]`;
  return JSON.stringify(toJsonData(data));
}

/** Binary-extension bytes of an output tensor. */
export function toBinaryData(datatype: Datatype, data: TensorData): Buffer {
  if (datatype === "BYTES") {
    const parts: Buffer[] = [];
    for (const s of data as readonly (string | Buffer)[]) {
      const body = Buffer.isBuffer(s) ? s : Buffer.from(String(s), "utf8");
      const len = Buffer.alloc(4);
      len.writeUInt32LE(body.length, 0);
      parts.push(len, body);
    }
    return Buffer.concat(parts);
  }
  if (Array.isArray(data)) return Buffer.from((data as readonly boolean[]).map((b) => (b ? 1 : 0)));
  const view = data as ArrayBufferView;
  return Buffer.from(view.buffer, view.byteOffset, view.byteLength);
}
