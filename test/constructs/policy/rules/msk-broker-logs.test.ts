import { describe, expect, it } from "vitest";
import { mskBrokerLogs } from "../../../../constructs/policy";
import { check, paths } from "../harness";
import { mskCluster } from "../msk-fixture";

describe("MLOPS-MSK-004 MSK broker logs", () => {
  it("flags a cluster without logging and one with every destination disabled", () => {
    const findings = check(mskBrokerLogs, (s) => {
      mskCluster(s, "None", { loggingInfo: undefined });
      mskCluster(s, "Off", { loggingInfo: { brokerLogs: { cloudwatchLogs: { enabled: false } } } });
    });
    expect(paths(findings)).toEqual(["test/None", "test/Off"]);
  });

  it("accepts CloudWatch and S3 delivery", () => {
    const findings = check(mskBrokerLogs, (s) => {
      mskCluster(s, "Cw");
      mskCluster(s, "S3", { loggingInfo: { brokerLogs: { s3: { enabled: true, bucket: "logs" } } } });
    });
    expect(findings).toEqual([]);
  });
});
