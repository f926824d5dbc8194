import { describe, expect, it } from "vitest";
import { s3SseKms } from "../../../../constructs/policy";
import { bucket, check, paths } from "../harness";

describe("MLOPS-S3-001 S3 SSE-KMS", () => {
  it("flags a bucket without encryption configuration, with SSE-S3, and with aws:kms but no key", () => {
    const findings = check(s3SseKms, (s) => {
      bucket(s, "None", { sse: false });
      bucket(s, "Aes", { sse: "aes" });
      bucket(s, "AwsManaged", { sse: "kms-no-key" });
      bucket(s, "Good");
    });
    expect(paths(findings)).toEqual(["test/Aes", "test/AwsManaged", "test/None"]);
    expect(findings.find((f) => f.path === "test/Aes")?.detail).toContain('"AES256"');
    expect(findings.every((f) => f.severity === "error")).toBe(true);
  });

  it("accepts SSE-KMS with a customer key, and SSE-S3 only on a bucket that receives access logs", () => {
    const findings = check(s3SseKms, (s) => {
      const logs = bucket(s, "Logs", { sse: "aes" });
      bucket(s, "Data", { logTo: logs });
    });
    expect(findings).toEqual([]);
  });
});
