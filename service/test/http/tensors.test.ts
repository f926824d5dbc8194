/** Tensor codec of the HTTP layer for every datatype: JSON data, binary data, and the answer encodings. */
import { describe, expect, it } from "vitest";
import { HttpError } from "../../src/http/errors";
import {
  decodeBinaryData,
  decodeJsonData,
  toBinaryData,
  toJsonData,
  toJsonText,
} from "../../src/http/tensors";

const le = (write: (b: Buffer) => void, size: number) => {
  const b = Buffer.alloc(size);
  write(b);
  return b;
};

describe("decodeJsonData", () => {
  it("decodes every numeric datatype into its typed array, flat or nested", () => {
    expect(decodeJsonData("FP32", [2, 1], [[1.5], [-2]], "d")).toEqual(Float32Array.from([1.5, -2]));
    expect(decodeJsonData("FP64", [2], [0.1, 1e300], "d")).toEqual(Float64Array.from([0.1, 1e300]));
    expect(decodeJsonData("INT8", [2], [-128, 127], "d")).toEqual(Int8Array.from([-128, 127]));
    expect(decodeJsonData("INT16", [1], [-32768], "d")).toEqual(Int16Array.from([-32768]));
    expect(decodeJsonData("INT32", [1], [2147483647], "d")).toEqual(Int32Array.from([2147483647]));
    expect(decodeJsonData("INT64", [2], [-(2 ** 53) + 1, 7], "d")).toEqual(
      BigInt64Array.from([-(2n ** 53n) + 1n, 7n]),
    );
    expect(decodeJsonData("UINT8", [1], [255], "d")).toEqual(Uint8Array.from([255]));
    expect(decodeJsonData("UINT16", [1], [65535], "d")).toEqual(Uint16Array.from([65535]));
    expect(decodeJsonData("UINT32", [1], [4294967295], "d")).toEqual(Uint32Array.from([4294967295]));
    expect(decodeJsonData("UINT64", [1], [2 ** 53 - 1], "d")).toEqual(BigUint64Array.from([2n ** 53n - 1n]));
    expect(decodeJsonData("BOOL", [2], [true, false], "d")).toEqual([true, false]);
    expect(decodeJsonData("BYTES", [2, 1], [["a"], ["é"]], "d")).toEqual(["a", "é"]);
  });

  it("fails when a value is outside its datatype, naming the element and the range", () => {
    const cases: [Parameters<typeof decodeJsonData>[0], unknown[], RegExp][] = [
      ["INT8", [128], /d\[0\]: expected an integer in INT8 range \[-128, 127\], got 128/],
      ["UINT8", [-1], /UINT8 range/],
      ["INT32", [1.5], /INT32 range .* got 1\.5/],
      ["UINT32", [4294967296], /UINT32 range/],
      ["INT64", [2 ** 53], /INT64 range/],
      ["UINT64", [-1], /UINT64 range/],
      ["BOOL", [1], /d\[0\]: expected true or false, got 1/],
      ["BYTES", [1], /d\[0\]: expected a string, got 1/],
      ["FP64", ["1"], /expected a finite FP64 number, got "1"/],
      ["FP16", [1], /FP16 is not supported/],
    ];
    for (const [datatype, data, message] of cases) {
      expect(() => decodeJsonData(datatype, [1], data, "d")).toThrow(message);
    }
    expect(() => decodeJsonData("FP32", [1], 5, "d")).toThrow(HttpError);
  });

  it("fails when nesting is deeper than 32 levels", () => {
    let data: unknown = [1];
    for (let i = 0; i < 40; i++) data = [data];
    expect(() => decodeJsonData("FP32", [1], data, "d")).toThrow(/nested deeper than 32 levels/);
  });
});

