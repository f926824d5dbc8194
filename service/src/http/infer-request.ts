/**
 * Validates an Open Inference Protocol infer request (JSON header plus optional binary section) against the
 * model's metadata and decodes it into engine tensors. Every failure is a 400 naming the field and value.
 */
import type { Datatype, ModelMetadata, Tensor, TensorMetadata } from "../contracts";
import { badRequest } from "./errors";
import { DATATYPES, decodeBinaryData, decodeJsonData, show } from "./tensors";

export interface RequestedOutput {
  readonly name: string;
  readonly binary: boolean;
}

export interface ParsedInfer {
  readonly id: string | undefined;
  readonly inputs: Tensor[];
  /** Outputs to answer with, in request order; undefined: every model output. */
  readonly outputs: RequestedOutput[] | undefined;
  /** `binary_data_output`: default for outputs not listed or without their own `binary_data`. */
  readonly binaryByDefault: boolean;
}

const MAX_RANK = 16;

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

function optionalParameters(value: unknown, path: string): Record<string, unknown> {
  if (value === undefined) return {};
  if (!isObject(value)) throw badRequest(`${path}: expected an object of parameters, got ${show(value)}`);
  return value;
}

function optionalBool(value: unknown, path: string): boolean | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "boolean") throw badRequest(`${path}: expected true or false, got ${show(value)}`);
  return value;
}

function parseShape(value: unknown, path: string): number[] {
  if (!Array.isArray(value)) throw badRequest(`${path}: expected an array of dimensions, got ${show(value)}`);
  if (value.length > MAX_RANK) throw badRequest(`${path}: rank ${value.length} exceeds ${MAX_RANK}`);
  for (let i = 0; i < value.length; i++) {
    const d = value[i];
    if (typeof d !== "number" || !Number.isInteger(d) || d < 1 || d > 2 ** 31 - 1) {
      throw badRequest(`${path}[${i}]: expected a positive integer dimension, got ${show(d)}`);
    }
  }
  return value as number[];
}

function checkAgainstMetadata(
  meta: TensorMetadata,
  datatype: Datatype,
  shape: readonly number[],
  path: string,
) {
  if (datatype !== meta.datatype) {
    throw badRequest(`${path}.datatype: input '${meta.name}' expects ${meta.datatype}, got ${datatype}`);
  }
  const fits =
    shape.length === meta.shape.length &&
    meta.shape.every((d, i) => d === -1 || d === shape[i] || d === undefined);
  if (!fits) {
    throw badRequest(
      `${path}.shape: input '${meta.name}' expects shape [${meta.shape.join(",")}] (-1: any), got [${shape.join(",")}]`,
    );
  }
}

/** Splits the binary section into per-input slices in input order, as the binary extension prescribes. */
class BinaryCursor {
  private offset = 0;
  constructor(private readonly bytes: Buffer | undefined) {}

  take(size: number, path: string): Buffer {
    if (this.bytes === undefined) {
      throw badRequest(`${path}: binary_data_size given but the request has no binary section`);
    }
    if (this.offset + size > this.bytes.length) {
      throw badRequest(`${path}: binary_data_size ${size} runs past the end of the body`);
    }
    const slice = this.bytes.subarray(this.offset, this.offset + size);
    this.offset += size;
    return slice;
  }

  finish(): void {
    const left = (this.bytes?.length ?? 0) - this.offset;
    if (left !== 0) throw badRequest(`request body: ${left} bytes of binary data not claimed by any input`);
  }
}

