import { describe, expect, it } from "vitest";
import { k8sProbes } from "../../../../constructs/policy";
import { check, paths } from "../harness";
import { deployment, job } from "../k8s-fixture";

describe("MLOPS-K8S-003 readiness and liveness probes", () => {
  it("flags a Deployment container without probes", () => {
    const findings = check(k8sProbes, (s) => deployment(s, "Blind", { probes: false }));
    expect(paths(findings)).toEqual(["test/Blind"]);
    expect(findings[0].detail).toBe("container main: missing readinessProbe, livenessProbe");
  });

  it("accepts a Deployment with both probes and exempts Jobs", () => {
    const findings = check(k8sProbes, (s) => {
      deployment(s, "Good");
      job(s, "Batch", { probes: false });
    });
    expect(findings).toEqual([]);
  });
});
