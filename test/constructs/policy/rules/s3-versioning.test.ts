import { describe, expect, it } from "vitest";
import { s3Versioning } from "../../../../constructs/policy";
import { bucket, check, paths } from "../harness";

describe("MLOPS-S3-002 S3 versioning", () => {
  it("flags buckets without versioning or with versioning suspended", () => {
    const findings = check(s3Versioning, (s) => {
      bucket(s, "None", { versioning: false });
      bucket(s, "Suspended", { versioning: "Suspended" });
    });
    expect(paths(findings)).toEqual(["test/None", "test/Suspended"]);
    expect(findings.find((f) => f.path === "test/Suspended")?.detail).toContain('"Suspended"');
  });

  it("accepts a bucket with versioning enabled", () => {
    expect(check(s3Versioning, (s) => bucket(s, "Good"))).toEqual([]);
  });
});
