/**
 * Naming rules of the data lake: bucket names `<namePrefix>-<zone>-<accountId>-<region>` (unique per account
 * and region without a random suffix) and Glue database names `<prefix>_<zone>`.
 */

/** S3's limit on bucket name length. */
export const MAX_BUCKET_NAME_LENGTH = 63;
/** An account id is always 12 digits. */
export const ACCOUNT_ID_LENGTH = 12;
/** Longest region name we plan for ("ap-southeast-5", "eusc-de-east-1"); the real region is a token at synth. */
export const MAX_REGION_LENGTH = 14;
/** Zone-like name of the access-log bucket, reserved so no zone collides with it. */
export const ACCESS_LOG_BUCKET_ZONE = "access-logs";

const DNS_LABEL = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
const RESERVED_PREFIXES = ["xn--", "sthree-", "amzn-s3-demo-"];

/** Longest possible name of the bucket for `zone`, with account id and region at their maximum length. */
export function maxBucketNameLength(namePrefix: string, zone: string): number {
  return namePrefix.length + zone.length + ACCOUNT_ID_LENGTH + MAX_REGION_LENGTH + 3;
}

export function validateNamePrefix(namePrefix: string): void {
  if (typeof namePrefix !== "string" || !DNS_LABEL.test(namePrefix)) {
    throw new Error(
      `DataLake: namePrefix ${JSON.stringify(namePrefix)} is invalid: expected lowercase letters, digits and hyphens, starting and ending with a letter or digit (it becomes part of S3 bucket names)`,
    );
  }
  const reserved = RESERVED_PREFIXES.find((p) => namePrefix.startsWith(p));
  if (reserved) {
    throw new Error(
      `DataLake: namePrefix "${namePrefix}" starts with "${reserved}", which S3 reserves for bucket names`,
    );
  }
}

export function validateZoneName(zone: string): void {
  if (!DNS_LABEL.test(zone)) {
    throw new Error(
      `DataLake: zone name "${zone}" is invalid: expected lowercase letters, digits and hyphens, starting and ending with a letter or digit`,
    );
  }
  if (zone === ACCESS_LOG_BUCKET_ZONE) {
    throw new Error(
      `DataLake: zone name "${zone}" is reserved for the access-log bucket: choose another zone name`,
    );
  }
}

/** Fails when any bucket name (zones and the access-log bucket) could exceed 63 characters. */
export function validateBucketNameLengths(namePrefix: string, zones: readonly string[]): void {
  // Longest zone first, so the error names the zone that needs the most room.
  for (const zone of [...zones].sort((a, b) => b.length - a.length)) {
    const length = maxBucketNameLength(namePrefix, zone);
    if (length > MAX_BUCKET_NAME_LENGTH) {
      const budget = MAX_BUCKET_NAME_LENGTH - ACCOUNT_ID_LENGTH - MAX_REGION_LENGTH - 3;
      throw new Error(
        `DataLake: namePrefix "${namePrefix}" is too long for zone "${zone}": "${namePrefix}-${zone}-<12-digit account>-<region up to ${MAX_REGION_LENGTH}>" can reach ${length} characters, S3 allows ${MAX_BUCKET_NAME_LENGTH}; namePrefix plus zone name must fit in ${budget} characters, so use a namePrefix of at most ${budget - zone.length} characters or a shorter zone name`,
      );
    }
  }
}

/** `ml-platform` + `raw` → `ml_platform_raw` (Glue/Athena names allow no hyphens). */
export function glueDatabaseName(namePrefix: string, zone: string): string {
  return `${namePrefix}_${zone}`.replaceAll("-", "_");
}

/** `raw-images` → `RawImages`, for construct ids. */
export function pascalCase(name: string): string {
  return name
    .split("-")
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join("");
}
