/**
 * Kubernetes-side security widening in the offline diff: RBAC roles and bindings (provider resources and
 * manifests), EKS access policy associations, NetworkPolicies and Pod Security labels.
 */
import { EksAccessPolicyAssociation } from "@cdktf/provider-aws/lib/eks-access-policy-association";
import { ClusterRoleBindingV1 } from "@cdktf/provider-kubernetes/lib/cluster-role-binding-v1";
import { ClusterRoleV1 } from "@cdktf/provider-kubernetes/lib/cluster-role-v1";
import { Manifest } from "@cdktf/provider-kubernetes/lib/manifest";
import { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import { NetworkPolicyV1 } from "@cdktf/provider-kubernetes/lib/network-policy-v1";
import { KubernetesProvider } from "@cdktf/provider-kubernetes/lib/provider";
import { RoleBindingV1 } from "@cdktf/provider-kubernetes/lib/role-binding-v1";
import type { TerraformStack } from "cdktf";
import { describe, expect, it } from "vitest";
import type { Section } from "../../../scripts/diff/model";
import { diffSection } from "../../../scripts/diff/report";
import { changeAt, changes, oneStack, risksOf } from "./support";

type Rule = { apiGroups: string[]; resources: string[]; verbs: string[]; resourceNames?: string[] };
interface Access {
  readonly clusterRole?: Rule[];
  readonly manifestRole?: Rule[];
  readonly bindingSubjects?: { kind: string; name: string; namespace?: string }[];
  readonly bindingRole?: string;
  readonly clusterBindingRole?: string;
  readonly clusterBindingGroup?: string;
  readonly eks?: { policy: string; scope: "namespace" | "cluster"; namespaces?: string[] };
  readonly ingressFrom?: "namespace" | "anywhere";
  readonly pss?: string;
}

const CLUSTER = "arn:aws:eks::aws:cluster-access-policy";

/** One stack with each kind of Kubernetes access object, configured by `a` (absent: not created). */
function stack(a: Access) {
  return oneStack((s: TerraformStack) => {
    new KubernetesProvider(s, "k8s", { configPath: "~/.kube/config" });
    if (a.clusterRole)
      new ClusterRoleV1(s, "Reader", {
        metadata: { name: "reader" },
        rule: a.clusterRole.map((r) => ({ ...r, resourceNames: r.resourceNames })),
      });
    if (a.manifestRole)
      new Manifest(s, "JobRunner", {
        manifest: {
          apiVersion: "rbac.authorization.k8s.io/v1",
          kind: "Role",
          metadata: { name: "job-runner", namespace: "team-a-dev" },
          rules: a.manifestRole,
        },
      });
    if (a.bindingSubjects)
      new RoleBindingV1(s, "Edit", {
        metadata: { name: "edit", namespace: "team-a-dev" },
        roleRef: {
          apiGroup: "rbac.authorization.k8s.io",
          kind: "ClusterRole",
          name: a.bindingRole ?? "edit",
        },
        subject: a.bindingSubjects.map((x) => ({
          ...x,
          apiGroup: x.kind === "ServiceAccount" ? "" : "rbac.authorization.k8s.io",
        })),
      });
    if (a.clusterBindingRole)
      new ClusterRoleBindingV1(s, "Global", {
        metadata: { name: "global" },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: a.clusterBindingRole },
        subject: [
          {
            kind: "Group",
            name: a.clusterBindingGroup ?? "platform-admins",
            apiGroup: "rbac.authorization.k8s.io",
          },
        ],
      });
    if (a.eks)
      new EksAccessPolicyAssociation(s, "TeamAccess", {
        clusterName: "demo",
        principalArn: "arn:aws:iam::123456789012:role/team-a-lead",
        policyArn: `${CLUSTER}/${a.eks.policy}`,
        accessScope: { type: a.eks.scope, namespaces: a.eks.namespaces },
      });
    if (a.ingressFrom)
      new NetworkPolicyV1(s, "Ingress", {
        metadata: { name: "allow", namespace: "team-a-dev" },
        spec: {
          podSelector: {},
          policyTypes: ["Ingress"],
          ingress: [
            a.ingressFrom === "anywhere"
              ? {}
              : {
                  from: [
                    { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } },
                  ],
                },
          ],
        },
      });
    if (a.pss)
      new NamespaceV1(s, "Namespace", {
        metadata: { name: "team-a-dev", labels: { "pod-security.kubernetes.io/enforce": a.pss } },
      });
  });
}

const messages = (section: Section, address: string) =>
  risksOf(changeAt(section, address)).map((f) => f.message);
const allRisks = (section: Section) => changes(section).flatMap((c) => risksOf(c).map((f) => f.message));

const readPods: Rule = { apiGroups: [""], resources: ["pods"], verbs: ["get", "list"] };
const team: Access = {
  clusterRole: [readPods],
  manifestRole: [{ apiGroups: ["batch"], resources: ["jobs"], verbs: ["create", "get"] }],
  bindingSubjects: [{ kind: "Group", name: "team-a" }],
  clusterBindingRole: "view",
  eks: { policy: "AmazonEKSEditPolicy", scope: "namespace", namespaces: ["team-a-dev"] },
  ingressFrom: "namespace",
  pss: "restricted",
};

