import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { describe, expect, it } from "vitest";
import { logGroupRetention } from "../../../../constructs/policy";
import { check, paths } from "../harness";

describe("MLOPS-LOG-002 log group retention", () => {
  it("flags unset retention and retention 0 (never expire)", () => {
    const findings = check(logGroupRetention, (s) => {
      new CloudwatchLogGroup(s, "Forever", {});
      new CloudwatchLogGroup(s, "Zero", { retentionInDays: 0 });
    });
    expect(paths(findings)).toEqual(["test/Forever", "test/Zero"]);
  });

  it("accepts a retention", () => {
    expect(
      check(logGroupRetention, (s) => new CloudwatchLogGroup(s, "Year", { retentionInDays: 365 })),
    ).toEqual([]);
  });
});
