import { describe, expect, it } from "vitest";
import { ecrScanOnPush } from "../../../../constructs/policy";
import { ecrRepository } from "../ecr-fixture";
import { check, paths } from "../harness";

describe("MLOPS-ECR-003 ECR scan on push", () => {
  it("flags a repository without scanning or with scanning off", () => {
    const findings = check(ecrScanOnPush, (s) => {
      ecrRepository(s, "Unset", { imageScanningConfiguration: undefined });
      ecrRepository(s, "Off", { imageScanningConfiguration: { scanOnPush: false } });
    });
    expect(paths(findings)).toEqual(["test/Off", "test/Unset"]);
  });

  it("accepts scan on push", () => {
    expect(check(ecrScanOnPush, (s) => ecrRepository(s, "Good"))).toEqual([]);
  });
});