describe("decodeBinaryData", () => {
  it("decodes little-endian data of every fixed-size datatype, at any byte offset", () => {
    const shifted = (b: Buffer) => Buffer.concat([Buffer.from([9]), b]).subarray(1);
    expect(
      decodeBinaryData(
        "FP32",
        [2],
        shifted(
          le((b) => {
            b.writeFloatLE(1.5, 0);
            b.writeFloatLE(-3, 4);
          }, 8),
        ),
        "d",
      ),
    ).toEqual(Float32Array.from([1.5, -3]));
    expect(
      decodeBinaryData(
        "FP64",
        [1],
        le((b) => b.writeDoubleLE(0.1), 8),
        "d",
      ),
    ).toEqual(Float64Array.from([0.1]));
    expect(
      decodeBinaryData(
        "INT64",
        [1],
        le((b) => b.writeBigInt64LE(-5n), 8),
        "d",
      ),
    ).toEqual(BigInt64Array.from([-5n]));
    expect(
      decodeBinaryData(
        "UINT16",
        [1],
        le((b) => b.writeUInt16LE(65535), 2),
        "d",
      ),
    ).toEqual(Uint16Array.from([65535]));
    expect(
      decodeBinaryData(
        "INT32",
        [1],
        le((b) => b.writeInt32LE(-7), 4),
        "d",
      ),
    ).toEqual(Int32Array.from([-7]));
    expect(decodeBinaryData("BOOL", [3], Buffer.from([1, 0, 1]), "d")).toEqual([true, false, true]);
    const bytes = Buffer.concat([
      le((b) => b.writeUInt32LE(2), 4),
      Buffer.from("hi"),
      le((b) => b.writeUInt32LE(0), 4),
    ]);
    expect(decodeBinaryData("BYTES", [2], bytes, "d")).toEqual(["hi", ""]);
  });

  it("fails when sizes, BOOL bytes or floats are wrong", () => {
    expect(() => decodeBinaryData("FP32", [2], Buffer.alloc(7), "d")).toThrow(
      /needs 8 bytes, binary_data_size is 7/,
    );
    expect(() => decodeBinaryData("BOOL", [1], Buffer.from([2]), "d")).toThrow(
      /BOOL byte must be 0 or 1, got 2/,
    );
    expect(() =>
      decodeBinaryData(
        "FP64",
        [1],
        le((b) => b.writeDoubleLE(Number.NEGATIVE_INFINITY), 8),
        "d",
      ),
    ).toThrow(/expected a finite FP64 number, got -Infinity/);
    expect(() =>
      decodeBinaryData(
        "BYTES",
        [2],
        Buffer.concat([le((b) => b.writeUInt32LE(1), 4), Buffer.from("a")]),
        "d",
      ),
    ).toThrow(/needs 2 BYTES elements, got 1/);
    expect(() => decodeBinaryData("BYTES", [1], Buffer.from([1, 0]), "d")).toThrow(
      /truncated BYTES length prefix/,
    );
  });
});

describe("answer encodings", () => {
  it("writes JSON data that parses back to the same values", () => {
    const f = Float32Array.from([0.1, -2.5, 3e-8]);
    expect(JSON.parse(toJsonText(f))).toEqual(Array.from(f));
    expect(JSON.parse(toJsonText(BigInt64Array.from([1n, -2n])))).toEqual([1, -2]);
    expect(JSON.parse(toJsonText(["a", 'q"uote']))).toEqual(["a", 'q"uote']);
    expect(JSON.parse(toJsonText([true, false]))).toEqual([true, false]);
    expect(JSON.parse(toJsonText(Float32Array.from([Number.NaN, 1])))).toEqual([null, 1]);
    expect(toJsonData(BigUint64Array.from([5n]))).toEqual([5]);
  });

  it("writes binary data as the extension lays it out", () => {
    expect(toBinaryData("FP32", Float32Array.from([1.5]))).toEqual(le((b) => b.writeFloatLE(1.5), 4));
    expect(toBinaryData("BOOL", [true, false])).toEqual(Buffer.from([1, 0]));
    expect(toBinaryData("BYTES", ["hé"])).toEqual(
      Buffer.concat([le((b) => b.writeUInt32LE(3), 4), Buffer.from("hé")]),
    );
  });
});
