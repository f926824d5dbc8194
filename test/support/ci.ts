import { describe, it } from "vitest";

/**
 * Locally a suite whose tool is missing skips with a banner; under CI=true that is a failure, not a skip, so a
 * CI machine without the tool cannot pass green. Call at module level next to the suite's `describe.skipIf`.
 * `missing` is the reason the tool is unavailable (undefined or false when it is there).
 */
export function failWhenMissingInCi(suite: string, missing: string | false | undefined): void {
  if (!missing || process.env.CI !== "true") return;
  describe(`${suite}: prerequisites`, () => {
    it("fails when CI=true and a tool the suite needs is missing", () => {
      throw new Error(`CI=true but "${suite}" cannot run: ${missing}`);
    });
  });
}
