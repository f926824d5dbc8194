import { describe, expect, it } from "vitest";
import { GPU_TAINT, NODE_ROLE_POLICIES, NodePool, type NodePoolOptions } from "../../../constructs/cluster";
import { expectDependsOn } from "../../support/depends-on";
import { onlyResource, resourcesOf, synthStack } from "../../support/synth";
import { addressOf, policyDocumentStatements, resourceNamed, synthCluster } from "./fixtures";

const KEY = "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555";

/** A standalone NodePool (no EksCluster), so each test sees exactly one node group and launch template. */
function synthPool(options: NodePoolOptions, poolName = "pool") {
  return synthStack((stack) => {
    new NodePool(stack, "Pool", {
      ...options,
      poolName,
      clusterName: "ml",
      kubernetesVersion: "1.35",
      clusterSubnetIds: ["subnet-aaaa1111", "subnet-bbbb2222"],
      kmsKeyArn: KEY,
    });
  });
}

type Ebs = Record<string, unknown>;
const devices = (lt: Record<string, unknown>) =>
  lt.block_device_mappings as { device_name: string; ebs: Ebs }[];

describe("NodePool", () => {
  const json = synthPool({ instanceTypes: ["m7i.2xlarge"], minSize: 2, maxSize: 6, desiredSize: 3 });
  const lt = onlyResource(json, "aws_launch_template");
  const group = onlyResource(json, "aws_eks_node_group");

  it("creates aws_eks_node_group after every aws_iam_role_policy_attachment of its node role (nodes join with them)", () => {
    const edges = expectDependsOn(
      json,
      { type: "aws_eks_node_group" },
      { type: "aws_iam_role_policy_attachment", id: /^Pool_NodeRole-/ },
    );
    expect(edges).toBe(NODE_ROLE_POLICIES.length);
  });

  it("requires IMDSv2 with a hop limit of 1 by default", () => {
    expect(lt.metadata_options).toEqual({
      http_endpoint: "enabled",
      http_tokens: "required",
      http_put_response_hop_limit: 1,
      instance_metadata_tags: "disabled",
    });
  });

  it("allows a hop limit of 2 when the pool opts in", () => {
    const two = onlyResource(synthPool({ httpPutResponseHopLimit: 2 }), "aws_launch_template");
    expect((two.metadata_options as Record<string, unknown>).http_put_response_hop_limit).toBe(2);
    expect((two.metadata_options as Record<string, unknown>).http_tokens).toBe("required");
  });

  it("encrypts the gp3 root volume with the cluster key", () => {
    expect(devices(lt)).toEqual([
      {
        device_name: "/dev/xvda",
        ebs: {
          volume_type: "gp3",
          // DEFAULT_DISK_SIZE_GIB.standard: the same default the configuration documents.
          volume_size: 100,
          encrypted: "true",
          kms_key_id: KEY,
          delete_on_termination: "true",
        },
      },
    ]);
    const big = onlyResource(synthPool({ diskSizeGiB: 500 }), "aws_launch_template");
    expect(devices(big)[0]?.ebs.volume_size).toBe(500);
  });

  it("encrypts both Bottlerocket volumes and sizes the data volume", () => {
    const br = onlyResource(
      synthPool({ amiType: "BOTTLEROCKET_x86_64", diskSizeGiB: 80 }),
      "aws_launch_template",
    );
    const [os, data] = devices(br);
    expect(os?.device_name).toBe("/dev/xvda");
    expect(os?.ebs).toMatchObject({ encrypted: "true", kms_key_id: KEY, volume_type: "gp3" });
    expect(os?.ebs.volume_size).toBeUndefined();
    expect(data).toEqual({
      device_name: "/dev/xvdb",
      ebs: {
        volume_type: "gp3",
        volume_size: 80,
        encrypted: "true",
        kms_key_id: KEY,
        delete_on_termination: "true",
      },
    });
  });

  it("tags instances, volumes and ENIs launched from the template", () => {
    const tagged = onlyResource(synthPool({ tags: { team: "ml" } }), "aws_launch_template");
    const specs = tagged.tag_specifications as { resource_type: string; tags: Record<string, string> }[];
    expect(specs.map((s) => s.resource_type)).toEqual(["instance", "volume", "network-interface"]);
    for (const spec of specs) expect(spec.tags).toEqual({ team: "ml", Name: "ml-pool" });
  });

  it("builds the managed node group through the launch template", () => {
    expect(group.launch_template).toEqual({
      id: `\${${addressOf(json, "aws_launch_template", "LaunchTemplate")}.id}`,
      version: `\${${addressOf(json, "aws_launch_template", "LaunchTemplate")}.latest_version}`,
    });
    expect(group.disk_size).toBeUndefined();
    expect(group).toMatchObject({
      cluster_name: "ml",
      version: "1.35",
      ami_type: "AL2023_x86_64_STANDARD",
      capacity_type: "ON_DEMAND",
      instance_types: ["m7i.2xlarge"],
      scaling_config: { min_size: 2, max_size: 6, desired_size: 3 },
      update_config: { max_unavailable_percentage: 33 },
      node_group_name_prefix: "pool-",
      subnet_ids: ["subnet-aaaa1111", "subnet-bbbb2222"],
    });
  });

  it("leaves desired size to autoscalers after creation", () => {
    expect(group.lifecycle).toEqual({
      ignore_changes: ["scaling_config[0].desired_size"],
      create_before_destroy: true,
    });
  });

  it("applies labels, taints and Spot capacity", () => {
    const custom = onlyResource(
      synthPool({
        capacityType: "SPOT",
        labels: { workload: "batch" },
        taints: [{ key: "dedicated", value: "batch", effect: "NO_EXECUTE" }],
        maxUnavailablePercentage: 50,
      }),
      "aws_eks_node_group",
    );
    expect(custom.capacity_type).toBe("SPOT");
    expect(custom.labels).toEqual({ workload: "batch", "mlops.io/node-pool": "pool" });
    expect(custom.taint).toEqual([{ key: "dedicated", value: "batch", effect: "NO_EXECUTE" }]);
    expect(custom.update_config).toEqual({ max_unavailable_percentage: 50 });
  });

  it("gives nodes a role with worker, ECR read-only and SSM policies but no CNI policy", () => {
    const attached = Object.values(resourcesOf(json, "aws_iam_role_policy_attachment")).map((a) =>
      String(a.policy_arn).replace(/^.*:policy\//, ""),
    );
    expect(attached.sort()).toEqual([...NODE_ROLE_POLICIES].sort());
    expect(attached).not.toContain("AmazonEKS_CNI_Policy");
    const role = onlyResource(json, "aws_iam_role");
    const [trust] = policyDocumentStatements(json, role.assume_role_policy);
    expect(trust?.principals?.[0]?.identifiers[0]).toMatch(/^ec2\./);
    expect(group.node_role_arn).toBe(`\${${addressOf(json, "aws_iam_role", "NodeRole")}.arn}`);
  });

  it("uses a bring-your-own node role and creates none", () => {
    const byo = synthPool({ nodeRoleArn: "arn:aws:iam::123456789012:role/nodes" });
    expect(resourcesOf(byo, "aws_iam_role")).toEqual({});
    expect(onlyResource(byo, "aws_eks_node_group").node_role_arn).toBe(
      "arn:aws:iam::123456789012:role/nodes",
    );
  });

  it("picks the ARM AMI for Graviton instance types", () => {
    const arm = onlyResource(
      synthPool({ instanceTypes: ["m7g.xlarge", "c7g.xlarge"] }),
      "aws_eks_node_group",
    );
    expect(arm.ami_type).toBe("AL2023_ARM_64_STANDARD");
  });
});

describe("NodePool GPU pools", () => {
  const json = synthPool({ gpu: true, instanceTypes: ["g6e.xlarge", "g5.2xlarge"], maxSize: 4 }, "gpu");
  const group = onlyResource(json, "aws_eks_node_group");

  it("use an NVIDIA AMI, the GPU taint and labels, and may scale to zero", () => {
    expect(group.ami_type).toBe("AL2023_x86_64_NVIDIA");
    expect(group.taint).toEqual([{ key: "nvidia.com/gpu", value: "true", effect: "NO_SCHEDULE" }]);
    expect(group.labels).toEqual({
      "mlops.io/node-pool": "gpu",
      "nvidia.com/gpu.present": "true",
      "mlops.io/accelerator": "nvidia",
    });
    expect(group.scaling_config).toEqual({ min_size: 0, max_size: 4, desired_size: 0 });
  });

  it("keep the GPU taint and labels even when the pool sets its own", () => {
    const custom = onlyResource(
      synthPool({
        gpu: true,
        labels: { "nvidia.com/gpu.present": "false", team: "cv" },
        taints: [GPU_TAINT, { key: "team", value: "cv", effect: "NO_SCHEDULE" }],
      }),
      "aws_eks_node_group",
    );
    expect((custom.labels as Record<string, string>)["nvidia.com/gpu.present"]).toBe("true");
    expect((custom.labels as Record<string, string>).team).toBe("cv");
    expect(custom.taint).toEqual([
      { key: "nvidia.com/gpu", value: "true", effect: "NO_SCHEDULE" },
      { key: "team", value: "cv", effect: "NO_SCHEDULE" },
    ]);
  });

  it("mark Bottlerocket NVIDIA nodes, whose host runs the device plugin", () => {
    const br = onlyResource(
      synthPool({ gpu: true, amiType: "BOTTLEROCKET_x86_64_NVIDIA" }),
      "aws_eks_node_group",
    );
    expect(br.ami_type).toBe("BOTTLEROCKET_x86_64_NVIDIA");
    expect((br.labels as Record<string, string>)["mlops.io/nvidia-device-plugin"]).toBe("host");
    expect((group.labels as Record<string, string>)["mlops.io/nvidia-device-plugin"]).toBeUndefined();
  });

  it("get a larger default root volume for CUDA images", () => {
    const lt = onlyResource(json, "aws_launch_template");
    expect(devices(lt)[0]?.ebs.volume_size).toBe(200);
  });
});

describe("NodePool inside EksCluster", () => {
  const json = synthCluster({ nodePools: { system: {}, gpu: { gpu: true } } });

  it("joins nodes only after the node-level add-ons exist", () => {
    const group = resourceNamed(json, "aws_eks_node_group", "NodePool-system");
    expect(group.depends_on).toEqual(
      expect.arrayContaining([
        addressOf(json, "aws_eks_addon", "vpc-cni"),
        addressOf(json, "aws_eks_addon", "kube-proxy"),
        addressOf(json, "aws_eks_addon", "eks-pod-identity-agent"),
      ]),
    );
    expect(group.cluster_name).toMatch(/^\$\{aws_eks_cluster\.[^.]+\.name\}$/);
    expect(group.version).toMatch(/^\$\{aws_eks_cluster\.[^.]+\.version\}$/);
  });

  it("encrypts node volumes with the cluster key", () => {
    const lt = resourceNamed(json, "aws_launch_template", "NodePool-gpu");
    expect(devices(lt)[0]?.ebs.kms_key_id).toMatch(/^\$\{aws_kms_key\.[^.]+\.arn\}$/);
  });
});

describe("NodePool validation", () => {
  it("fails when minSize is greater than maxSize", () => {
    expect(() => synthPool({ minSize: 5, maxSize: 3 })).toThrow(
      /Invalid nodePools\.pool\.minSize: got 5; expected at most maxSize \(3\)/,
    );
  });

  it("fails when desiredSize is outside minSize..maxSize", () => {
    expect(() => synthPool({ minSize: 1, maxSize: 3, desiredSize: 4 })).toThrow(
      /desiredSize: got 4; expected between/,
    );
  });

  it("fails when a GPU pool uses a non-GPU instance type", () => {
    expect(() => synthPool({ gpu: true, instanceTypes: ["m5.large"] }, "gpu")).toThrow(
      /Invalid nodePools\.gpu\.instanceTypes\[0\]: got "m5\.large"; expected an NVIDIA GPU instance type/,
    );
  });

  it("fails when a GPU pool uses AMD GPUs", () => {
    expect(() => synthPool({ gpu: true, instanceTypes: ["g4ad.xlarge"] })).toThrow(/g4ad\.xlarge.*AMD/);
  });

  it("fails when a non-GPU pool uses a GPU instance type", () => {
    expect(() => synthPool({ instanceTypes: ["g5.xlarge"] })).toThrow(/got "g5\.xlarge".*set gpu: true/);
  });

  it("fails when the hop limit is 3", () => {
    expect(() => synthPool({ httpPutResponseHopLimit: 3 as 1 })).toThrow(
      /httpPutResponseHopLimit: got 3; expected 1 \(default\) or 2/,
    );
  });

  it("fails when an NVIDIA AMI is used without gpu, or a GPU pool uses a standard AMI", () => {
    expect(() => synthPool({ amiType: "AL2023_x86_64_NVIDIA" })).toThrow(/amiType.*need gpu: true/);
    expect(() => synthPool({ gpu: true, amiType: "AL2023_x86_64_STANDARD" })).toThrow(/amiType.*NVIDIA AMI/);
  });

  it("fails when the instance architecture does not match the AMI", () => {
    expect(() => synthPool({ instanceTypes: ["m7g.large"], amiType: "AL2023_x86_64_STANDARD" })).toThrow(
      /got "m7g\.large"; expected an x86_64 instance type/,
    );
  });

  it("fails when a taint effect, capacity type or disk size is invalid", () => {
    expect(() => synthPool({ taints: [{ key: "a", effect: "NoSchedule" as "NO_SCHEDULE" }] })).toThrow(
      /taints\[0\]\.effect: got "NoSchedule"/,
    );
    expect(() => synthPool({ capacityType: "RESERVED" as "SPOT" })).toThrow(/capacityType: got "RESERVED"/);
    expect(() => synthPool({ diskSizeGiB: 10 })).toThrow(/diskSizeGiB: got 10/);
  });

  it("fails when an instance type is malformed", () => {
    expect(() => synthPool({ instanceTypes: ["large"] })).toThrow(/instanceTypes\[0\]: got "large"/);
    expect(() => synthPool({ instanceTypes: [] })).toThrow(/instanceTypes: got \[\]/);
  });
});

describe("NodePool label and taint syntax", () => {
  it("fails when a label key or value is not valid Kubernetes syntax", () => {
    expect(() => synthPool({ labels: { "bad key": "x" } })).toThrow(/nodePools\.pool\.labels: got "bad key"/);
    expect(() => synthPool({ labels: { team: "a".repeat(64) } })).toThrow(/labels\.team: got "a{64}"/);
    expect(() => synthPool({ labels: { "example.com/team": "ml-platform", empty: "" } })).not.toThrow();
  });

  it("fails when a taint key or value is not valid Kubernetes syntax", () => {
    expect(() => synthPool({ taints: [{ key: "a/b/c", effect: "NO_SCHEDULE" }] })).toThrow(
      /taints\[0\]\.key: got "a\/b\/c"/,
    );
    expect(() => synthPool({ taints: [{ key: "team", value: "x y", effect: "NO_SCHEDULE" }] })).toThrow(
      /taints\[0\]\.value: got "x y"/,
    );
  });
});
