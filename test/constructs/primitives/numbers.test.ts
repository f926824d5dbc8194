import { describe, expect, it } from "vitest";
import { boundedInt, positiveInt } from "../../../constructs/primitives";

const message = (
  schema: { safeParse: (v: unknown) => { error?: { issues: { message: string }[] } } },
  v: unknown,
) => schema.safeParse(v).error?.issues[0].message;

describe("bounded integers", () => {
  it("accepts integers within bounds", () => {
    expect(positiveInt("replicas").parse(1)).toBe(1);
    expect(positiveInt("replicas", 10).parse(10)).toBe(10);
    expect(boundedInt("days", 7, 35).parse(7)).toBe(7);
  });

  it("fails when below the minimum, naming the field and the bound", () => {
    expect(message(positiveInt("replicas"), 0)).toBe("replicas must be at least 1");
    expect(message(boundedInt("days", 7, 35, { min: "a week" }), 6)).toBe("days must be at least 7 (a week)");
  });

  it("fails when above the maximum, naming the field and the bound", () => {
    expect(message(positiveInt("replicas", 10), 11)).toBe("replicas must be at most 10");
    expect(message(boundedInt("days", 7, 35, { max: "the RDS maximum" }), 36)).toBe(
      "days must be at most 35 (the RDS maximum)",
    );
  });

  it("fails when not an integer", () => {
    expect(message(positiveInt("replicas"), 1.5)).toBe("expected an integer replicas");
    expect(message(positiveInt("replicas"), "2")).toBe("expected an integer replicas");
  });
});
