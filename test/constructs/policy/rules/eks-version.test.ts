import { describe, expect, it } from "vitest";
import { SUPPORTED_KUBERNETES_VERSIONS } from "../../../../constructs/cluster/kubernetes-versions";
import { eksVersion } from "../../../../constructs/policy";
import { eksCluster } from "../eks-fixture";
import { check, paths } from "../harness";

describe("MLOPS-EKS-004 EKS Kubernetes version", () => {
  it("flags an unsupported version and an unpinned one", () => {
    const findings = check(eksVersion, (s) => {
      eksCluster(s, "Old", { version: "1.29" });
      eksCluster(s, "Unpinned", { version: undefined });
    });
    expect(paths(findings)).toEqual(["test/Old", "test/Unpinned"]);
    expect(findings.find((f) => f.path === "test/Old")?.detail).toContain('"1.29" is not one of');
  });

  it("accepts every supported version", () => {
    const findings = check(eksVersion, (s) => {
      for (const v of SUPPORTED_KUBERNETES_VERSIONS) eksCluster(s, `V${v.replace(".", "")}`, { version: v });
    });
    expect(findings).toEqual([]);
  });
});
