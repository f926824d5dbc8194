import { describe, expect, it } from "vitest";
import {
  KARPENTER_NODE_ROLE_POLICIES,
  type KarpenterAwsResources,
} from "../../../../constructs/addons/karpenter/aws-resources";
import { onlyResource, resourcesOf } from "../../../support/synth";
import { policyDocumentStatements } from "../../cluster/fixtures";
import { ref, synthKarpenter } from "./support";

let resources: KarpenterAwsResources | undefined;
const json = synthKarpenter({ tags: { team: "capacity" } }, (r) => {
  resources = r;
});
const roles = resourcesOf(json, "aws_iam_role");
const roleEntry = (fragment: string) => {
  const entry = Object.entries(roles).find(([id]) => id.includes(fragment));
  if (!entry) throw new Error(`no role with ${fragment}`);
  return entry;
};

describe("Karpenter node role", () => {
  const [nodeId, node] = roleEntry("NodeRole");

  it("is assumable by EC2 only", () => {
    const trust = policyDocumentStatements(json, node.assume_role_policy);
    expect(trust).toEqual([
      {
        effect: "Allow",
        actions: ["sts:AssumeRole"],
        principals: [
          {
            type: "Service",
            identifiers: [
              ref(json, "data", "aws_partition", "AwsContext", "dns_suffix").replace(/^/, "ec2."),
            ],
          },
        ],
      },
    ]);
  });

  it("carries the worker, ECR pull-only and SSM policies, and no CNI policy (vpc-cni has its own role)", () => {
    const attached = Object.values(resourcesOf(json, "aws_iam_role_policy_attachment"))
      .filter((a) => a.role === `\${aws_iam_role.${nodeId}.name}`)
      .map((a) => String(a.policy_arn).replace(/^.*:policy\//, ""));
    expect(attached.sort()).toEqual([...KARPENTER_NODE_ROLE_POLICIES].sort());
    expect(attached).toContain("AmazonEC2ContainerRegistryPullOnly");
    expect(attached).not.toContain("AmazonEKS_CNI_Policy");
  });

  it("joins the cluster through an EC2_LINUX access entry (API authentication mode)", () => {
    expect(onlyResource(json, "aws_eks_access_entry")).toEqual(
      expect.objectContaining({
        cluster_name: "acme-dev",
        principal_arn: `\${aws_iam_role.${nodeId}.arn}`,
        type: "EC2_LINUX",
      }),
    );
    expect(resourcesOf(json, "aws_eks_access_policy_association")).toEqual({});
  });

  it("exposes its name for EC2NodeClass spec.role, and no Terraform instance profile (Karpenter creates them)", () => {
    expect(resources?.nodeRoleName).toMatch(/^\$\{TfToken\[/);
    expect(resourcesOf(json, "aws_iam_instance_profile")).toEqual({});
  });

  it("is tagged with the cluster context's tags and the caller's", () => {
    expect(node.tags).toEqual(expect.objectContaining({ team: "capacity" }));
  });
});

describe("Karpenter controller role", () => {
  const [controllerId, controller] = roleEntry("karpenter-controller");

  it("is an IRSA role for karpenter/karpenter by default", () => {
    const trust = policyDocumentStatements(json, controller.assume_role_policy);
    expect(trust[0]?.actions).toEqual(["sts:AssumeRoleWithWebIdentity"]);
    expect(trust[0]?.condition?.[0]?.values).toEqual(["system:serviceaccount:karpenter:karpenter"]);
    expect(resources?.serviceAccountRoleMode).toBe("irsa");
    expect(resourcesOf(json, "aws_eks_pod_identity_association")).toEqual({});
  });

  it("has the six template policies and the KMS policy attached, no inline policy", () => {
    const attached = Object.values(resourcesOf(json, "aws_iam_role_policy_attachment")).filter(
      (a) => a.role === `\${aws_iam_role.${controllerId}.name}`,
    );
    const policies = resourcesOf(json, "aws_iam_policy");
    expect(attached).toHaveLength(7);
    expect(Object.keys(policies)).toHaveLength(7);
    for (const id of Object.keys(policies)) {
      expect(attached.map((a) => a.policy_arn)).toContain(`\${aws_iam_policy.${id}.arn}`);
    }
    expect(resourcesOf(json, "aws_iam_role_policy")).toEqual({});
  });

  it("lists as grants the controller's policy attachments and the node role's attachments and access entry", () => {
    const types = (resources?.grants ?? []).map(
      (g) => (g as unknown as { terraformResourceType: string }).terraformResourceType,
    );
    expect(types.filter((t) => t === "aws_iam_role_policy_attachment")).toHaveLength(7 + 3);
    expect(types.filter((t) => t === "aws_eks_access_entry")).toHaveLength(1);
    expect(types).toHaveLength(11);
  });

  it("can use EKS Pod Identity instead", () => {
    const pod = synthKarpenter({ serviceAccountRoleMode: "pod-identity" });
    expect(onlyResource(pod, "aws_eks_pod_identity_association")).toEqual(
      expect.objectContaining({
        cluster_name: "acme-dev",
        namespace: "karpenter",
        service_account: "karpenter",
      }),
    );
  });
});

describe("KarpenterAwsResources props", () => {
  it("fails when the namespace is empty", () => {
    expect(() => synthKarpenter({ namespace: "" })).toThrow(
      'Invalid KarpenterAwsResources namespace: got ""; expected a Kubernetes name (DNS-1123 label, 1-63 characters).',
    );
  });

  it("fails when the service account name is not a DNS label", () => {
    expect(() => synthKarpenter({ serviceAccountName: "Karpenter_Controller" })).toThrow(
      /Invalid KarpenterAwsResources serviceAccountName: got "Karpenter_Controller"/,
    );
  });

  it("fails when the role mode is unknown", () => {
    expect(() => synthKarpenter({ serviceAccountRoleMode: "static-keys" as never })).toThrow(
      /serviceAccountRoleMode: got "static-keys"; expected "irsa" or "pod-identity"/,
    );
  });
});
