import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { describe, expect, it } from "vitest";
import { s3TlsOnly } from "../../../../constructs/policy";
import { bucket, check, paths } from "../harness";

describe("MLOPS-S3-004 S3 TLS-only bucket policy", () => {
  it("flags a bucket whose policy has no TLS deny, and one without any policy", () => {
    const findings = check(s3TlsOnly, (s) => {
      bucket(s, "NoDeny", { tlsOnly: false });
      new S3Bucket(s, "Bare", { bucket: "bare" });
    });
    expect(paths(findings)).toEqual(["test/Bare", "test/NoDeny"]);
  });

  it("accepts a TLS deny from a policy document and from literal JSON", () => {
    const findings = check(s3TlsOnly, (s) => {
      bucket(s, "Doc");
      const json = new S3Bucket(s, "Json", { bucket: "json" });
      new S3BucketPolicy(s, "JsonPolicy", {
        bucket: json.id,
        policy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            {
              Effect: "Deny",
              Principal: "*",
              Action: "s3:*",
              Resource: ["arn:aws:s3:::json", "arn:aws:s3:::json/*"],
              Condition: { Bool: { "aws:SecureTransport": "false" } },
            },
          ],
        }),
      });
    });
    expect(findings).toEqual([]);
  });
});
