import { describe, expect, it } from "vitest";
import { eksEndpoint } from "../../../../constructs/policy";
import { eksCluster } from "../eks-fixture";
import { check, paths } from "../harness";

describe("MLOPS-EKS-001 EKS endpoint", () => {
  it("flags a public endpoint open to 0.0.0.0/0, one left at EKS's public default, and no private access", () => {
    const findings = check(eksEndpoint, (s) => {
      eksCluster(s, "Open", {
        vpcConfig: {
          subnetIds: ["subnet-1"],
          endpointPrivateAccess: true,
          endpointPublicAccess: true,
          publicAccessCidrs: ["10.0.0.0/8", "0.0.0.0/0"],
        },
      });
      eksCluster(s, "PublicDefault", { vpcConfig: { subnetIds: ["subnet-1"] } });
    });
    expect(paths(findings)).toEqual(["test/Open", "test/PublicDefault", "test/PublicDefault"]);
    expect(findings.find((f) => f.path === "test/Open")?.detail).toBe(
      "public_access_cidrs contains 0.0.0.0/0",
    );
    expect(findings.filter((f) => f.path === "test/PublicDefault").map((f) => f.detail)).toEqual([
      "vpc_config.endpoint_private_access is not true (nodes reach the API over the internet)",
      "the endpoint is public and public_access_cidrs is unset (EKS defaults to 0.0.0.0/0)",
    ]);
  });

  it("accepts a private endpoint and a public one with a CIDR allow-list", () => {
    const findings = check(eksEndpoint, (s) => {
      eksCluster(s, "Private");
      eksCluster(s, "AllowList", {
        vpcConfig: {
          subnetIds: ["subnet-1"],
          endpointPrivateAccess: true,
          endpointPublicAccess: true,
          publicAccessCidrs: ["203.0.113.0/24"],
        },
      });
    });
    expect(findings).toEqual([]);
  });
});
