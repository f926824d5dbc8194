import { RdsCluster } from "@cdktf/provider-aws/lib/rds-cluster";
import { RdsClusterInstance } from "@cdktf/provider-aws/lib/rds-cluster-instance";
import { describe, expect, it } from "vitest";
import { rdsMultiAz } from "../../../../constructs/policy";
import { check, paths } from "../harness";
import { dbInstance } from "../rds-fixture";

describe("MLOPS-RDS-005 Multi-AZ in prod", () => {
  it("flags a single-AZ instance and a one-instance Aurora cluster in prod", () => {
    const findings = check(
      rdsMultiAz,
      (s) => {
        dbInstance(s, "Single", { multiAz: false });
        const c = new RdsCluster(s, "Aurora", { engine: "aurora-postgresql", clusterIdentifier: "aurora" });
        new RdsClusterInstance(s, "Writer", {
          clusterIdentifier: c.id,
          instanceClass: "db.r7g.large",
          engine: "aurora-postgresql",
        });
      },
      { environment: "prod" },
    );
    expect(paths(findings)).toEqual(["test/Aurora", "test/Single"]);
  });

  it("accepts Multi-AZ and two Aurora instances in prod, and single-AZ outside prod", () => {
    const prod = check(
      rdsMultiAz,
      (s) => {
        dbInstance(s, "Multi");
        const c = new RdsCluster(s, "Aurora", { engine: "aurora-postgresql", clusterIdentifier: "aurora" });
        for (const id of ["A", "B"])
          new RdsClusterInstance(s, id, {
            clusterIdentifier: c.id,
            instanceClass: "db.r7g.large",
            engine: "aurora-postgresql",
          });
      },
      { environment: "prod" },
    );
    expect(prod).toEqual([]);
    const dev = check(rdsMultiAz, (s) => dbInstance(s, "Single", { multiAz: false }), { environment: "dev" });
    expect(dev).toEqual([]);
  });
});
