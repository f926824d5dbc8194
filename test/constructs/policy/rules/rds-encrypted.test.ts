import { RdsCluster } from "@cdktf/provider-aws/lib/rds-cluster";
import { describe, expect, it } from "vitest";
import { rdsEncrypted } from "../../../../constructs/policy";
import { check, paths } from "../harness";
import { dbInstance } from "../rds-fixture";

describe("MLOPS-RDS-001 RDS encrypted", () => {
  it("flags an unencrypted instance and an Aurora cluster without storage_encrypted", () => {
    const findings = check(rdsEncrypted, (s) => {
      dbInstance(s, "Plain", { storageEncrypted: false, kmsKeyId: undefined });
      new RdsCluster(s, "Aurora", { engine: "aurora-postgresql", clusterIdentifier: "aurora" });
    });
    expect(paths(findings)).toEqual(["test/Aurora", "test/Plain"]);
  });

  it("accepts encrypted storage", () => {
    const findings = check(rdsEncrypted, (s) => {
      dbInstance(s, "Good");
      new RdsCluster(s, "Aurora", {
        engine: "aurora-postgresql",
        clusterIdentifier: "aurora",
        storageEncrypted: true,
      });
    });
    expect(findings).toEqual([]);
  });
});