describe("Kubernetes access widening", () => {
  it("flags nothing when nothing changes, nor the narrow objects of a new team", () => {
    expect(allRisks(diffSection("default", stack(team), stack(team)))).toEqual([]);
    expect(allRisks(diffSection("default", stack({}), stack(team)))).toEqual([]);
  });

  it("flags a role widened: each permission it gains, and wildcards and escalation verbs by name", () => {
    const section = diffSection(
      "default",
      stack(team),
      stack({
        ...team,
        clusterRole: [readPods, { apiGroups: [""], resources: ["secrets"], verbs: ["list"] }],
        manifestRole: [
          { apiGroups: ["batch"], resources: ["jobs"], verbs: ["create", "get"] },
          { apiGroups: ["*"], resources: ["*"], verbs: ["*"] },
          { apiGroups: ["rbac.authorization.k8s.io"], resources: ["rolebindings"], verbs: ["bind"] },
        ],
      }),
    );
    expect(messages(section, "kubernetes_cluster_role_v1.Reader")).toEqual([
      "ClusterRole reads Secrets in every namespace",
      "ClusterRole widened: `list secrets`",
    ]);
    const role = messages(section, "kubernetes_manifest.JobRunner");
    expect(role).toContain("Role grants `*` (`* */*`)");
    expect(role).toContain("Role grants privilege-escalation verbs `bind`");
    expect(role).toContain("Role widened: `* */*`, `bind rbac.authorization.k8s.io/rolebindings`");
  });

  it("flags a new role only for what is wide on its own", () => {
    const section = diffSection(
      "default",
      stack({}),
      stack({ clusterRole: [readPods, { apiGroups: [""], resources: ["secrets"], verbs: ["get"] }] }),
    );
    expect(messages(section, "kubernetes_cluster_role_v1.Reader")).toEqual([
      "ClusterRole reads Secrets in every namespace",
    ]);
    // Named Secrets only: not every Secret.
    const named = diffSection(
      "default",
      stack({}),
      stack({
        clusterRole: [{ apiGroups: [""], resources: ["secrets"], verbs: ["get"], resourceNames: ["ca"] }],
      }),
    );
    expect(allRisks(named)).toEqual([]);
  });

  it("flags a binding that gains subjects, points at another role, or grants cluster-admin or everyone", () => {
    const section = diffSection(
      "default",
      stack(team),
      stack({
        ...team,
        bindingSubjects: [
          { kind: "Group", name: "team-a" },
          { kind: "ServiceAccount", name: "runner", namespace: "team-b-dev" },
        ],
        clusterBindingRole: "cluster-admin",
      }),
    );
    expect(messages(section, "kubernetes_role_binding_v1.Edit")).toEqual([
      "RoleBinding grants `ClusterRole/edit` to more subjects: `ServiceAccount:team-b-dev/runner`",
    ]);
    expect(messages(section, "kubernetes_cluster_role_binding_v1.Global")).toEqual([
      "ClusterRoleBinding grants `ClusterRole/cluster-admin` to `Group:platform-admins`",
      "ClusterRoleBinding now grants `ClusterRole/cluster-admin` (was `ClusterRole/view`)",
    ]);
    const everyone = diffSection(
      "default",
      stack({}),
      stack({ clusterBindingRole: "view", clusterBindingGroup: "system:authenticated" }),
    );
    expect(messages(everyone, "kubernetes_cluster_role_binding_v1.Global")).toEqual([
      "ClusterRoleBinding grants `ClusterRole/view` to everyone in `Group:system:authenticated`",
    ]);
  });

  it("flags EKS access widened to the cluster, to more namespaces, or to a stronger policy", () => {
    const wider = (eks: Access["eks"]) =>
      messages(
        diffSection("default", stack(team), stack({ ...team, eks })),
        "aws_eks_access_policy_association.TeamAccess",
      );
    expect(
      wider({ policy: "AmazonEKSEditPolicy", scope: "namespace", namespaces: ["team-a-dev", "kube-system"] }),
    ).toEqual(["EKS access extended to namespaces `kube-system` (`AmazonEKSEditPolicy`)"]);
    expect(wider({ policy: "AmazonEKSAdminPolicy", scope: "namespace", namespaces: ["team-a-dev"] })).toEqual(
      ["EKS access policy raised: `AmazonEKSEditPolicy` → `AmazonEKSAdminPolicy`"],
    );
    expect(wider({ policy: "AmazonEKSEditPolicy", scope: "cluster" })).toEqual([
      "EKS access widened from namespaces to the whole cluster (`AmazonEKSEditPolicy`)",
    ]);
    const admin = diffSection(
      "default",
      stack({}),
      stack({ eks: { policy: "AmazonEKSClusterAdminPolicy", scope: "cluster" } }),
    );
    expect(messages(admin, "aws_eks_access_policy_association.TeamAccess")).toEqual([
      "EKS access: `AmazonEKSClusterAdminPolicy` on the whole cluster",
    ]);
  });

  it("flags a NetworkPolicy opened to every source and a Pod Security level lowered", () => {
    const section = diffSection(
      "default",
      stack(team),
      stack({ ...team, ingressFrom: "anywhere", pss: "baseline" }),
    );
    expect(messages(section, "kubernetes_network_policy_v1.Ingress")).toEqual([
      "NetworkPolicy admits ingress from any source",
    ]);
    expect(messages(section, "kubernetes_namespace_v1.Namespace")).toEqual([
      "Pod Security level lowered: restricted → baseline",
    ]);
  });

  it("does not flag the narrowing back", () => {
    const wide: Access = {
      clusterRole: [{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }],
      manifestRole: [
        { apiGroups: ["*"], resources: ["*"], verbs: ["*"] },
        { apiGroups: [""], resources: ["users"], verbs: ["impersonate"] },
      ],
      bindingSubjects: [
        { kind: "Group", name: "team-a" },
        { kind: "Group", name: "team-b" },
      ],
      clusterBindingRole: "cluster-admin",
      eks: { policy: "AmazonEKSClusterAdminPolicy", scope: "cluster" },
      ingressFrom: "anywhere",
      pss: "privileged",
    };
    expect(allRisks(diffSection("default", stack(wide), stack(team)))).toEqual([]);
  });
});