export function parseInferRequest(
  body: unknown,
  binary: Buffer | undefined,
  meta: ModelMetadata,
): ParsedInfer {
  if (body === undefined) throw badRequest("request body is empty: expected a JSON inference request");
  if (!isObject(body)) throw badRequest(`request body: expected a JSON object, got ${show(body)}`);
  const id = body.id;
  if (id !== undefined && (typeof id !== "string" || id.length > 256)) {
    throw badRequest(`id: expected a string of at most 256 characters, got ${show(id)}`);
  }
  const parameters = optionalParameters(body.parameters, "parameters");
  const binaryByDefault =
    optionalBool(parameters.binary_data_output, "parameters.binary_data_output") ?? false;

  if (!Array.isArray(body.inputs) || body.inputs.length === 0) {
    throw badRequest(`inputs: expected a non-empty array, got ${show(body.inputs)}`);
  }
  const cursor = new BinaryCursor(binary);
  const seen = new Set<string>();
  const inputs: Tensor[] = [];
  let rows: number | undefined;
  for (let i = 0; i < body.inputs.length; i++) {
    const path = `inputs[${i}]`;
    const input: unknown = body.inputs[i];
    if (!isObject(input)) throw badRequest(`${path}: expected an object, got ${show(input)}`);
    const { name, datatype } = input;
    if (typeof name !== "string") throw badRequest(`${path}.name: expected a string, got ${show(name)}`);
    const expected = meta.inputs.find((m) => m.name === name);
    if (expected === undefined) {
      throw badRequest(
        `${path}.name: model '${meta.name}' has no input ${show(name)}; expected one of ${meta.inputs.map((m) => m.name).join(", ")}`,
      );
    }
    if (seen.has(name)) throw badRequest(`${path}.name: input '${name}' given twice`);
    seen.add(name);
    if (typeof datatype !== "string" || !DATATYPES.includes(datatype as Datatype)) {
      throw badRequest(`${path}.datatype: expected one of ${DATATYPES.join(", ")}, got ${show(datatype)}`);
    }
    const shape = parseShape(input.shape, `${path}.shape`);
    checkAgainstMetadata(expected, datatype as Datatype, shape, path);
    if (expected.shape[0] === -1) {
      if (rows === undefined) rows = shape[0];
      else if (shape[0] !== rows) {
        throw badRequest(
          `${path}.shape[0]: every input needs the same number of rows (${rows}), got ${shape[0]}`,
        );
      }
    }
    const params = optionalParameters(input.parameters, `${path}.parameters`);
    const size = params.binary_data_size;
    let data: Tensor["data"];
    if (size !== undefined) {
      if (typeof size !== "number" || !Number.isInteger(size) || size < 0) {
        throw badRequest(
          `${path}.parameters.binary_data_size: expected a non-negative integer, got ${show(size)}`,
        );
      }
      if (input.data !== undefined)
        throw badRequest(`${path}: give either data or binary_data_size, not both`);
      data = decodeBinaryData(datatype as Datatype, shape, cursor.take(size, path), `${path}.binary_data`);
    } else {
      if (input.data === undefined)
        throw badRequest(`${path}.data: missing (or set parameters.binary_data_size)`);
      data = decodeJsonData(datatype as Datatype, shape, input.data, `${path}.data`);
    }
    inputs.push({ name, datatype: datatype as Datatype, shape, data });
  }
  cursor.finish();
  const missing = meta.inputs.filter((m) => !seen.has(m.name)).map((m) => m.name);
  if (missing.length > 0) throw badRequest(`inputs: missing ${missing.join(", ")} for model '${meta.name}'`);

  return { id, inputs, outputs: parseOutputs(body.outputs, meta, binaryByDefault), binaryByDefault };
}

function parseOutputs(
  value: unknown,
  meta: ModelMetadata,
  binaryByDefault: boolean,
): RequestedOutput[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) throw badRequest(`outputs: expected an array, got ${show(value)}`);
  const out: RequestedOutput[] = [];
  for (let i = 0; i < value.length; i++) {
    const path = `outputs[${i}]`;
    const o: unknown = value[i];
    if (!isObject(o)) throw badRequest(`${path}: expected an object, got ${show(o)}`);
    if (typeof o.name !== "string" || !meta.outputs.some((m) => m.name === o.name)) {
      throw badRequest(
        `${path}.name: model '${meta.name}' has no output ${show(o.name)}; expected one of ${meta.outputs.map((m) => m.name).join(", ")}`,
      );
    }
    if (out.some((x) => x.name === o.name))
      throw badRequest(`${path}.name: output '${o.name}' requested twice`);
    const params = optionalParameters(o.parameters, `${path}.parameters`);
    const binary = optionalBool(params.binary_data, `${path}.parameters.binary_data`) ?? binaryByDefault;
    out.push({ name: o.name, binary });
  }
  return out;
}
