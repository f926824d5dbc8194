import { DataAwsEksAddon } from "@cdktf/provider-aws/lib/data-aws-eks-addon";
import { DataAwsEksCluster } from "@cdktf/provider-aws/lib/data-aws-eks-cluster";
import { DataAwsIamOpenidConnectProvider } from "@cdktf/provider-aws/lib/data-aws-iam-openid-connect-provider";
import { Construct } from "constructs";
import type { ClusterContextValues } from "../core/cluster-contract";
import type { KmsKey } from "../core/kms-key";
import { mergeTags, type Tags } from "../core/tags";
import { clusterContextValues, platformClusterKey, tagClusterSecurityGroup } from "./cluster-parts";
import { NodePool } from "./node-pool";
import type { NodePoolOptions } from "./node-pool-options";
import { ServiceAccountRole, type ServiceAccountRoleOptions } from "./service-account-role";
import { idFragment, invalidProp } from "./validation";

export interface ExistingEksClusterProps {
  /** Name of the EKS cluster the kit did not create. */
  readonly clusterName: string;
  /**
   * Kubernetes minor version the cluster runs. Add-ons choose versions from it at synth time, so it is a plain
   * value; `terraform plan` fails when the cluster runs another version.
   */
  readonly kubernetesVersion: string;
  /** The cluster's VPC; `terraform plan` fails when the cluster is in another one. */
  readonly vpcId: string;
  /** Private subnets for add-ons that place network interfaces (databases, brokers) and for new node pools. */
  readonly subnetIds: readonly string[];
  /**
   * ARN of the cluster's IAM OIDC provider (IRSA).
   * @default - looked up by the cluster's issuer URL (`data.aws_iam_openid_connect_provider`); plan fails if none exists
   */
  readonly oidcProviderArn?: string;
  /**
   * KMS key for what the platform encrypts (databases, logs, node volumes, images). Its key policy must admit
   * CloudWatch Logs and, for node pools, the `AWSServiceRoleForAutoScaling` service-linked role.
   * @default - a new `KmsKey` with rotation and those two statements, as `EksCluster` creates
   */
  readonly kmsKeyArn?: string;
  /**
   * Fail the plan when the `eks-pod-identity-agent` EKS add-on is missing: roles in `pod-identity` mode (the
   * default of `serviceAccountRole`) hand out no credentials without it. Turn off when the agent is installed
   * another way. @default true
   */
  readonly requirePodIdentityAgent?: boolean;
  /** Managed node groups to add to the cluster, keyed by pool name. @default {} */
  readonly nodePools?: Readonly<Record<string, NodePoolOptions>>;
  /** Tags added to the cluster security group (e.g. `karpenter.sh/discovery`), one `aws_ec2_tag` per key. @default {} */
  readonly clusterSecurityGroupTags?: Tags;
  /** `prevent_destroy` on what this construct creates that holds state (the key). @default true */
  readonly preventDestroy?: boolean;
  /** Tags for every resource created here. @default {} */
  readonly tags?: Tags;
}

/**
 * Bring-your-own cluster: the same facts `EksCluster` exposes (and `contextProps()` for `ClusterContext`), read
 * from an existing cluster through data sources (`aws_eks_cluster`, `aws_iam_openid_connect_provider`) instead
 * of created. Nothing of the cluster itself is managed: no access configuration, logging, managed add-ons or
 * encryption settings; only what the platform adds (its key when none is given, node pools, tags on the
 * cluster security group, IAM roles for service accounts).
 *
 * Plan-time checks on the data source fail `terraform plan` with a message when the cluster does not match:
 * another Kubernetes version or VPC, or an authentication mode without access entries (`CONFIG_MAP`), which
 * Karpenter's nodes and team access need.
 */
export class ExistingEksCluster extends Construct {
  readonly cluster: DataAwsEksCluster;
  readonly clusterName: string;
  readonly clusterArn: string;
  readonly endpoint: string;
  readonly certificateAuthorityData: string;
  readonly oidcIssuerUrl: string;
  readonly oidcProviderArn: string;
  readonly clusterSecurityGroupId: string;
  readonly kmsKeyArn: string;
  /** Present when the kit created the platform key (no `kmsKeyArn` given). */
  readonly kmsKey?: KmsKey;
  readonly kubernetesVersion: string;
  readonly vpcId: string;
  readonly privateSubnetIds: readonly string[];
  readonly preventDestroy: boolean;
  readonly tags: Tags;
  readonly nodePools: Record<string, NodePool> = {};

