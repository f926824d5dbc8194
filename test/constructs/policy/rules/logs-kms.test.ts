import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { describe, expect, it } from "vitest";
import { logGroupKms } from "../../../../constructs/policy";
import { check, paths } from "../harness";

describe("MLOPS-LOG-001 log group KMS key", () => {
  it("flags a log group without a KMS key", () => {
    const findings = check(logGroupKms, (s) => new CloudwatchLogGroup(s, "Plain", { retentionInDays: 30 }));
    expect(paths(findings)).toEqual(["test/Plain"]);
  });

  it("accepts a KMS-encrypted log group", () => {
    const findings = check(
      logGroupKms,
      (s) =>
        new CloudwatchLogGroup(s, "Enc", { retentionInDays: 30, kmsKeyId: "arn:aws:kms:eu-west-1:1:key/a" }),
    );
    expect(findings).toEqual([]);
  });
});
