import { describe, expect, it } from "vitest";
import { eksControlPlaneLogs } from "../../../../constructs/policy";
import { eksCluster } from "../eks-fixture";
import { check } from "../harness";

describe("MLOPS-EKS-003 EKS control-plane logs", () => {
  it("flags a cluster logging only some types, naming the missing ones", () => {
    const findings = check(eksControlPlaneLogs, (s) => {
      eksCluster(s, "Partial", { enabledClusterLogTypes: ["api", "audit"] });
    });
    expect(findings.map((f) => f.detail)).toEqual([
      "missing log types: authenticator, controllerManager, scheduler",
    ]);
  });

  it("accepts all five log types", () => {
    expect(check(eksControlPlaneLogs, (s) => eksCluster(s, "Good"))).toEqual([]);
  });
});
