import { describe, expect, it } from "vitest";
import {
  KARPENTER_DISCOVERY_TAG,
  karpenterDiscoveryTags,
} from "../../../../constructs/addons/karpenter/discovery";
import { EksCluster } from "../../../../constructs/cluster/eks-cluster";
import { Network } from "../../../../constructs/network/network";
import { resourcesOf, synthStack } from "../../../support/synth";
import { BASE_PROPS } from "../../cluster/fixtures";

const discovery = karpenterDiscoveryTags("acme-dev");

describe("Karpenter discovery tags", () => {
  it("are karpenter.sh/discovery = <cluster name>, what EC2NodeClass selector terms match", () => {
    expect(KARPENTER_DISCOVERY_TAG).toBe("karpenter.sh/discovery");
    expect(discovery).toEqual({ "karpenter.sh/discovery": "acme-dev" });
  });

  it("go on the private subnets the Network creates, not on the public ones", () => {
    const json = synthStack((stack) => {
      new Network(stack, "Network", { clusterName: "acme-dev", privateSubnetDiscoveryTags: discovery });
    });
    const subnets = Object.entries(resourcesOf(json, "aws_subnet"));
    const privateSubnets = subnets.filter(([id]) => id.includes("PrivateSubnet"));
    const publicSubnets = subnets.filter(([id]) => id.includes("PublicSubnet"));
    expect(privateSubnets).toHaveLength(3);
    for (const [, s] of privateSubnets) {
      expect(s.tags).toEqual(expect.objectContaining({ "karpenter.sh/discovery": "acme-dev" }));
    }
    for (const [, s] of publicSubnets) expect(s.tags).not.toHaveProperty("karpenter.sh/discovery");
    expect(resourcesOf(json, "aws_ec2_tag")).toEqual({});
  });

  it("go on bring-your-own private subnets as one aws_ec2_tag each (only that key is managed)", () => {
    const json = synthStack((stack) => {
      new Network(stack, "Network", {
        createVpc: false,
        vpcId: "vpc-0abc123",
        vpcCidr: "10.50.0.0/16",
        privateSubnetIds: ["subnet-0a1", "subnet-0b2"],
        publicSubnetIds: ["subnet-0c3"],
        privateSubnetDiscoveryTags: discovery,
      });
    });
    const tags = Object.values(resourcesOf(json, "aws_ec2_tag"));
    expect(tags).toEqual([
      { resource_id: "subnet-0a1", key: "karpenter.sh/discovery", value: "acme-dev" },
      { resource_id: "subnet-0b2", key: "karpenter.sh/discovery", value: "acme-dev" },
    ]);
  });

  it("go on the cluster security group EKS creates, through aws_ec2_tag", () => {
    const json = synthStack((stack) => {
      new EksCluster(stack, "Eks", { ...BASE_PROPS, clusterSecurityGroupTags: karpenterDiscoveryTags("ml") });
    });
    const clusterId = Object.keys(resourcesOf(json, "aws_eks_cluster"))[0];
    expect(Object.values(resourcesOf(json, "aws_ec2_tag"))).toEqual([
      {
        resource_id: `\${aws_eks_cluster.${clusterId}.vpc_config[0].cluster_security_group_id}`,
        key: "karpenter.sh/discovery",
        value: "ml",
      },
    ]);
  });

  it("are not added unless asked for", () => {
    const json = synthStack((stack) => {
      const network = new Network(stack, "Network", {
        createVpc: false,
        vpcId: "vpc-0abc123",
        vpcCidr: "10.50.0.0/16",
        privateSubnetIds: ["subnet-0a1", "subnet-0b2"],
      });
      new EksCluster(stack, "Eks", { ...BASE_PROPS, subnetIds: network.privateSubnetIds });
    });
    expect(resourcesOf(json, "aws_ec2_tag")).toEqual({});
  });
});
