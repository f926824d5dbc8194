/**
 * gRPC `ModelInfer`: the request is turned into the REST form the HTTP layer already validates (JSON header,
 * plus the binary section when `raw_input_contents` is used), so both transports accept and refuse the same
 * requests with the same messages; outputs are answered as `raw_output_contents`, as Triton does.
 */
import type { InferenceEngine } from "../contracts";
import { HttpError } from "../http/errors";
import { parseInferRequest } from "../http/infer-request";
import { requireModel } from "../http/model-routes";
import type { EventDispatcher } from "../http/prediction-event";
import { toBinaryData } from "../http/tensors";

type Message = Record<string, unknown>;

/** Which `InferTensorContents` field carries each datatype. */
const CONTENTS_FIELD: Record<string, string> = {
  BOOL: "bool_contents",
  INT8: "int_contents",
  INT16: "int_contents",
  INT32: "int_contents",
  INT64: "int64_contents",
  UINT8: "uint_contents",
  UINT16: "uint_contents",
  UINT32: "uint_contents",
  UINT64: "uint64_contents",
  FP32: "fp32_contents",
  FP64: "fp64_contents",
  BYTES: "bytes_contents",
};

/** `map<string, InferParameter>` → plain values (the oneof's chosen field). */
function parameters(map: unknown): Record<string, unknown> | undefined {
  if (map === null || typeof map !== "object") return undefined;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(map as Record<string, Message>)) {
    const choice = v.parameter_choice;
    if (typeof choice === "string") out[k] = v[choice];
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** The REST body (and binary section) equivalent to a ModelInferRequest. */
export function restForm(request: Message): { body: Message; binary: Buffer | undefined } {
  const raw = list(request.raw_input_contents) as Buffer[];
  const inputs = list(request.inputs).map((t, i) => {
    const input = t as Message;
    const datatype = String(input.datatype ?? "");
    const own = parameters(input.parameters) ?? {};
    const base = { name: input.name, shape: list(input.shape), datatype };
    if (raw.length > 0) {
      const bytes = raw[i];
      if (bytes === undefined) {
        throw new HttpError(
          400,
          `raw_input_contents: ${raw.length} entries for ${list(request.inputs).length} inputs`,
        );
      }
      return { ...base, parameters: { ...own, binary_data_size: bytes.length } };
    }
    const contents = (input.contents ?? {}) as Message;
    const field = CONTENTS_FIELD[datatype];
    let data = field === undefined ? [] : list(contents[field]);
    if (datatype === "BYTES") data = data.map((b) => (Buffer.isBuffer(b) ? b.toString("utf8") : b));
    return { ...base, ...(Object.keys(own).length > 0 ? { parameters: own } : {}), data };
  });
  const outputs = list(request.outputs).map((o) => {
    const output = o as Message;
    const own = parameters(output.parameters);
    return { name: output.name, ...(own ? { parameters: own } : {}) };
  });
  const id = typeof request.id === "string" && request.id !== "" ? request.id : undefined;
  const params = parameters(request.parameters);
  const body: Message = {
    ...(id === undefined ? {} : { id }),
    ...(params ? { parameters: params } : {}),
    inputs,
    ...(outputs.length > 0 ? { outputs } : {}),
  };
  return { body, binary: raw.length > 0 ? Buffer.concat(raw) : undefined };
}

/** The answer, and what the metrics need: the model and version that served it and the rows predicted. */
export interface InferAnswer {
  readonly message: Message;
  readonly model: string;
  readonly version: string;
  readonly rows: number;
}

export async function modelInfer(
  engine: InferenceEngine,
  events: EventDispatcher,
  newId: () => string,
  request: Message,
): Promise<InferAnswer> {
  const name = String(request.model_name ?? "");
  const version =
    typeof request.model_version === "string" && request.model_version !== ""
      ? request.model_version
      : undefined;
  const meta = requireModel(engine, name, version);
  if (meta === undefined) throw new HttpError(503, `model '${name}' is not loaded`);
  const { body, binary } = restForm(request);
  const parsed = parseInferRequest(body, binary, meta);
  const id = parsed.id ?? newId();
  const result = await engine.infer({
    model: name,
    ...(version === undefined ? {} : { version }),
    inputs: parsed.inputs,
    validatedAgainst: meta.inputs,
  });
  events.dispatch(id, parsed.inputs, result);
  const wanted = parsed.outputs?.map((o) => o.name) ?? result.outputs.map((o) => o.name);
  const outputs = wanted.map((n) => {
    const t = result.outputs.find((o) => o.name === n);
    if (t === undefined) throw new Error(`engine result lacks output '${n}'`);
    return t;
  });
  const message = {
    model_name: result.model,
    model_version: result.version,
    id,
    outputs: outputs.map((t) => ({ name: t.name, datatype: t.datatype, shape: [...t.shape] })),
    raw_output_contents: outputs.map((t) => toBinaryData(t.datatype, t.data)),
  };
  return { message, model: result.model, version: result.version, rows: parsed.inputs[0]?.shape[0] ?? 0 };
}
