import { Token } from "cdktf";
import {
  ARN,
  isSupportedRdsVersion,
  RDS_BACKUP_RETENTION_DAYS,
  RDS_INSTANCE_CLASS,
  RDS_STORAGE_GIB,
  RDS_SUPPORTED_MAJORS,
} from "../primitives";
import type { RdsDatabaseProps } from "./rds-database";

export { RDS_SUPPORTED_MAJORS, type RdsEngine } from "../primitives";

const RESERVED_USERNAMES = new Set(["admin", "rdsadmin", "root", "postgres", "mysql", "rdsrepladmin"]);

function invalid(prop: string, value: unknown, expected: string): Error {
  return new Error(`Invalid RdsDatabase ${prop}: got ${JSON.stringify(value)}; expected ${expected}.`);
}

const known = (v: unknown) => !Token.isUnresolved(v);

function intIn(prop: string, value: number | undefined, min: number, max: number, why = ""): void {
  if (value === undefined || !known(value)) return;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw invalid(prop, value, `an integer from ${min} to ${max}${why}`);
  }
}

/** Fails on props RDS would refuse at apply time, or that would weaken the kit's defaults. */
export function validateRdsDatabaseProps(props: RdsDatabaseProps): void {
  if (props.engine !== "postgres" && props.engine !== "mysql") {
    throw invalid("engine", props.engine, '"postgres" or "mysql"');
  }
  const id = props.identifier;
  if (known(id) && (!/^[a-z](?!.*--)[a-z0-9-]{0,62}$/.test(id) || id.endsWith("-"))) {
    throw invalid(
      "identifier",
      id,
      "1-63 lowercase letters, digits and hyphens, starting with a letter, no '--', not ending with '-'",
    );
  }
  const maxDbName = props.engine === "postgres" ? 63 : 64;
  if (
    known(props.databaseName) &&
    !new RegExp(`^[a-zA-Z][a-zA-Z0-9_]{0,${maxDbName - 1}}$`).test(props.databaseName)
  ) {
    throw invalid(
      "databaseName",
      props.databaseName,
      `1-${maxDbName} letters, digits and underscores starting with a letter`,
    );
  }
  if (props.engineVersion !== undefined && known(props.engineVersion)) {
    const majors = RDS_SUPPORTED_MAJORS[props.engine];
    const v = props.engineVersion;
    if (!isSupportedRdsVersion(props.engine, v)) {
      throw invalid(
        "engineVersion",
        v,
        `a ${props.engine} version of major ${majors.join(", ")} (like "${majors.at(-2)}" or "${majors.at(-2)}.1")`,
      );
    }
  }
  if (props.instanceClass !== undefined && known(props.instanceClass)) {
    if (!RDS_INSTANCE_CLASS.test(props.instanceClass)) {
      throw invalid("instanceClass", props.instanceClass, 'an RDS instance class like "db.t4g.medium"');
    }
  }
  intIn("allocatedStorageGiB", props.allocatedStorageGiB, RDS_STORAGE_GIB.min, RDS_STORAGE_GIB.max, " (gp3)");
  const allocated = props.allocatedStorageGiB ?? RDS_STORAGE_GIB.min;
  if (props.maxAllocatedStorageGiB !== undefined && known(props.maxAllocatedStorageGiB)) {
    const min = Math.ceil((allocated * 11) / 10);
    intIn(
      "maxAllocatedStorageGiB",
      props.maxAllocatedStorageGiB,
      min,
      RDS_STORAGE_GIB.max,
      ` (storage autoscaling needs at least 10 % above allocatedStorageGiB ${allocated})`,
    );
  }
  intIn(
    "backupRetentionInDays",
    props.backupRetentionInDays,
    RDS_BACKUP_RETENTION_DAYS.min,
    RDS_BACKUP_RETENTION_DAYS.max,
    " (the kit keeps at least a week of backups)",
  );
  intIn("logRetentionInDays", props.logRetentionInDays, 1, 3653);
  if (!props.kmsKeyArn) {
    throw invalid("kmsKeyArn", props.kmsKeyArn, "the platform KMS key ARN");
  } else if (known(props.kmsKeyArn) && !ARN.kmsKey.test(props.kmsKeyArn)) {
    throw invalid("kmsKeyArn", props.kmsKeyArn, "a KMS key ARN (arn:aws:kms:…)");
  }
  const subnets = props.subnetIds;
  if (subnets.length === 0 || (!subnets.some((s) => Token.isUnresolved(s)) && subnets.length < 2)) {
    throw invalid(
      "subnetIds",
      subnets,
      "at least 2 private subnets in different AZs (RDS subnet groups need 2)",
    );
  }
  if (props.allowedSecurityGroupIds.length === 0) {
    throw invalid(
      "allowedSecurityGroupIds",
      props.allowedSecurityGroupIds,
      "at least one security group (e.g. the EKS cluster security group); the database admits no CIDR",
    );
  }
  const user = props.masterUsername;
  if (user !== undefined && known(user)) {
    if (!/^[a-zA-Z][a-zA-Z0-9_]{0,15}$/.test(user) || RESERVED_USERNAMES.has(user.toLowerCase())) {
      throw invalid(
        "masterUsername",
        user,
        `1-16 letters, digits and underscores starting with a letter, not one of ${[...RESERVED_USERNAMES].join(", ")}`,
      );
    }
  }
  if (props.backupWindow !== undefined && !/^\d\d:\d\d-\d\d:\d\d$/.test(props.backupWindow)) {
    throw invalid("backupWindow", props.backupWindow, 'a UTC window like "03:00-04:00"');
  }
  if (
    props.maintenanceWindow !== undefined &&
    !/^(mon|tue|wed|thu|fri|sat|sun):\d\d:\d\d-(mon|tue|wed|thu|fri|sat|sun):\d\d:\d\d$/i.test(
      props.maintenanceWindow,
    )
  ) {
    throw invalid("maintenanceWindow", props.maintenanceWindow, 'a UTC window like "sun:04:00-sun:05:00"');
  }
}
