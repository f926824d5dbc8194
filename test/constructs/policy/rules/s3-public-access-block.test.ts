import { describe, expect, it } from "vitest";
import { s3PublicAccessBlock } from "../../../../constructs/policy";
import { bucket, check, paths } from "../harness";

describe("MLOPS-S3-003 S3 public access block", () => {
  it("flags a bucket without a public access block and one with a setting off", () => {
    const findings = check(s3PublicAccessBlock, (s) => {
      bucket(s, "None", { publicAccessBlock: false });
      bucket(s, "Partial", { publicAccessBlock: "partial" });
    });
    expect(paths(findings)).toEqual(["test/None", "test/Partial"]);
    expect(findings.find((f) => f.path === "test/Partial")?.detail).toBe("not true: restrict_public_buckets");
  });

  it("accepts a bucket blocking all four kinds", () => {
    expect(check(s3PublicAccessBlock, (s) => bucket(s, "Good"))).toEqual([]);
  });
});
