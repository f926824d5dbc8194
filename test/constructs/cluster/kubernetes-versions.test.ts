import { describe, expect, it } from "vitest";
import {
  DEFAULT_KUBERNETES_VERSION,
  SUPPORTED_KUBERNETES_VERSIONS,
  validateKubernetesVersion,
} from "../../../constructs/cluster";

describe("Kubernetes versions", () => {
  it("list minor versions in ascending order with the default among them", () => {
    expect(SUPPORTED_KUBERNETES_VERSIONS).toContain(DEFAULT_KUBERNETES_VERSION);
    const minors = SUPPORTED_KUBERNETES_VERSIONS.map((v) => Number(v.split(".")[1]));
    expect(minors).toEqual([...minors].sort((a, b) => a - b));
    for (const v of SUPPORTED_KUBERNETES_VERSIONS) expect(v).toMatch(/^1\.\d+$/);
  });

  it("leave out 1.31, whose EKS extended support ends on 2026-11-26", () => {
    expect(SUPPORTED_KUBERNETES_VERSIONS).not.toContain("1.31");
  });

  it("fails when a version is not supported, naming the prop and the list", () => {
    expect(() => validateKubernetesVersion("cluster.kubernetesVersion", "1.29")).toThrow(
      /Invalid cluster\.kubernetesVersion: got "1\.29"; expected a Kubernetes minor version EKS supports: 1\.32/,
    );
    expect(() => validateKubernetesVersion("v", DEFAULT_KUBERNETES_VERSION)).not.toThrow();
  });
});
