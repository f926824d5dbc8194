import { describe, expect, it } from "vitest";
import { s3AccessLogging } from "../../../../constructs/policy";
import { bucket, check, paths } from "../harness";

describe("MLOPS-S3-005 S3 access logging", () => {
  it("flags a bucket that does not log and is not a log target", () => {
    const findings = check(s3AccessLogging, (s) => {
      bucket(s, "Silent");
    });
    expect(paths(findings)).toEqual(["test/Silent"]);
    expect(findings[0].detail).toBe("no aws_s3_bucket_logging for it");
  });

  it("accepts a logging bucket and exempts its access-log target bucket by design", () => {
    const findings = check(s3AccessLogging, (s) => {
      const logs = bucket(s, "Logs", { sse: "aes" });
      bucket(s, "Data", { logTo: logs });
    });
    expect(findings).toEqual([]);
  });
});
