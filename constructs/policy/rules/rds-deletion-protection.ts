import type { PolicyRule } from "../types";
import { isTrue } from "../values";

export const rdsDeletionProtection: PolicyRule = {
  id: "MLOPS-RDS-004",
  severity: "error",
  message: "RDS deletion protection is off",
  explanation:
    "Deletion protection makes the RDS API refuse to delete the database, whatever Terraform or a console user " +
    "asks. Set deletion_protection = true (turn it off deliberately before a planned teardown). A sandbox " +
    "platform (`sandbox: true`) is meant to be torn down, so the rule does not apply there.",
  appliesTo: ["aws_db_instance", "aws_rds_cluster"],
  check(db, ctx) {
    if (ctx.sandbox) return [];
    return isTrue(db.config.deletion_protection) ? [] : [{ detail: "deletion_protection is not true" }];
  },
};
