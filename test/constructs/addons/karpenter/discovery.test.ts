import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { EMBEDDED_DEFAULT } from "../../../../config/presets";
import {
  KARPENTER_DISCOVERY_TAG,
  karpenterDiscoveryTags,
} from "../../../../constructs/addons/karpenter/discovery";
import { EksCluster } from "../../../../constructs/cluster/eks-cluster";
import { Network } from "../../../../constructs/network/network";
import { synthPlatform } from "../../../support/platform";
import { resourcesOf, type SynthJson, synthStack } from "../../../support/synth";
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

/** The discovery tag values on the foundation's subnets (by Name) and its aws_ec2_tag resources. */
function foundationDiscovery(foundation: SynthJson) {
  const subnets = Object.values(resourcesOf(foundation, "aws_subnet")).map(
    (s) => s.tags as Record<string, string>,
  );
  return {
    subnets: subnets.map((t) => [t.Name, t[KARPENTER_DISCOVERY_TAG]]),
    // Without the `//` construct-path metadata of a full synth.
    ec2Tags: Object.values(resourcesOf(foundation, "aws_ec2_tag")).map(({ resource_id, key, value }) => ({
      resource_id,
      key,
      value,
    })),
  };
}

describe("Karpenter discovery tags in the foundation", () => {
  it("tags the private subnets and the cluster security group when the autoscaler is karpenter (default)", () => {
    const { foundation } = synthPlatform();
    const { subnets, ec2Tags } = foundationDiscovery(foundation);
    for (const [name, value] of subnets) {
      expect(value, name).toBe(String(name).includes("-private-") ? "mlops-dev" : undefined);
    }
    const clusterId = Object.keys(resourcesOf(foundation, "aws_eks_cluster"))[0];
    expect(ec2Tags).toEqual([
      {
        resource_id: `\${aws_eks_cluster.${clusterId}.vpc_config[0].cluster_security_group_id}`,
        key: KARPENTER_DISCOVERY_TAG,
        value: "mlops-dev",
      },
    ]);
  });

  it("adds none when the autoscaler is none", () => {
    const { foundation } = synthPlatform({ ...EMBEDDED_DEFAULT, capacity: { autoscaler: "none" } });
    const { subnets, ec2Tags } = foundationDiscovery(foundation);
    expect(subnets.length).toBeGreaterThan(0);
    for (const [, value] of subnets) expect(value).toBeUndefined();
    expect(ec2Tags).toEqual([]);
  });

  it("tags bring-your-own private subnets through aws_ec2_tag (byo-vpc example with Karpenter)", () => {
    const byo = JSON.parse(
      readFileSync(
        join(import.meta.dirname, "..", "..", "..", "..", "examples", "configs", "byo-vpc.json"),
        "utf8",
      ),
    ) as { network: { privateSubnetIds: string[] } };
    const { foundation } = synthPlatform({ ...byo, capacity: { autoscaler: "karpenter" } });
    const subnetTags = foundationDiscovery(foundation).ec2Tags.filter((t) =>
      String(t.resource_id).startsWith("subnet-"),
    );
    expect(subnetTags).toEqual(
      byo.network.privateSubnetIds.map((id) => ({
        resource_id: id,
        key: KARPENTER_DISCOVERY_TAG,
        value: "shared-staging",
      })),
    );
  });
});
