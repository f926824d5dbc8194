import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import type { Construct } from "constructs";
import { AwsContext } from "../core/aws-context";
import type { Tags } from "../core/tags";

export interface NodeRoleOptions {
  /** `name_prefix` of the role (at most 38 characters). */
  readonly namePrefix: string;
  /** AWS managed policy names (`arn:<partition>:iam::aws:policy/<name>`) to attach. */
  readonly awsManagedPolicies: readonly string[];
  readonly description?: string;
  readonly tags?: Tags;
}

/**
 * An EC2 instance role for worker nodes, created in `scope` as `NodeTrust`, `NodeRole` and one
 * `NodeRole-<policy>` attachment per policy: the managed node groups' and Karpenter's nodes share it.
 */
export function createNodeRole(scope: Construct, options: NodeRoleOptions): IamRole {
  const aws = AwsContext.of(scope);
  const trust = new DataAwsIamPolicyDocument(scope, "NodeTrust", {
    statement: [
      {
        effect: "Allow",
        actions: ["sts:AssumeRole"],
        principals: [{ type: "Service", identifiers: [`ec2.${aws.dnsSuffix}`] }],
      },
    ],
  });
  const role = new IamRole(scope, "NodeRole", {
    namePrefix: options.namePrefix,
    description: options.description,
    assumeRolePolicy: trust.json,
    tags: options.tags ? { ...options.tags } : undefined,
  });
  const attachments = options.awsManagedPolicies.map(
    (policy) =>
      new IamRolePolicyAttachment(scope, `NodeRole-${policy}`, {
        role: role.name,
        policyArn: `arn:${aws.partition}:iam::aws:policy/${policy}`,
      }),
  );
  GRANTS.set(role, attachments);
  return role;
}

const GRANTS = new WeakMap<IamRole, readonly IamRolePolicyAttachment[]>();

/**
 * The policy attachments of a role `createNodeRole` made: nodes that join with the role need them (a node group
 * created before AmazonEKSWorkerNodePolicy is attached fails to join), which the role ARN alone does not order.
 */
export function nodeRoleGrants(role: IamRole): readonly IamRolePolicyAttachment[] {
  return GRANTS.get(role) ?? [];
}
