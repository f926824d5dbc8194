import { z } from "zod";
import { boundedInt } from "./numbers";

/**
 * RDS settings shared by every add-on that owns a database and by the RdsDatabase construct, so the config and a
 * construct used from code accept the same values.
 */

export type RdsEngine = "postgres" | "mysql";

/** Versions whose parameter group family the kit knows; newer majors need a look at the parameters first. */
export const RDS_SUPPORTED_MAJORS: Readonly<Record<RdsEngine, readonly string[]>> = {
  postgres: ["14", "15", "16", "17", "18"],
  mysql: ["8.0", "8.4"],
};

/** A major (`17`), or a major with minor/patch (`17.6`, `8.0.40`), of a major the kit knows. */
export function isSupportedRdsVersion(engine: RdsEngine, version: string): boolean {
  return (
    /^\d+(\.\d+){0,2}$/.test(version) &&
    RDS_SUPPORTED_MAJORS[engine].some((m) => version === m || version.startsWith(`${m}.`))
  );
}

/**
 * `db.<family>.<size>`: the family is letters and digits, with inner hyphens allowed and treated the same
 * everywhere (`db.r6g.large`, `db.x2iedn.xlarge`, `db.m7i.large`, `db.t4g.micro`).
 */
export const RDS_INSTANCE_CLASS = /^db\.[a-z][a-z0-9]*(-[a-z0-9]+)*\.[a-z0-9]+$/;

export const rdsInstanceClass = z
  .string()
  .regex(RDS_INSTANCE_CLASS, 'expected an RDS instance class like "db.t4g.medium"');

export const rdsEngineVersion = (engine: RdsEngine) =>
  z.string().refine((v) => isSupportedRdsVersion(engine, v), {
    error: (iss) =>
      `engineVersion ${JSON.stringify(iss.input)} is not a supported ${engine === "postgres" ? "PostgreSQL" : "MySQL"} version (majors ${RDS_SUPPORTED_MAJORS[engine].join(", ")})`,
    params: { formatted: true },
  });

/** gp3 bounds: 20 GiB minimum, 64 TiB maximum. */
export const RDS_STORAGE_GIB = { min: 20, max: 65_536 } as const;

export const rdsAllocatedStorageGiB = boundedInt(
  "allocatedStorageGiB",
  RDS_STORAGE_GIB.min,
  RDS_STORAGE_GIB.max,
  {
    min: "gp3 minimum",
  },
);

/** Automated backups: the kit keeps at least a week; 35 days is the RDS maximum. */
export const RDS_BACKUP_RETENTION_DAYS = { min: 7, max: 35 } as const;

export const rdsBackupRetentionInDays = boundedInt(
  "backupRetentionInDays",
  RDS_BACKUP_RETENTION_DAYS.min,
  RDS_BACKUP_RETENTION_DAYS.max,
  { min: "the kit keeps a week of backups", max: "the RDS maximum" },
);
