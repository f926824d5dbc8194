import { describe, expect, it } from "vitest";
import { MANAGED_ADDONS } from "../../../constructs/cluster";
import { expectDependsOn } from "../../support/depends-on";
import { resourcesOf } from "../../support/synth";
import { addressOf, onlyKeyArnRef, policyDocumentStatements, resourceNamed, synthCluster } from "./fixtures";

describe("ClusterAddons", () => {
  const json = synthCluster({
    nodePools: { system: {}, gpu: { gpu: true } },
    addons: { coredns: { version: "v1.12.4-eksbuild.1", configurationValues: { replicaCount: 3 } } },
  });
  const addons = Object.values(resourcesOf(json, "aws_eks_addon"));
  const addon = (name: string) => {
    const found = addons.find((a) => a.addon_name === name);
    if (!found) throw new Error(`add-on ${name} missing`);
    return found;
  };

  it("installs vpc-cni, coredns, kube-proxy, the EBS CSI driver and the Pod Identity agent", () => {
    expect(addons.map((a) => a.addon_name).sort()).toEqual(
      ["aws-ebs-csi-driver", "coredns", "eks-pod-identity-agent", "kube-proxy", "vpc-cni"].sort(),
    );
    expect([...MANAGED_ADDONS].sort()).toEqual(addons.map((a) => String(a.addon_name)).sort());
  });

  it("creates the vpc-cni and EBS CSI aws_eks_addon after their roles' policy attachments and inline policies", () => {
    const vpcCni = { type: "aws_eks_addon", id: /_vpc-cni_/ };
    const ebsCsi = { type: "aws_eks_addon", id: /_aws-ebs-csi-driver_/ };
    expectDependsOn(json, vpcCni, { type: "aws_iam_role_policy_attachment", id: /_VpcCniRole_Attach-cni_/ });
    expectDependsOn(json, ebsCsi, { type: "aws_iam_role_policy_attachment", id: /_EbsCsiRole_Attach-ebs_/ });
    expectDependsOn(json, ebsCsi, { type: "aws_iam_role_policy", id: /_EbsCsiRole_Policy-ebs-kms_/ });
  });

  it("overwrites conflicting fields on create and update", () => {
    for (const a of addons) {
      expect(a.resolve_conflicts_on_update).toBe("OVERWRITE");
      expect(a.resolve_conflicts_on_create).toBe("OVERWRITE");
    }
  });

  it("creates coredns and the EBS CSI driver after every node group", () => {
    const groups = [
      addressOf(json, "aws_eks_node_group", "NodePool-system"),
      addressOf(json, "aws_eks_node_group", "NodePool-gpu"),
    ];
    expect(addon("coredns").depends_on).toEqual(expect.arrayContaining(groups));
    expect(addon("aws-ebs-csi-driver").depends_on).toEqual(expect.arrayContaining(groups));
    expect(addon("aws-ebs-csi-driver").depends_on).toContain(
      addressOf(json, "aws_eks_addon", "eks-pod-identity-agent"),
    );
    // vpc-cni waits only for its role's permissions (next test), not for nodes: nodes need it to become Ready.
    expect(addon("vpc-cni").depends_on).toEqual([
      addressOf(json, "aws_iam_role_policy_attachment", "VpcCniRole_Attach-cni"),
    ]);
    expect(addon("kube-proxy").depends_on).toBeUndefined();
  });

  it("passes per add-on version and configuration values", () => {
    expect(addon("coredns").addon_version).toBe("v1.12.4-eksbuild.1");
    expect(JSON.parse(String(addon("coredns").configuration_values))).toEqual({ replicaCount: 3 });
    expect(addon("kube-proxy").addon_version).toBeUndefined();
  });

  it("gives vpc-cni its own IRSA role for kube-system:aws-node with the CNI policy", () => {
    expect(addon("vpc-cni").service_account_role_arn).toBe(
      `\${${addressOf(json, "aws_iam_role", "VpcCniRole")}.arn}`,
    );
    const attach = resourceNamed(json, "aws_iam_role_policy_attachment", "VpcCniRole");
    expect(String(attach.policy_arn)).toMatch(/:iam::aws:policy\/AmazonEKS_CNI_Policy$/);
  });

  it("binds the EBS CSI driver role through Pod Identity with the EBS policy and KMS use of the key", () => {
    expect(addon("aws-ebs-csi-driver").pod_identity_association).toEqual([
      {
        role_arn: `\${${addressOf(json, "aws_iam_role", "EbsCsiRole")}.arn}`,
        service_account: "ebs-csi-controller-sa",
      },
    ]);
    const attach = resourceNamed(json, "aws_iam_role_policy_attachment", "EbsCsiRole");
    expect(String(attach.policy_arn)).toMatch(/:iam::aws:policy\/service-role\/AmazonEBSCSIDriverPolicy$/);
    const inline = resourceNamed(json, "aws_iam_role_policy", "EbsCsiRole");
    const statements = policyDocumentStatements(json, inline.policy);
    const key = onlyKeyArnRef(json);
    const grants = statements.find((s) => s.actions?.includes("kms:CreateGrant"));
    expect(grants?.resources).toEqual([key]);
    expect(grants?.condition).toEqual([
      { test: "Bool", variable: "kms:GrantIsForAWSResource", values: ["true"] },
    ]);
    const use = statements.find((s) => s.actions?.includes("kms:GenerateDataKey*"));
    expect(use?.resources).toEqual([key]);
    // The association lives on the add-on; a separate one would fight it.
    expect(resourcesOf(json, "aws_eks_pod_identity_association")).toEqual({});
  });
});
