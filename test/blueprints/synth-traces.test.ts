import { Lazy } from "cdktf";
import { afterEach, describe, expect, it } from "vitest";
import { quietTraces } from "../../blueprints/synth-traces";

const tokenTrace = () => Lazy.anyValue({ produce: () => "x" }).creationStack;

let restore: (() => void) | undefined;
afterEach(() => {
  restore?.();
  restore = undefined;
});

describe("quietTraces", () => {
  it("makes cdktf record no creation trace for a token while quiet, and full ones once restored", () => {
    expect(tokenTrace().length).toBeGreaterThan(3); // cdktf's default: the whole stack
    restore = quietTraces(false);
    expect(tokenTrace()).toEqual([]);
    expect(String(new Error("boom").stack)).toBe("Error: boom"); // one line while quiet
    restore();
    restore = undefined;
    expect(tokenTrace().length).toBeGreaterThan(3);
    expect(String(new Error("boom").stack).split("\n").length).toBeGreaterThan(1);
  });

  it("keeps cdktf's traces whole when asked to (MLOPS_SYNTH_STACKS=1)", () => {
    restore = quietTraces(true);
    expect(tokenTrace().length).toBeGreaterThan(3);
    expect(String(new Error("boom").stack).split("\n").length).toBeGreaterThan(1);
  });

  it("turns source maps off while quiet and restores the setting", () => {
    const before = process.sourceMapsEnabled;
    restore = quietTraces(false);
    expect(process.sourceMapsEnabled).toBe(false);
    restore();
    restore = undefined;
    expect(process.sourceMapsEnabled).toBe(before);
  });
});
