import { describe, expect, it } from "vitest";
import { eksSecretsEncryption } from "../../../../constructs/policy";
import { eksCluster } from "../eks-fixture";
import { check, paths } from "../harness";

describe("MLOPS-EKS-002 EKS secrets encryption", () => {
  it("flags a cluster without encryption_config", () => {
    const findings = check(eksSecretsEncryption, (s) => {
      eksCluster(s, "Plain", { encryptionConfig: undefined });
    });
    expect(paths(findings)).toEqual(["test/Plain"]);
    expect(findings[0].detail).toBe("no encryption_config");
  });

  it("accepts secrets encrypted with a KMS key", () => {
    expect(check(eksSecretsEncryption, (s) => eksCluster(s, "Good"))).toEqual([]);
  });
});
