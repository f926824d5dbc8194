import { describe, expect, it } from "vitest";
import { parseOutcome } from "../../src/feedback/outcome";

const parse = (text: string) => parseOutcome(Buffer.from(text));

describe("parseOutcome", () => {
  it("reads requestId, label and optional row", () => {
    expect(parse('{"requestId":"r1","label":1}')).toEqual({
      ok: true,
      outcome: { requestId: "r1", label: 1, row: 0 },
    });
    expect(parse('{"requestId":"r1","label":false,"row":2}')).toEqual({
      ok: true,
      outcome: { requestId: "r1", label: 0, row: 2 },
    });
  });

  it("fails when the label is not binary", () => {
    expect(parse('{"requestId":"r1","label":2}')).toEqual({
      ok: false,
      error: "outcome.label: got 2, expected 0, 1, true or false",
    });
  });

  it("fails when requestId is missing or empty", () => {
    expect(parse('{"label":1}')).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^outcome\.requestId: got undefined/),
    });
    expect(parse('{"requestId":"","label":1}')).toMatchObject({
      ok: false,
      error: expect.stringMatching(/requestId: got ""/),
    });
  });

  it("fails when row is not a non-negative integer", () => {
    expect(parse('{"requestId":"r","label":1,"row":-1}')).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^outcome\.row: got -1/),
    });
    expect(parse('{"requestId":"r","label":1,"row":1.5}')).toMatchObject({ ok: false });
  });

  it("fails when the message is not a JSON object", () => {
    expect(parse("not json")).toMatchObject({
      ok: false,
      error: expect.stringMatching(/expected a JSON object/),
    });
    expect(parse("[1]")).toMatchObject({ ok: false, error: "outcome: got an array, expected a JSON object" });
    expect(parseOutcome(null)).toMatchObject({ ok: false, error: expect.stringMatching(/empty message/) });
  });
});
