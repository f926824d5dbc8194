/**
 * Test-side client for the binary tensor data extension, written independently of the server's codec so a
 * codec bug cannot cancel itself out.
 */
export interface BinaryInput {
  name: string;
  shape: number[];
  datatype: "FP32" | "BYTES" | "INT64" | "BOOL";
  values: number[] | string[] | boolean[];
}

function bytesOf(input: BinaryInput): Buffer {
  switch (input.datatype) {
    case "FP32": {
      const b = Buffer.alloc(input.values.length * 4);
      (input.values as number[]).forEach((v, i) => {
        b.writeFloatLE(v, i * 4);
      });
      return b;
    }
    case "INT64": {
      const b = Buffer.alloc(input.values.length * 8);
      (input.values as number[]).forEach((v, i) => {
        b.writeBigInt64LE(BigInt(v), i * 8);
      });
      return b;
    }
    case "BOOL":
      return Buffer.from((input.values as boolean[]).map((v) => (v ? 1 : 0)));
    case "BYTES":
      return Buffer.concat(
        (input.values as string[]).flatMap((s) => {
          const body = Buffer.from(s, "utf8");
          const len = Buffer.alloc(4);
          len.writeUInt32LE(body.length);
          return [len, body];
        }),
      );
  }
}

/** Body and headers of a binary-extension request; `extra` merges into the JSON header. */
export function binaryRequest(
  inputs: BinaryInput[],
  extra: Record<string, unknown> = {},
): { body: Buffer; headers: Record<string, string> } {
  const sections = inputs.map(bytesOf);
  const header = Buffer.from(
    JSON.stringify({
      ...extra,
      inputs: inputs.map((t, i) => ({
        name: t.name,
        shape: t.shape,
        datatype: t.datatype,
        parameters: { binary_data_size: sections[i]?.length },
      })),
    }),
  );
  return {
    body: Buffer.concat([header, ...sections]),
    headers: {
      "content-type": "application/octet-stream",
      "inference-header-content-length": String(header.length),
    },
  };
}

export interface DecodedOutput {
  name: string;
  shape: number[];
  datatype: string;
  data: (number | string | boolean)[];
}

/** Reads a response that may carry binary outputs; returns the JSON header and every output's values. */
export function decodeResponse(
  body: Buffer,
  headerLength: string | null,
): { header: Record<string, unknown>; outputs: DecodedOutput[] } {
  const n = headerLength === null ? body.length : Number(headerLength);
  const header = JSON.parse(body.subarray(0, n).toString("utf8")) as {
    outputs: {
      name: string;
      shape: number[];
      datatype: string;
      data?: unknown[];
      parameters?: Record<string, number>;
    }[];
  };
  let offset = n;
  const outputs = header.outputs.map((o) => {
    const size = o.parameters?.binary_data_size;
    if (size === undefined) return { ...o, data: (o.data ?? []).flat(8) as (number | string | boolean)[] };
    const bytes = body.subarray(offset, offset + size);
    offset += size;
    const data: number[] = [];
    if (o.datatype === "FP32") for (let i = 0; i < size; i += 4) data.push(bytes.readFloatLE(i));
    else if (o.datatype === "INT64")
      for (let i = 0; i < size; i += 8) data.push(Number(bytes.readBigInt64LE(i)));
    else throw new Error(`test client cannot decode ${o.datatype}`);
    return { name: o.name, shape: o.shape, datatype: o.datatype, data };
  });
  if (offset !== body.length) throw new Error(`response has ${body.length - offset} unclaimed bytes`);
  return { header: header as unknown as Record<string, unknown>, outputs };
}
