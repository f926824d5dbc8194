import { describe, expect, it } from "vitest";
import { rdsBackups } from "../../../../constructs/policy";
import { check, paths } from "../harness";
import { dbInstance } from "../rds-fixture";

describe("MLOPS-RDS-003 RDS backups >= 7 days", () => {
  it("flags 6 days and an unset retention", () => {
    const findings = check(rdsBackups, (s) => {
      dbInstance(s, "Six", { backupRetentionPeriod: 6 });
      dbInstance(s, "Unset", { backupRetentionPeriod: undefined });
    });
    expect(paths(findings)).toEqual(["test/Six", "test/Unset"]);
  });

  it("accepts 7 and 35 days", () => {
    const findings = check(rdsBackups, (s) => {
      dbInstance(s, "Seven");
      dbInstance(s, "Max", { backupRetentionPeriod: 35 });
    });
    expect(findings).toEqual([]);
  });
});
