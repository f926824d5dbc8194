import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { TerraformStack, Testing } from "cdktf";
import { describe, expect, it } from "vitest";
import {
  ClusterContext,
  ExistingEksCluster,
  type ExistingEksClusterProps,
} from "../../../constructs/cluster";
import { resourcesOf, type SynthJson, synthStack } from "../../support/synth";

const PROPS: ExistingEksClusterProps = {
  clusterName: "shared-eks",
  kubernetesVersion: "1.34",
  vpcId: "vpc-0123456789abcdef0",
  subnetIds: ["subnet-aaaa1111", "subnet-bbbb2222"],
};
const OIDC = "arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE";

function synthExisting(
  props: Partial<ExistingEksClusterProps> = {},
  after?: (cluster: ExistingEksCluster) => void,
): SynthJson {
  return synthStack((stack) => {
    const cluster = new ExistingEksCluster(stack, "Eks", { ...PROPS, ...props });
    after?.(cluster);
  });
}

const dataOf = (json: SynthJson, type: string) => json.data?.[type] ?? {};
const onlyData = (json: SynthJson, type: string) => {
  const all = Object.entries(dataOf(json, type));
  expect(all, type).toHaveLength(1);
  return all[0] as [string, Record<string, unknown>];
};

describe("ExistingEksCluster (bring your own cluster)", () => {
  const json = synthExisting();

  it("reads the cluster by name and creates no cluster, OIDC provider, role or access entry", () => {
    const [, cluster] = onlyData(json, "aws_eks_cluster");
    expect(cluster.name).toBe("shared-eks");
    for (const type of [
      "aws_eks_cluster",
      "aws_iam_openid_connect_provider",
      "aws_iam_role",
      "aws_eks_access_entry",
      "aws_eks_addon",
      "aws_cloudwatch_log_group",
    ]) {
      expect(resourcesOf(json, type), type).toEqual({});
    }
  });

  it("fails the plan when the cluster runs another version, sits in another VPC or has no access entries", () => {
    const [, cluster] = onlyData(json, "aws_eks_cluster");
    const conditions = (
      cluster.lifecycle as { postcondition: { condition: string; error_message: string }[] }
    ).postcondition.map((p) => p.condition);
    expect(conditions).toEqual([
      `\${self.version == "1.34"}`,
      `\${self.vpc_config[0].vpc_id == "vpc-0123456789abcdef0"}`,
      `\${self.access_config[0].authentication_mode != "CONFIG_MAP"}`,
    ]);
  });

  it("looks the OIDC provider up by the cluster's issuer URL, and requires the Pod Identity agent", () => {
    const [clusterId] = onlyData(json, "aws_eks_cluster");
    const [, oidc] = onlyData(json, "aws_iam_openid_connect_provider");
    expect(oidc.url).toBe(`\${data.aws_eks_cluster.${clusterId}.identity[0].oidc[0].issuer}`);
    const [, agent] = onlyData(json, "aws_eks_addon");
    expect(agent).toMatchObject({ cluster_name: "shared-eks", addon_name: "eks-pod-identity-agent" });
  });

  it("uses a given OIDC provider and key instead of looking one up or creating one", () => {
    const given = synthExisting({
      oidcProviderArn: OIDC,
      kmsKeyArn: "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
      requirePodIdentityAgent: false,
    });
    expect(dataOf(given, "aws_iam_openid_connect_provider")).toEqual({});
    expect(dataOf(given, "aws_eks_addon")).toEqual({});
    expect(resourcesOf(given, "aws_kms_key")).toEqual({});
  });

  it("creates a rotating platform key, protected from destroy, when none is given", () => {
    const keys = Object.values(resourcesOf(json, "aws_kms_key"));
    expect(keys).toHaveLength(1);
    expect(keys[0]?.enable_key_rotation).toBe(true);
    expect(keys[0]?.lifecycle).toMatchObject({ prevent_destroy: true });
  });

  it("tags the cluster security group and adds node pools to the existing cluster", () => {
    const tagged = synthExisting({
      clusterSecurityGroupTags: { "karpenter.sh/discovery": "shared-eks" },
      nodePools: { system: { instanceTypes: ["m7i.large"], minSize: 2, maxSize: 3 } },
    });
    const [clusterId] = onlyData(tagged, "aws_eks_cluster");
    const [tag] = Object.values(resourcesOf(tagged, "aws_ec2_tag"));
    expect(tag).toMatchObject({
      resource_id: `\${data.aws_eks_cluster.${clusterId}.vpc_config[0].cluster_security_group_id}`,
      key: "karpenter.sh/discovery",
    });
    const [group] = Object.values(resourcesOf(tagged, "aws_eks_node_group"));
    expect(group?.cluster_name).toBe(`\${data.aws_eks_cluster.${clusterId}.name}`);
    expect(group?.subnet_ids).toEqual(PROPS.subnetIds);
  });

  it("gives ClusterContext the same facts as a created cluster, from the data sources", () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, "byo");
    new AwsProvider(stack, "aws", { region: "eu-west-1" });
    const cluster = new ExistingEksCluster(stack, "Eks", PROPS);
    const context = ClusterContext.create(stack, "Context", cluster.contextProps());
    const role = context.serviceAccountRole("Reader", {
      namespace: "apps",
      serviceAccount: "reader",
      mode: "irsa",
    });
    expect(role.mode).toBe("irsa");
    const synthesized = JSON.parse(Testing.synth(stack)) as SynthJson;
    const [clusterId] = onlyData(synthesized, "aws_eks_cluster");
    const kubernetes = (synthesized.provider?.kubernetes ?? [])[0] as Record<string, unknown>;
    expect(kubernetes.host).toBe(`\${data.aws_eks_cluster.${clusterId}.endpoint}`);
    const trust = JSON.stringify(synthesized.data?.aws_iam_policy_document ?? {});
    expect(trust).toContain("data.aws_iam_openid_connect_provider.");
    expect(trust).toContain("system:serviceaccount:apps:reader");
  });

  it("fails when the cluster has no name or no subnets", () => {
    expect(() => synthExisting({ clusterName: "" })).toThrow(/Invalid clusterName: got ""; expected/);
    expect(() => synthExisting({ subnetIds: [] })).toThrow(/Invalid subnetIds: got \[\]; expected/);
  });
});
