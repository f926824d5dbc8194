import { describe, expect, it } from "vitest";
import { synthPlatform } from "../support/platform";
import { resourcesOf } from "../support/synth";

/** An existing cluster with Karpenter: the kit adds its managed system pool and the discovery tags. */
const DOC = {
  name: "acme",
  environment: "dev",
  region: "eu-west-1",
  network: {
    createVpc: false,
    vpcId: "vpc-0123456789abcdef0",
    vpcCidr: "10.42.0.0/16",
    privateSubnetIds: ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"],
  },
  cluster: { create: false, name: "shared-eks", kubernetesVersion: "1.34" },
  nodePools: {
    system: { instanceTypes: ["m7i.large"], minSize: 2, maxSize: 3, labels: { "mlops.io/pool": "system" } },
    batch: {
      provisioner: "karpenter",
      instanceTypes: ["m7i.2xlarge"],
      capacityTypes: ["spot"],
      limits: { cpu: 64, memory: "256Gi" },
    },
  },
};

describe("FoundationStack with an existing cluster (cluster.create: false) and Karpenter", () => {
  const out = synthPlatform(DOC);
  const [clusterId] = Object.keys(out.foundation.data?.aws_eks_cluster ?? {});

  it("adds the managed system pool to the existing cluster, not a new one", () => {
    expect(resourcesOf(out.foundation, "aws_eks_cluster")).toEqual({});
    const groups = Object.values(resourcesOf(out.foundation, "aws_eks_node_group"));
    expect(groups).toHaveLength(1);
    expect(groups[0]?.cluster_name).toBe(`\${data.aws_eks_cluster.${clusterId}.name}`);
    expect(groups[0]?.subnet_ids).toEqual(DOC.network.privateSubnetIds);
  });

  it("tags the existing cluster's security group and the subnets for Karpenter's discovery", () => {
    const tags = Object.values(resourcesOf(out.foundation, "aws_ec2_tag")).filter(
      (t) => t.key === "karpenter.sh/discovery",
    );
    expect(tags.map((t) => t.resource_id).sort()).toEqual(
      [
        `\${data.aws_eks_cluster.${clusterId}.vpc_config[0].cluster_security_group_id}`,
        ...DOC.network.privateSubnetIds,
      ].sort(),
    );
    expect(new Set(tags.map((t) => t.value))).toEqual(new Set([DOC.cluster.name]));
  });

  it("installs Karpenter into the existing cluster with its nodes' access entry", () => {
    const releases = Object.values(resourcesOf(out.platform, "helm_release")).map((r) => r.chart);
    expect(releases).toEqual(expect.arrayContaining(["karpenter"]));
    const entries = Object.values(resourcesOf(out.platform, "aws_eks_access_entry"));
    expect(entries.map((e) => e.type)).toContain("EC2_LINUX");
    for (const e of entries) expect(String(e.cluster_name)).toMatch(/aws_eks_cluster/);
  });
});
