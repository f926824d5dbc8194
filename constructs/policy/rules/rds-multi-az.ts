import { isProductionEnvironment } from "../../core/environment";
import type { PolicyRule } from "../types";
import { isTrue } from "../values";

export const rdsMultiAz: PolicyRule = {
  id: "MLOPS-RDS-005",
  severity: "error",
  message: "Production RDS database is not Multi-AZ",
  explanation:
    "A single-AZ database is down for the length of an AZ outage or a host failure. In the prod environment set " +
    "multi_az = true (aws_db_instance), or run an Aurora cluster with at least two instances (or a Multi-AZ DB " +
    "cluster with db_cluster_instance_class). Other environments may save the cost.",
  appliesTo: ["aws_db_instance", "aws_rds_cluster"],
  check(db, ctx) {
    if (!isProductionEnvironment(ctx.environment)) return [];
    if (db.type === "aws_db_instance") {
      if (db.config.replicate_source_db !== undefined) return [];
      return isTrue(db.config.multi_az) ? [] : [{ detail: "multi_az is not true in prod" }];
    }
    if (db.config.db_cluster_instance_class !== undefined) return [];
    const members = ctx.index.referencing(
      db,
      "aws_rds_cluster_instance",
      "cluster_identifier",
      "cluster_identifier",
    );
    const counted = members.reduce(
      (n, m) => n + (typeof m.config.count === "number" ? m.config.count : 1),
      0,
    );
    if (counted >= 2) return [];
    return [{ detail: `the Aurora cluster has ${counted} instance(s) in this app; prod needs at least two` }];
  },
};
