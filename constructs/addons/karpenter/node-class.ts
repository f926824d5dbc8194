import { mergeTags, type Tags } from "../../core/tags";
import { NODE_CLASS_API } from "./names";
import type { ResolvedKarpenterPool } from "./pool-options";

export interface Ec2NodeClassProps {
  readonly pool: ResolvedKarpenterPool;
  readonly clusterName: string;
  /** The IAM role of the nodes (Karpenter creates the instance profile for it). */
  readonly nodeRoleName: string;
  /** The platform key encrypting the root volumes. */
  readonly kmsKeyArn: string;
  /** Tag(s) that mark the cluster's private subnets and node security group for Karpenter. */
  readonly discoveryTags: Readonly<Record<string, string>>;
  /** Global tags, under the pool's own. @default {} */
  readonly globalTags?: Tags;
}

/**
 * The `EC2NodeClass` of one Karpenter pool: EKS AL2023 AMIs (the alias resolves the NVIDIA variant for NVIDIA
 * instance types, so a GPU pool gets the NVIDIA AMI without naming it), IMDSv2 only with the pool's hop limit,
 * an encrypted gp3 root volume under the platform key, and subnets and security groups found by discovery tag.
 * One per pool, named after it, so a pool's disk or hop limit never leaks into another's.
 */
export function ec2NodeClass(props: Ec2NodeClassProps): Record<string, unknown> {
  const { pool } = props;
  return {
    apiVersion: NODE_CLASS_API,
    kind: "EC2NodeClass",
    metadata: { name: pool.poolName },
    spec: {
      amiSelectorTerms: [{ alias: `al2023@${pool.amiVersion}` }],
      role: props.nodeRoleName,
      subnetSelectorTerms: [{ tags: { ...props.discoveryTags } }],
      securityGroupSelectorTerms: [{ tags: { ...props.discoveryTags } }],
      metadataOptions: {
        httpEndpoint: "enabled",
        httpProtocolIPv6: "disabled",
        httpPutResponseHopLimit: pool.hopLimit,
        httpTokens: "required",
      },
      blockDeviceMappings: [
        {
          deviceName: "/dev/xvda",
          ebs: {
            volumeSize: `${pool.diskSizeGiB}Gi`,
            volumeType: "gp3",
            encrypted: true,
            kmsKeyID: props.kmsKeyArn,
            deleteOnTermination: true,
          },
        },
      ],
      tags: {
        ...mergeTags(props.globalTags, pool.tags),
        Name: `${props.clusterName}-${pool.poolName}`,
      },
    },
  };
}
