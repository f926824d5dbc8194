import { Ec2Tag } from "@cdktf/provider-aws/lib/ec2-tag";
import type { Construct } from "constructs";
import { AwsContext } from "../core/aws-context";
import type { ClusterContextValues } from "../core/cluster-contract";
import { KmsKey } from "../core/kms-key";
import type { Tags } from "../core/tags";
import { idFragment } from "./validation";

/**
 * What `EksCluster` (a created cluster) and `ExistingEksCluster` (a brought one) build the same way, so the two
 * hand the platform the same facts and the same key.
 */

/** The facts both cluster constructs expose; `contextProps()` passes them on. */
export type ClusterFactsSource = Omit<ClusterContextValues, "region" | "preventDestroy" | "tags"> & {
  readonly preventDestroy: boolean;
  readonly tags: Tags;
};

/** Plain values for `ClusterContext.create`, in the cluster's stack or another. */
export function clusterContextValues(scope: Construct, c: ClusterFactsSource): ClusterContextValues {
  return {
    clusterName: c.clusterName,
    endpoint: c.endpoint,
    certificateAuthorityData: c.certificateAuthorityData,
    oidcIssuerUrl: c.oidcIssuerUrl,
    oidcProviderArn: c.oidcProviderArn,
    clusterSecurityGroupId: c.clusterSecurityGroupId,
    vpcId: c.vpcId,
    privateSubnetIds: c.privateSubnetIds,
    kmsKeyArn: c.kmsKeyArn,
    kubernetesVersion: c.kubernetesVersion,
    region: AwsContext.of(scope).region,
    preventDestroy: c.preventDestroy,
    tags: c.tags,
  };
}

/**
 * The platform key (id `Key`, alias `eks/<cluster>`): CloudWatch Logs may use it for log groups and EC2 Auto
 * Scaling's service-linked role for the CMK-encrypted volumes of managed node groups.
 */
export function platformClusterKey(
  scope: Construct,
  props: { clusterName: string; description: string; preventDestroy: boolean; tags: Tags },
): KmsKey {
  return new KmsKey(scope, "Key", {
    description: props.description,
    aliasName: `eks/${props.clusterName}`,
    allowCloudWatchLogs: true,
    allowAutoScaling: true,
    preventDestroy: props.preventDestroy,
    tags: props.tags,
  });
}

/** One `aws_ec2_tag` per key on the cluster security group EKS owns: only these keys are managed. */
export function tagClusterSecurityGroup(scope: Construct, securityGroupId: string, tags: Tags = {}): void {
  for (const [key, value] of Object.entries(tags)) {
    new Ec2Tag(scope, `ClusterSecurityGroupTag-${idFragment(key)}`, {
      resourceId: securityGroupId,
      key,
      value,
    });
  }
}
