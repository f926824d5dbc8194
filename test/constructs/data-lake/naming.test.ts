import { describe, expect, it } from "vitest";
import {
  glueDatabaseName,
  MAX_BUCKET_NAME_LENGTH,
  maxBucketNameLength,
  pascalCase,
  validateBucketNameLengths,
  validateNamePrefix,
  validateZoneName,
} from "../../../constructs/data-lake/naming";

describe("data lake naming", () => {
  it("plans for a 12-digit account and a 14-character region", () => {
    const name = `mlops-features-123456789012-ap-southeast-5`;
    expect(maxBucketNameLength("mlops", "features")).toBe(name.length);
  });

  it("accepts the longest prefix that still fits and rejects one more character", () => {
    // prefix + zone = 34 characters leaves exactly 63.
    const prefix = "p".repeat(34 - "access-logs".length);
    expect(() => validateBucketNameLengths(prefix, ["raw", "access-logs"])).not.toThrow();
    expect(maxBucketNameLength(prefix, "access-logs")).toBe(MAX_BUCKET_NAME_LENGTH);
    expect(() => validateBucketNameLengths(`${prefix}p`, ["raw", "access-logs"])).toThrow(
      new RegExp(
        `namePrefix "${prefix}p" is too long for zone "access-logs".*can reach 64 characters.*at most 23`,
      ),
    );
  });

  it("derives Glue database names and construct ids", () => {
    expect(glueDatabaseName("ml-prod", "raw-images")).toBe("ml_prod_raw_images");
    expect(pascalCase("raw-images")).toBe("RawImages");
  });

  it("fails when the prefix is not lowercase DNS-safe", () => {
    for (const bad of ["ML", "ml_prod", "-ml", "ml-", "ml.prod", ""]) {
      expect(() => validateNamePrefix(bad), bad).toThrow(
        /namePrefix .* is invalid: expected lowercase letters/,
      );
    }
    expect(() => validateNamePrefix(undefined as unknown as string)).toThrow(
      /namePrefix undefined is invalid/,
    );
  });

  it("fails when the prefix starts with an S3-reserved prefix", () => {
    expect(() => validateNamePrefix("xn--lake")).toThrow(/starts with "xn--", which S3 reserves/);
  });

  it("fails when a zone name is not DNS-safe or is reserved", () => {
    expect(() => validateZoneName("Raw")).toThrow(/zone name "Raw" is invalid/);
    expect(() => validateZoneName("raw_data")).toThrow(/zone name "raw_data" is invalid/);
    expect(() => validateZoneName("access-logs")).toThrow(/reserved for the access-log bucket/);
  });
});
