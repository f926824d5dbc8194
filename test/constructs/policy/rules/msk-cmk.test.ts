import { describe, expect, it } from "vitest";
import { mskCustomerKey } from "../../../../constructs/policy";
import { check, paths } from "../harness";
import { mskCluster } from "../msk-fixture";

describe("MLOPS-MSK-002 MSK customer key at rest", () => {
  it("flags a cluster on the AWS-owned key", () => {
    const findings = check(mskCustomerKey, (s) => mskCluster(s, "Owned", { encryptionInfo: undefined }));
    expect(paths(findings)).toEqual(["test/Owned"]);
  });

  it("accepts a customer key", () => {
    expect(check(mskCustomerKey, (s) => mskCluster(s, "Good"))).toEqual([]);
  });
});