  constructor(scope: Construct, id: string, props: ExistingEksClusterProps) {
    super(scope, id);
    if (!props.clusterName)
      throw invalidProp("clusterName", props.clusterName, "the existing cluster's name");
    if (props.subnetIds.length === 0) {
      throw invalidProp("subnetIds", props.subnetIds, "the cluster's private subnets (one or more)");
    }
    this.preventDestroy = props.preventDestroy ?? true;
    this.tags = mergeTags(props.tags);
    this.kubernetesVersion = props.kubernetesVersion;
    this.vpcId = props.vpcId;
    this.privateSubnetIds = props.subnetIds;
    const name = props.clusterName;

    this.cluster = new DataAwsEksCluster(this, "Cluster", {
      name,
      lifecycle: {
        postcondition: [
          {
            condition: `\${self.version == ${JSON.stringify(props.kubernetesVersion)}}`,
            errorMessage: `cluster ${name} does not run Kubernetes ${props.kubernetesVersion}: set cluster.kubernetesVersion to its version`,
          },
          {
            condition: `\${self.vpc_config[0].vpc_id == ${JSON.stringify(props.vpcId)}}`,
            errorMessage: `cluster ${name} is not in ${props.vpcId}: set network.vpcId and network.privateSubnetIds to the cluster's VPC`,
          },
          {
            condition: `\${self.access_config[0].authentication_mode != "CONFIG_MAP"}`,
            errorMessage: `cluster ${name} uses authentication mode CONFIG_MAP: switch it to API_AND_CONFIG_MAP or API (the platform grants access through access entries)`,
          },
        ],
      },
    });
    this.clusterName = this.cluster.name;
    this.clusterArn = this.cluster.arn;
    this.endpoint = this.cluster.endpoint;
    this.certificateAuthorityData = this.cluster.certificateAuthority.get(0).data;
    this.oidcIssuerUrl = this.cluster.identity.get(0).oidc.get(0).issuer;
    this.clusterSecurityGroupId = this.cluster.vpcConfig.get(0).clusterSecurityGroupId;

    this.oidcProviderArn =
      props.oidcProviderArn ??
      new DataAwsIamOpenidConnectProvider(this, "OidcProvider", { url: this.oidcIssuerUrl }).arn;

    if (props.requirePodIdentityAgent ?? true) {
      new DataAwsEksAddon(this, "PodIdentityAgent", {
        clusterName: name,
        addonName: "eks-pod-identity-agent",
      });
    }

    if (props.kmsKeyArn) {
      this.kmsKeyArn = props.kmsKeyArn;
    } else {
      this.kmsKey = platformClusterKey(this, {
        clusterName: name,
        description: `MLOps platform on EKS ${name}: databases, logs, node volumes`,
        preventDestroy: this.preventDestroy,
        tags: this.tags,
      });
      this.kmsKeyArn = this.kmsKey.keyArn;
    }

    tagClusterSecurityGroup(this, this.clusterSecurityGroupId, props.clusterSecurityGroupTags);
    for (const [poolName, options] of Object.entries(props.nodePools ?? {})) {
      this.addNodePool(poolName, options);
    }
  }

  /** Adds a managed node group to the existing cluster. */
  addNodePool(poolName: string, options: NodePoolOptions = {}): NodePool {
    if (this.nodePools[poolName]) throw invalidProp("nodePools key", poolName, "a pool name not used yet");
    const pool = new NodePool(this, `NodePool-${idFragment(poolName)}`, {
      ...options,
      poolName,
      clusterName: this.clusterName,
      kubernetesVersion: this.kubernetesVersion,
      clusterSubnetIds: this.privateSubnetIds,
      kmsKeyArn: this.kmsKeyArn,
      globalTags: this.tags,
    });
    this.nodePools[poolName] = pool;
    return pool;
  }

  /** An IAM role for one service account of this cluster (IRSA or Pod Identity). */
  serviceAccountRole(id: string, options: ServiceAccountRoleOptions): ServiceAccountRole {
    return ServiceAccountRole.forCluster(this, id, this, options);
  }

  /** Plain values for `ClusterContext.create`, in this stack or another: the same contract as `EksCluster`'s. */
  contextProps(): ClusterContextValues {
    return clusterContextValues(this, this);
  }
}
