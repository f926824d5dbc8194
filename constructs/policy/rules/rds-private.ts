import type { PolicyRule } from "../types";
import { isTrue } from "../values";

export const rdsPrivate: PolicyRule = {
  id: "MLOPS-RDS-002",
  severity: "error",
  message: "RDS instance is publicly accessible",
  explanation:
    "A publicly accessible database gets a public DNS name and address; one security-group mistake exposes it. " +
    "Set publicly_accessible = false and reach it from inside the VPC.",
  appliesTo: ["aws_db_instance", "aws_rds_cluster_instance"],
  check(db) {
    return isTrue(db.config.publicly_accessible) ? [{ detail: "publicly_accessible is true" }] : [];
  },
};
