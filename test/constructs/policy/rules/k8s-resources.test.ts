import { describe, expect, it } from "vitest";
import { k8sResources } from "../../../../constructs/policy";
import { check, paths } from "../harness";
import { deployment, job } from "../k8s-fixture";

describe("MLOPS-K8S-002 requests and memory limit", () => {
  it("flags containers without resources, in Deployments and Jobs", () => {
    const findings = check(k8sResources, (s) => {
      deployment(s, "Greedy", { resources: false });
      job(s, "GreedyJob", { resources: false });
    });
    expect(paths(findings)).toEqual(["test/Greedy", "test/GreedyJob"]);
    expect(findings[0].detail).toBe("container main: missing requests.cpu, requests.memory, limits.memory");
  });

  it("accepts requests and a memory limit", () => {
    expect(check(k8sResources, (s) => deployment(s, "Good"))).toEqual([]);
  });
});
