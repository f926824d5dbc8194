import { describe, expect, it } from "vitest";
import { rdsPrivate } from "../../../../constructs/policy";
import { check, paths } from "../harness";
import { dbInstance } from "../rds-fixture";

describe("MLOPS-RDS-002 RDS not public", () => {
  it("flags a publicly accessible instance", () => {
    const findings = check(rdsPrivate, (s) => dbInstance(s, "Public", { publiclyAccessible: true }));
    expect(paths(findings)).toEqual(["test/Public"]);
  });

  it("accepts a private instance, also when publicly_accessible is left unset (false)", () => {
    const findings = check(rdsPrivate, (s) => {
      dbInstance(s, "Private");
      dbInstance(s, "Unset", { publiclyAccessible: undefined });
    });
    expect(findings).toEqual([]);
  });
});
