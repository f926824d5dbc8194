import { EksAccessEntry } from "@cdktf/provider-aws/lib/eks-access-entry";
import { EksAccessPolicyAssociation } from "@cdktf/provider-aws/lib/eks-access-policy-association";
import { Construct } from "constructs";
import { principalKey } from "../cluster/cluster-admin-access";
import { AwsContext } from "../core/aws-context";
import type { Tags } from "../core/tags";

/** A member's access to the team's namespaces. */
export type TeamAccessLevel = "view" | "edit";

/** The EKS access policy of each level: Kubernetes' `view` and `edit` roles. */
export const TEAM_ACCESS_POLICIES: Readonly<Record<TeamAccessLevel, string>> = {
  view: "AmazonEKSViewPolicy",
  edit: "AmazonEKSEditPolicy",
};

export interface TeamClusterAccessProps {
  readonly clusterName: string;
  readonly members: readonly { readonly arn: string; readonly access: TeamAccessLevel }[];
  /** The team's namespaces (every environment's): the only scope of the associations. */
  readonly namespaces: readonly string[];
  readonly tags?: Tags;
}

/**
 * One EKS access entry per member with one access policy association scoped to the team's namespaces: nothing
 * cluster-wide, and no Kubernetes group (which RBAC bindings elsewhere could widen). EKS keeps one entry per
 * principal per cluster, so a principal belongs to one team (the configuration checks it) and the team's
 * entries live in one stack, listing all of the team's namespaces.
 */
export class TeamClusterAccess extends Construct {
  readonly entries: EksAccessEntry[] = [];
  readonly associations: EksAccessPolicyAssociation[] = [];

  constructor(scope: Construct, id: string, props: TeamClusterAccessProps) {
    super(scope, id);
    if (props.namespaces.length === 0)
      throw new Error("TeamClusterAccess: namespaces: got []; expected the team's namespaces");
    const aws = AwsContext.of(this);
    for (const [index, member] of props.members.entries()) {
      const key = principalKey(member.arn, index);
      const entry = new EksAccessEntry(this, `Entry-${key}`, {
        clusterName: props.clusterName,
        principalArn: member.arn,
        type: "STANDARD",
        tags: props.tags ? { ...props.tags } : undefined,
      });
      this.entries.push(entry);
      this.associations.push(
        new EksAccessPolicyAssociation(this, `Policy-${key}`, {
          clusterName: props.clusterName,
          principalArn: entry.principalArn,
          policyArn: `arn:${aws.partition}:eks::aws:cluster-access-policy/${TEAM_ACCESS_POLICIES[member.access]}`,
          accessScope: { type: "namespace", namespaces: [...props.namespaces] },
        }),
      );
    }
  }
}
