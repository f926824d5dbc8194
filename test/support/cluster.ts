import type { Construct } from "constructs";
import { ClusterContext } from "../../constructs/cluster/cluster-context";
import type { AddOnContext, DataLakeRef, PlatformInfo, PolicyStatement } from "../../constructs/core/addon";

/** A cluster context built from literal values, as the platform stack builds it from the foundation's outputs. */
export function testClusterContext(scope: Construct): ClusterContext {
  return ClusterContext.create(scope, "Cluster", {
    clusterName: "acme-dev",
    endpoint: "https://ABCDEF.gr7.eu-west-1.eks.amazonaws.com",
    certificateAuthorityData: "LS0tLS1CRUdJTi0tLS0t",
    oidcIssuerUrl: "https://oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF0123456789",
    oidcProviderArn:
      "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF0123456789",
    clusterSecurityGroupId: "sg-0123456789abcdef0",
    vpcId: "vpc-0123456789abcdef0",
    privateSubnetIds: ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"],
    kmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555",
    kubernetesVersion: "1.34",
    region: "eu-west-1",
  });
}

export const TEST_PLATFORM: PlatformInfo = {
  name: "acme",
  environment: "dev",
  region: "eu-west-1",
  prefix: "acme-dev",
  sandbox: false,
  tags: { team: "platform" },
  vpcId: "vpc-0123456789abcdef0",
  vpcCidr: "10.0.0.0/16",
  privateSubnetIds: ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"],
};

/** A data lake reference with fixed bucket names; statements are scoped like the real DataLake's. */
export const TEST_DATA_LAKE: DataLakeRef = {
  kmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/99999999-2222-3333-4444-555555555555",
  buckets: Object.fromEntries(
    ["raw", "curated", "features", "models"].map((z) => [
      z,
      {
        bucketName: `acme-dev-${z}-123456789012-eu-west-1`,
        bucketArn: `arn:aws:s3:::acme-dev-${z}-123456789012-eu-west-1`,
      },
    ]),
  ),
  policyStatements(access, zone = "raw", prefix = ""): PolicyStatement[] {
    const arn = `arn:aws:s3:::acme-dev-${zone}-123456789012-eu-west-1`;
    const objectActions =
      access === "read" ? ["s3:GetObject"] : ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"];
    return [
      {
        effect: "Allow",
        actions: ["s3:ListBucket"],
        resources: [arn],
        condition: [{ test: "StringLike", variable: "s3:prefix", values: [`${prefix}*`] }],
      },
      { effect: "Allow", actions: objectActions, resources: [`${arn}/${prefix}*`] },
    ];
  },
};

export function baseAddOnContext(
  scope: Construct,
): Omit<AddOnContext, "scope" | "has" | "outputsOf" | "manifest"> {
  return { cluster: testClusterContext(scope), platform: TEST_PLATFORM, dataLake: TEST_DATA_LAKE };
}
