import { describe, expect, it } from "vitest";
import { rdsDeletionProtection } from "../../../../constructs/policy";
import { check, paths } from "../harness";
import { dbInstance } from "../rds-fixture";

describe("MLOPS-RDS-004 RDS deletion protection", () => {
  it("flags an instance without deletion protection", () => {
    const findings = check(rdsDeletionProtection, (s) =>
      dbInstance(s, "Loose", { deletionProtection: false }),
    );
    expect(paths(findings)).toEqual(["test/Loose"]);
  });

  it("does not apply in a sandbox, which is meant to be torn down", () => {
    const loose = (s: Parameters<Parameters<typeof check>[1]>[0]) =>
      dbInstance(s, "Loose", { deletionProtection: false });
    expect(check(rdsDeletionProtection, loose, { sandbox: true })).toEqual([]);
  });

  it("accepts deletion protection on", () => {
    expect(check(rdsDeletionProtection, (s) => dbInstance(s, "Good"))).toEqual([]);
  });
});
