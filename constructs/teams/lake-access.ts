import type { PolicyStatement } from "../core/addon";
import type { DataLakeBucketRef } from "../data-lake/data-lake";
import { dataLakeStatements, normalizePrefix } from "../data-lake/grants";
import { teamLakePrefix } from "./naming";

/** A lake zone bucket as the team stack finds it (by its derived name): the lake's own bucket reference. */
export type TeamLakeBucket = DataLakeBucketRef;

/** What of the data lake a team gets (`teams.<name>.lake` with the platform's buckets resolved). */
export interface TeamLakeAccessProps {
  /** The team's name: its prefix is `teams/<name>/`. */
  readonly team: string;
  /** The platform's zone buckets by zone. */
  readonly buckets: Readonly<Record<string, TeamLakeBucket>>;
  /** The lake's KMS key. */
  readonly kmsKeyArn: string;
  /** `s3.<region>.<dnsSuffix>` (see `s3ServiceEndpoint`). */
  readonly s3ServiceEndpoint: string;
  /** Zones where the team reads and writes `teams/<name>/`. */
  readonly readWriteZones: readonly string[];
  /** Zones whose shared data the team reads. */
  readonly sharedReadZones: readonly string[];
}

/** Fails naming the prop, the zone and the zones there are when a zone is not one of the lake's. */
export function validateTeamLakeZones(
  props: Pick<TeamLakeAccessProps, "buckets" | "readWriteZones" | "sharedReadZones" | "team">,
): void {
  for (const key of ["readWriteZones", "sharedReadZones"] as const) {
    for (const zone of props[key]) {
      if (!(zone in props.buckets)) {
        throw new Error(
          `Team "${props.team}": lake.${key} has zone ${JSON.stringify(zone)}, which the data lake does not have: expected one of ${Object.keys(props.buckets).join(", ") || "(no zones)"}`,
        );
      }
    }
  }
}

/**
 * The S3 and KMS statements of a team's workload role, built from the lake's one grant primitive
 * (`dataLakeStatements`):
 * - read-write zones: `s3:ListBucket` only under `teams/<name>/`, Get/Put/Delete/multipart on `teams/<name>/*`;
 * - shared-read zones: `s3:ListBucket` and Get on the zone's objects, no write;
 * - the lake key: Decrypt (and GenerateDataKey where the team writes) only through S3 for these buckets.
 *
 * Shared read covers the whole zone bucket: IAM cannot subtract key prefixes (no condition key carries an object's
 * key for GetObject, and with S3 Bucket Keys KMS sees the bucket, not the object), so another team's `teams/`
 * prefix in a zone this team reads as shared is readable, never writable. Keep data private to a team in zones
 * other teams do not read as shared, or grant through Lake Formation tables.
 */
export function teamLakeStatements(props: TeamLakeAccessProps): PolicyStatement[] {
  validateTeamLakeZones(props);
  const common = { kmsKeyArn: props.kmsKeyArn, s3ServiceEndpoint: props.s3ServiceEndpoint };
  const arns = (zones: readonly string[]) => [...new Set(zones)].map((z) => props.buckets[z].bucketArn);
  const statements: PolicyStatement[] = [];
  if (props.readWriteZones.length > 0) {
    const own = {
      ...common,
      bucketArns: arns(props.readWriteZones),
      prefix: normalizePrefix(teamLakePrefix(props.team)),
    };
    const [list, readObjects] = dataLakeStatements({ ...own, access: "read" });
    // The write grant's KMS statement (Decrypt and GenerateDataKey) covers reads too.
    const [, writeObjects, kms] = dataLakeStatements({ ...own, access: "write" });
    statements.push(list, readObjects, writeObjects, kms);
  }
  if (props.sharedReadZones.length > 0) {
    statements.push(
      ...dataLakeStatements({
        ...common,
        access: "read",
        bucketArns: arns(props.sharedReadZones),
        prefix: "",
      }),
    );
  }
  return statements;
}
