import { describe, expect, it } from "vitest";
import { parsePlatformConfig } from "../../config";
import { configProblems } from "../support/errors";

const OIDC = "arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE";

/** An existing cluster in an existing VPC, without node pools of the kit's (autoscaler none). */
const byo = (cluster: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) => ({
  name: "acme",
  environment: "dev",
  region: "eu-west-1",
  network: {
    createVpc: false,
    vpcId: "vpc-0123456789abcdef0",
    vpcCidr: "10.42.0.0/16",
    privateSubnetIds: ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"],
  },
  cluster: { create: false, name: "shared-eks", ...cluster },
  capacity: { autoscaler: "none" },
  ...extra,
});
const problemsOf = (doc: unknown) => configProblems(() => parsePlatformConfig(doc, "byo.yaml"));

describe("bring-your-own cluster configuration (cluster.create: false)", () => {
  it("creates the cluster by default", () => {
    const c = parsePlatformConfig({
      name: "acme",
      environment: "dev",
      region: "eu-west-1",
      preset: "minimal",
    });
    expect(c.cluster.create).toBe(true);
    expect(c.cluster.oidcProviderArn).toBeUndefined();
  });

  it("accepts an existing cluster with no node pool of the kit's when nothing autoscales", () => {
    const c = parsePlatformConfig(byo({ oidcProviderArn: OIDC }));
    expect(c.cluster).toMatchObject({ create: false, name: "shared-eks", oidcProviderArn: OIDC });
    expect(c.nodePools).toEqual({});
  });

  it("fails when the existing cluster has no name, at cluster.name", () => {
    expect(problemsOf(byo({ name: undefined }))).toEqual([
      "cluster.name: got nothing; required when create is false: the name of your EKS cluster",
    ]);
  });

  it("fails when the kit would create a VPC for a cluster that already has one, at network.createVpc", () => {
    const doc = { ...byo(), network: {} };
    expect(problemsOf(doc)).toEqual([
      expect.stringMatching(/^network\.createVpc: got true; must be false when cluster\.create is false/),
    ]);
  });

  it("fails when settings that shape a created cluster are set on an existing one, at their paths", () => {
    const problems = problemsOf(
      byo({
        endpointPublicAccess: true,
        publicAccessCidrs: ["203.0.113.0/24"],
        adminPrincipalArns: ["arn:aws:iam::111122223333:role/admin"],
      }),
    );
    expect(problems).toEqual([
      expect.stringMatching(/^cluster\.endpointPublicAccess: got true; only allowed with create: true/),
      expect.stringMatching(/^cluster\.adminPrincipalArns: got \[.*\]; only allowed with create: true/),
    ]);
  });

  it("fails when an OIDC provider is given for a cluster the kit creates, or is not an OIDC provider ARN", () => {
    const created = {
      name: "acme",
      environment: "dev",
      region: "eu-west-1",
      preset: "minimal",
      cluster: { oidcProviderArn: OIDC },
    };
    expect(problemsOf(created)).toEqual([
      expect.stringMatching(/^cluster\.oidcProviderArn: got .*; only allowed with create: false/),
    ]);
    expect(problemsOf(byo({ oidcProviderArn: "arn:aws:iam::111122223333:role/oidc" }))).toEqual([
      expect.stringMatching(/^cluster\.oidcProviderArn: .*expected an IAM OIDC provider ARN/),
    ]);
  });

  it("still needs a managed system pool when Karpenter runs in the existing cluster", () => {
    const problems = problemsOf({ ...byo(), capacity: { autoscaler: "karpenter" } });
    expect(problems).toEqual(
      expect.arrayContaining([expect.stringMatching(/^nodePools: .*at least one managed non-GPU pool/)]),
    );
  });
});
