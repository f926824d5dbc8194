import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { TerraformStack, Testing } from "cdktf";
import { describe, expect, it } from "vitest";
import { Gp3StorageClass } from "../../../constructs/addons/gp3-storage-class";
import { ClusterContext, EksCluster, eksTokenExec } from "../../../constructs/cluster";
import { testClusterContext } from "../../support/cluster";
import { type SynthJson, synthStack } from "../../support/synth";
import { BASE_PROPS } from "./fixtures";

const EXPECTED_ARGS = [
  "eks",
  "get-token",
  "--cluster-name",
  "acme-dev",
  "--region",
  "eu-west-1",
  "--output",
  "json",
];

/** Terraform decodes the base64 CA EKS returns; built by concatenation so it is not mistaken for a template. */
const CA_EXPRESSION = ["$", '{base64decode("LS0tLS1CRUdJTi0tLS0t")}'].join("");

describe("ClusterContext", () => {
  const json = synthStack((stack) => {
    testClusterContext(stack);
  });

  it("configures the kubernetes provider with the endpoint, CA and an aws eks get-token exec", () => {
    const [kubernetes] = (json.provider?.kubernetes ?? []) as Record<string, unknown>[];
    expect(kubernetes).toEqual({
      host: "https://ABCDEF.gr7.eu-west-1.eks.amazonaws.com",
      cluster_ca_certificate: CA_EXPRESSION,
      exec: [{ api_version: "client.authentication.k8s.io/v1beta1", command: "aws", args: EXPECTED_ARGS }],
    });
  });

  it("configures the helm provider's kubernetes attribute object the same way", () => {
    const [helm] = (json.provider?.helm ?? []) as Record<string, unknown>[];
    expect(helm).toEqual({
      kubernetes: {
        host: "https://ABCDEF.gr7.eu-west-1.eks.amazonaws.com",
        cluster_ca_certificate: CA_EXPRESSION,
        exec: { api_version: "client.authentication.k8s.io/v1beta1", command: "aws", args: EXPECTED_ARGS },
      },
    });
  });

  it("adds --role-arn, CLI environment and a provider alias when asked", () => {
    const exec = eksTokenExec({
      clusterName: "c",
      region: "us-east-1",
      authRoleArn: "arn:aws:iam::123456789012:role/deployer",
      authEnv: { AWS_PROFILE: "platform" },
    });
    expect(exec.args.slice(-2)).toEqual(["--role-arn", "arn:aws:iam::123456789012:role/deployer"]);
    expect(exec.env).toEqual({ AWS_PROFILE: "platform" });
    const aliased = synthStack((stack) => {
      ClusterContext.create(stack, "Other", { ...contextValues(), providerAlias: "other" });
    });
    expect(aliased.provider?.kubernetes?.[0]).toMatchObject({ alias: "other" });
    expect(aliased.provider?.helm?.[0]).toMatchObject({ alias: "other" });
  });

  it("exposes the values it was built from and defaults preventDestroy to true", () => {
    synthStack((stack) => {
      const ctx = testClusterContext(stack);
      expect(ctx.clusterName).toBe("acme-dev");
      expect(ctx.kubernetesVersion).toBe("1.34");
      expect(ctx.privateSubnetIds).toHaveLength(2);
      expect(ctx.preventDestroy).toBe(true);
      expect(ctx.tags).toEqual({});
    });
  });

  it("creates IRSA roles for the cluster's OIDC provider", () => {
    const roles = synthStack((stack) => {
      testClusterContext(stack).serviceAccountRole("Role", {
        mode: "irsa",
        namespace: "kserve",
        serviceAccount: "controller",
      });
    });
    const docs = Object.values(roles.data?.aws_iam_policy_document ?? {}) as {
      statement: {
        principals: { identifiers: string[] }[];
        condition: { variable: string; values: string[] }[];
      }[];
    }[];
    const statement = docs[0]?.statement[0];
    expect(statement?.principals[0]?.identifiers[0]).toMatch(/:oidc-provider\/oidc\.eks\.eu-west-1/);
    expect(statement?.condition[0]).toMatchObject({
      variable: "oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF0123456789:sub",
      values: ["system:serviceaccount:kserve:controller"],
    });
  });

  it("is built in a second stack from the foundation stack's cluster (cross-stack references)", () => {
    const app = Testing.app();
    const foundation = new TerraformStack(app, "foundation");
    new AwsProvider(foundation, "aws", { region: "eu-west-1" });
    const eks = new EksCluster(foundation, "Eks", BASE_PROPS);
    const platform = new TerraformStack(app, "platform");
    new AwsProvider(platform, "aws", { region: "eu-west-1" });
    const ctx = ClusterContext.create(platform, "Cluster", eks.contextProps());
    new Gp3StorageClass(platform, "Gp3", { context: ctx });
    app.synth();
    const read = (name: string) =>
      JSON.parse(Testing.synth(name === "platform" ? platform : foundation)) as SynthJson;
    const platformJson = read("platform");
    const [kubernetes] = (platformJson.provider?.kubernetes ?? []) as Record<string, unknown>[];
    // The endpoint crosses stacks as a remote-state output, not as a resource address of the other stack.
    expect(String(kubernetes?.host)).toMatch(/^\$\{data\.terraform_remote_state\.[^.]+\.outputs\./);
    expect(JSON.stringify(platformJson.resource ?? {})).not.toContain("aws_eks_cluster.");
    expect(Object.keys(read("foundation").output ?? {}).length).toBeGreaterThan(0);
  });
});

function contextValues() {
  return {
    clusterName: "acme-dev",
    endpoint: "https://example.eks.amazonaws.com",
    certificateAuthorityData: "Y2E=",
    oidcIssuerUrl: "https://oidc.eks.eu-west-1.amazonaws.com/id/X",
    oidcProviderArn: "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/X",
    clusterSecurityGroupId: "sg-0123456789abcdef0",
    vpcId: "vpc-0123456789abcdef0",
    privateSubnetIds: ["subnet-aaaa1111", "subnet-bbbb2222"],
    kmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/x",
    kubernetesVersion: "1.35",
    region: "eu-west-1",
  };
}
