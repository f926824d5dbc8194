import { EksAccessEntry } from "@cdktf/provider-aws/lib/eks-access-entry";
import { EksAccessPolicyAssociation } from "@cdktf/provider-aws/lib/eks-access-policy-association";
import { Construct } from "constructs";
import { AwsContext } from "../core/aws-context";
import type { Tags } from "../core/tags";
import { isUnresolved } from "./validation";

export interface ClusterAdminAccessProps {
  readonly clusterName: string;
  /** IAM role/user ARNs that become cluster administrators. */
  readonly principalArns: readonly string[];
  readonly tags?: Tags;
}

/**
 * A construct id part for an access entry's principal: its account and resource parts, so reordering a list of
 * principals replaces no entry (the list position only for an ARN unknown until apply).
 */
export function principalKey(principalArn: string, index: number): string {
  return isUnresolved(principalArn)
    ? `principal-${index}`
    : principalArn
        .split(":")
        .slice(4)
        .join("-")
        .replace(/[^A-Za-z0-9_-]/g, "-");
}

/**
 * One access entry plus an `AmazonEKSClusterAdminPolicy` association (cluster scope) per principal. Construct
 * ids derive from the ARN, so reordering the list does not replace entries.
 */
export class ClusterAdminAccess extends Construct {
  readonly entries: EksAccessEntry[] = [];
  readonly associations: EksAccessPolicyAssociation[] = [];

  constructor(scope: Construct, id: string, props: ClusterAdminAccessProps) {
    super(scope, id);
    const aws = AwsContext.of(this);
    props.principalArns.forEach((principalArn, index) => {
      const key = principalKey(principalArn, index);
      const entry = new EksAccessEntry(this, `Entry-${key}`, {
        clusterName: props.clusterName,
        principalArn,
        type: "STANDARD",
        tags: props.tags ? { ...props.tags } : undefined,
      });
      this.entries.push(entry);
      this.associations.push(
        new EksAccessPolicyAssociation(this, `Admin-${key}`, {
          clusterName: props.clusterName,
          principalArn: entry.principalArn,
          policyArn: `arn:${aws.partition}:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy`,
          accessScope: { type: "cluster" },
        }),
      );
    });
  }
}
