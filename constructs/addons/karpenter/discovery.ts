import type { Tags } from "../../core/tags";

/**
 * Tag by which an `EC2NodeClass` finds its subnets and security groups (`subnetSelectorTerms` /
 * `securityGroupSelectorTerms: [{ tags: { "karpenter.sh/discovery": <cluster name> } }]`), as in Karpenter's
 * getting-started guide. Its value is the cluster name.
 */
export const KARPENTER_DISCOVERY_TAG = "karpenter.sh/discovery";

/** `{ "karpenter.sh/discovery": clusterName }`: what the foundation puts on the private subnets and the cluster security group. */
export function karpenterDiscoveryTags(clusterName: string): Tags {
  return { [KARPENTER_DISCOVERY_TAG]: clusterName };
}
