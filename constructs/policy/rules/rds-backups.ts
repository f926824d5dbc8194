import type { PolicyRule } from "../types";
import { isExpression, toNumber } from "../values";

export const MIN_BACKUP_RETENTION_DAYS = 7;

export const rdsBackups: PolicyRule = {
  id: "MLOPS-RDS-003",
  severity: "error",
  message: `RDS automated backups are kept less than ${MIN_BACKUP_RETENTION_DAYS} days`,
  explanation:
    "Point-in-time recovery reaches back only as far as the retention; a problem found after a long weekend " +
    `must still be recoverable. Set backup_retention_period >= ${MIN_BACKUP_RETENTION_DAYS}.`,
  appliesTo: ["aws_db_instance", "aws_rds_cluster"],
  check(db) {
    const raw = db.config.backup_retention_period;
    if (db.type === "aws_db_instance" && db.config.replicate_source_db !== undefined) return [];
    if (isExpression(raw))
      return [{ detail: `backup_retention_period is ${raw}, unknown at synthesis`, severity: "warning" }];
    const days = toNumber(raw);
    if (days !== undefined && days >= MIN_BACKUP_RETENTION_DAYS) return [];
    return [
      {
        detail: `backup_retention_period is ${JSON.stringify(raw ?? null)} (unset means AWS's default of 0-1 day)`,
      },
    ];
  },
};
