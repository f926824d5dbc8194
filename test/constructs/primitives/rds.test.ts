import { describe, expect, it } from "vitest";
import {
  isSupportedRdsVersion,
  RDS_INSTANCE_CLASS,
  rdsBackupRetentionInDays,
  rdsEngineVersion,
  rdsInstanceClass,
} from "../../../constructs/primitives";

describe("RDS settings", () => {
  it("accepts instance classes of every current family shape", () => {
    for (const v of [
      "db.r6g.large",
      "db.t4g.micro",
      "db.x2iedn.xlarge",
      "db.m7i.large",
      "db.r6gd.16xlarge",
    ]) {
      expect(RDS_INSTANCE_CLASS.test(v), v).toBe(true);
      expect(rdsInstanceClass.safeParse(v).success, v).toBe(true);
    }
  });

  it("treats a hyphen inside the family the same everywhere, and only there", () => {
    expect(RDS_INSTANCE_CLASS.test("db.x2-iedn.xlarge")).toBe(true);
    for (const v of ["db.-r6g.large", "db.r6g-.large", "db.r6g--x.large", "db.r6g.-large"]) {
      expect(RDS_INSTANCE_CLASS.test(v), v).toBe(false);
    }
  });

  it("fails when the instance class is malformed", () => {
    for (const v of [
      "t4g.medium",
      "db.t4g",
      "db..large",
      "DB.T4G.MEDIUM",
      "db.t4g.medium.x",
      "cache.t4g.micro",
    ]) {
      expect(rdsInstanceClass.safeParse(v).success, v).toBe(false);
    }
    expect(rdsInstanceClass.safeParse("t4g.medium").error?.issues[0].message).toMatch(/RDS instance class/);
  });

  it("accepts majors the kit knows, with or without minor and patch", () => {
    for (const v of ["14", "17", "17.6", "18.1"]) expect(isSupportedRdsVersion("postgres", v), v).toBe(true);
    for (const v of ["8.0", "8.0.40", "8.4.3"]) expect(isSupportedRdsVersion("mysql", v), v).toBe(true);
  });

  it("fails when the engine version is of an unknown major or malformed", () => {
    for (const v of ["13", "9.6", "8.4", "17.x", "v17", "170"]) {
      expect(rdsEngineVersion("postgres").safeParse(v).success, v).toBe(false);
    }
    expect(rdsEngineVersion("postgres").safeParse("13").error?.issues[0].message).toMatch(
      /engineVersion "13" is not a supported PostgreSQL version \(majors 14, 15, 16, 17, 18\)/,
    );
    expect(isSupportedRdsVersion("mysql", "5.7")).toBe(false);
  });

  it("fails when backup retention is under a week or over the RDS maximum", () => {
    expect(rdsBackupRetentionInDays.safeParse(6).error?.issues[0].message).toMatch(/at least 7/);
    expect(rdsBackupRetentionInDays.safeParse(36).error?.issues[0].message).toMatch(
      /at most 35 \(the RDS maximum\)/,
    );
    expect(rdsBackupRetentionInDays.parse(35)).toBe(35);
  });
});
