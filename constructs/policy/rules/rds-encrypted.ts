import type { PolicyRule } from "../types";
import { isTrue } from "../values";

export const rdsEncrypted: PolicyRule = {
  id: "MLOPS-RDS-001",
  severity: "error",
  message: "RDS storage is not encrypted",
  explanation:
    "Unencrypted storage, snapshots and replicas expose data to anyone who gets a snapshot shared or copied. " +
    "Set storage_encrypted = true with kms_key_id set to a customer key; encryption cannot be added later " +
    "without a snapshot restore.",
  appliesTo: ["aws_db_instance", "aws_rds_cluster"],
  check(db) {
    if (isTrue(db.config.storage_encrypted)) return [];
    // A read replica inherits its source's encryption (the source is checked).
    if (db.type === "aws_db_instance" && db.config.replicate_source_db !== undefined) return [];
    return [{ detail: `storage_encrypted is ${JSON.stringify(db.config.storage_encrypted ?? null)}` }];
  },
};
