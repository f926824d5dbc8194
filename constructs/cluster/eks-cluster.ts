import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { EksCluster as AwsEksCluster } from "@cdktf/provider-aws/lib/eks-cluster";
import { IamOpenidConnectProvider } from "@cdktf/provider-aws/lib/iam-openid-connect-provider";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import type { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { AwsContext } from "../core/aws-context";
import type { KmsKey } from "../core/kms-key";
import { protectStateful } from "../core/stateful";
import { mergeTags, type Tags } from "../core/tags";
import { ClusterAddons, type ManagedAddonName, type ManagedAddonOptions } from "./cluster-addons";
import { ClusterAdminAccess } from "./cluster-admin-access";
import type { ClusterContextValues } from "./cluster-context";
import { clusterContextValues, platformClusterKey, tagClusterSecurityGroup } from "./cluster-parts";
import { validateEksClusterProps } from "./eks-cluster-validation";
import { DEFAULT_KUBERNETES_VERSION } from "./kubernetes-versions";
import { NodePool } from "./node-pool";
import type { NodePoolOptions } from "./node-pool-options";
import { ServiceAccountRole, type ServiceAccountRoleOptions } from "./service-account-role";
import { idFragment, invalidProp } from "./validation";

export const CONTROL_PLANE_LOG_TYPES = [
  "api",
  "audit",
  "authenticator",
  "controllerManager",
  "scheduler",
] as const;

export interface EksClusterProps {
  /** EKS cluster name (1-100 letters, digits, `-`, `_`). */
  readonly clusterName: string;
  /** Kubernetes minor version, one of `SUPPORTED_KUBERNETES_VERSIONS`. @default "1.35" (`DEFAULT_KUBERNETES_VERSION`) */
  readonly kubernetesVersion?: string;
  /** VPC of the cluster (handed to add-ons through the cluster context). */
  readonly vpcId: string;
  /** Private subnets for the control plane ENIs and, by default, the nodes; at least 2, in different AZs. */
  readonly subnetIds: readonly string[];
  /** Also expose the API server publicly; the private endpoint stays on. @default false */
  readonly endpointPublicAccess?: boolean;
  /**
   * CIDRs allowed to reach the public endpoint; required and non-empty when `endpointPublicAccess`, and
   * `0.0.0.0/0` / `::/0` are refused. @default - none (only valid while the endpoint is private)
   */
  readonly publicAccessCidrs?: readonly string[];
  /**
   * Bring-your-own KMS key for secrets, control plane logs and node volumes. Its key policy must admit
   * CloudWatch Logs (`logs.<region>.amazonaws.com`) and the `AWSServiceRoleForAutoScaling` service-linked role
   * (managed node groups launch CMK-encrypted volumes through it).
   * @default - a new `KmsKey` with rotation and those two statements is created
   */
  readonly kmsKeyArn?: string;
  /** Retention of `/aws/eks/<name>/cluster`; one of the values CloudWatch accepts. @default 90 */
  readonly logRetentionInDays?: number;
  /** IAM role/user ARNs given `AmazonEKSClusterAdminPolicy` at cluster scope through access entries. @default [] */
  readonly adminPrincipalArns?: readonly string[];
  /**
   * Managed node groups keyed by pool name; more can be added with `addNodePool`. Include at least one non-GPU
   * pool with minSize ≥ 1: coredns and the EBS CSI driver wait for compute and stay DEGRADED without it.
   * @default {}
   */
  readonly nodePools?: Readonly<Record<string, NodePoolOptions>>;
  /** Versions/configuration of the managed add-ons, keyed by add-on name. @default {} */
  readonly addons?: Readonly<Partial<Record<ManagedAddonName, ManagedAddonOptions>>>;
  /** CIDR for Kubernetes Service IPs; must not overlap the VPC. @default - chosen by EKS (10.100.0.0/16 or 172.20.0.0/16) */
  readonly serviceIpv4Cidr?: string;
  /** EKS upgrade policy: STANDARD auto-upgrades when standard support ends instead of billing extended support. @default - EKS default (EXTENDED) */
  readonly supportType?: "STANDARD" | "EXTENDED";
  /** `prevent_destroy` and EKS deletion protection on the cluster, its key and its audit log group. @default true */
  readonly preventDestroy?: boolean;
  /** Tags for every resource. @default {} */
  readonly tags?: Tags;
  /** Extra tags for the `aws_eks_cluster` only. @default {} */
  readonly clusterTags?: Tags;
  /**
   * Tags added to the cluster security group EKS creates (e.g. `karpenter.sh/discovery`), one `aws_ec2_tag`
   * per key: the group belongs to EKS, so only these keys are managed. @default {}
   */
  readonly clusterSecurityGroupTags?: Tags;
}

/**
 * A private-by-default EKS cluster: secrets envelope-encrypted with a customer key, all control plane logs to an
 * encrypted log group, access entries only (no aws-auth ConfigMap, no implicit creator admin), an IAM OIDC
 * provider for IRSA, and the core managed add-ons.
 */
export class EksCluster extends Construct {
  readonly resource: AwsEksCluster;
  readonly clusterName: string;
  readonly clusterArn: string;
  readonly endpoint: string;
  readonly certificateAuthorityData: string;
  readonly oidcIssuerUrl: string;
  readonly oidcProviderArn: string;
  readonly oidcProvider: IamOpenidConnectProvider;
  readonly clusterSecurityGroupId: string;
  readonly clusterRole: IamRole;
  readonly kmsKeyArn: string;
  /** Set when the construct created the key. */
  readonly kmsKey?: KmsKey;
  readonly logGroup: CloudwatchLogGroup;
  readonly addons: ClusterAddons;
  readonly adminAccess: ClusterAdminAccess;
  readonly kubernetesVersion: string;
  readonly vpcId: string;
  readonly privateSubnetIds: readonly string[];
  readonly preventDestroy: boolean;
  readonly tags: Tags;
  readonly nodePools: Record<string, NodePool> = {};
  private readonly nodeDependencies: ITerraformDependable[];
  private clusterRoleDependencies: ITerraformDependable[] = [];

  constructor(scope: Construct, id: string, props: EksClusterProps) {
    super(scope, id);
    validateEksClusterProps(props);
    const aws = AwsContext.of(this);
    this.preventDestroy = props.preventDestroy ?? true;
    this.tags = mergeTags(props.tags);
    this.kubernetesVersion = props.kubernetesVersion ?? DEFAULT_KUBERNETES_VERSION;
    this.vpcId = props.vpcId;
    this.privateSubnetIds = props.subnetIds;
    const name = props.clusterName;

    if (props.kmsKeyArn) {
      this.kmsKeyArn = props.kmsKeyArn;
    } else {
      this.kmsKey = platformClusterKey(this, {
        clusterName: name,
        description: `EKS ${name}: secrets, control plane logs, node volumes`,
        preventDestroy: this.preventDestroy,
        tags: this.tags,
      });
      this.kmsKeyArn = this.kmsKey.keyArn;
    }

    this.clusterRole = this.createClusterRole(aws, name);

    // Created before the cluster so EKS does not create an unencrypted group with infinite retention first.
    this.logGroup = new CloudwatchLogGroup(this, "LogGroup", {
      name: `/aws/eks/${name}/cluster`,
      retentionInDays: props.logRetentionInDays ?? 90,
      kmsKeyId: this.kmsKeyArn,
      tags: this.tags,
    });
    protectStateful(this.logGroup, { preventDestroy: this.preventDestroy });

    const publicAccess = props.endpointPublicAccess ?? false;
    this.resource = new AwsEksCluster(this, "Resource", {
      name,
      version: this.kubernetesVersion,
      roleArn: this.clusterRole.arn,
      vpcConfig: {
        subnetIds: [...props.subnetIds],
        endpointPrivateAccess: true,
        endpointPublicAccess: publicAccess,
        publicAccessCidrs: publicAccess ? [...(props.publicAccessCidrs ?? [])] : undefined,
      },
      encryptionConfig: { resources: ["secrets"], provider: { keyArn: this.kmsKeyArn } },
      enabledClusterLogTypes: [...CONTROL_PLANE_LOG_TYPES],
      accessConfig: { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: false },
      // The managed add-ons below replace the self-managed vpc-cni/coredns/kube-proxy EKS would install.
      bootstrapSelfManagedAddons: false,
      kubernetesNetworkConfig: props.serviceIpv4Cidr
        ? { ipFamily: "ipv4", serviceIpv4Cidr: props.serviceIpv4Cidr }
        : undefined,
      upgradePolicy: props.supportType ? { supportType: props.supportType } : undefined,
      deletionProtection: this.preventDestroy,
      tags: mergeTags(this.tags, props.clusterTags),
      dependsOn: [this.logGroup, ...this.clusterRoleDependencies],
    });
    protectStateful(this.resource, { preventDestroy: this.preventDestroy });

    this.clusterName = this.resource.name;
    this.clusterArn = this.resource.arn;
    this.endpoint = this.resource.endpoint;
    this.certificateAuthorityData = this.resource.certificateAuthority.get(0).data;
    this.oidcIssuerUrl = this.resource.identity.get(0).oidc.get(0).issuer;
    this.clusterSecurityGroupId = this.resource.vpcConfig.clusterSecurityGroupId;
    tagClusterSecurityGroup(this, this.clusterSecurityGroupId, props.clusterSecurityGroupTags);

    this.oidcProvider = new IamOpenidConnectProvider(this, "OidcProvider", {
      url: this.oidcIssuerUrl,
      clientIdList: ["sts.amazonaws.com"],
      // thumbprint_list is optional since AWS provider 5.x: IAM trusts the EKS OIDC issuer's CA itself.
      tags: this.tags,
    });
    this.oidcProviderArn = this.oidcProvider.arn;

    this.adminAccess = new ClusterAdminAccess(this, "AdminAccess", {
      clusterName: this.clusterName,
      principalArns: props.adminPrincipalArns ?? [],
      tags: this.tags,
    });

    this.addons = new ClusterAddons(this, "Addons", {
      clusterName: this.clusterName,
      oidcProviderArn: this.oidcProviderArn,
      oidcIssuerUrl: this.oidcIssuerUrl,
      kmsKeyArn: this.kmsKeyArn,
      addons: props.addons,
      tags: this.tags,
    });

    this.nodeDependencies = [...this.addons.nodeLevelAddons];

    for (const [poolName, options] of Object.entries(props.nodePools ?? {})) {
      this.addNodePool(poolName, options);
    }
  }

  private createClusterRole(aws: AwsContext, name: string): IamRole {
    const trust = new DataAwsIamPolicyDocument(this, "ClusterTrust", {
      statement: [
        {
          effect: "Allow",
          actions: ["sts:AssumeRole", "sts:TagSession"],
          principals: [{ type: "Service", identifiers: ["eks.amazonaws.com"] }],
        },
      ],
    });
    const role = new IamRole(this, "ClusterRole", {
      namePrefix: `${name}-cluster-`.slice(0, 38),
      assumeRolePolicy: trust.json,
      tags: this.tags,
    });
    const attachment = new IamRolePolicyAttachment(this, "ClusterRolePolicy", {
      role: role.name,
      policyArn: `arn:${aws.partition}:iam::aws:policy/AmazonEKSClusterPolicy`,
    });
    // EKS envelope-encrypts secrets with the key through the cluster role.
    const encryption = new DataAwsIamPolicyDocument(this, "ClusterEncryptionPolicy", {
      statement: [
        {
          effect: "Allow",
          actions: ["kms:Encrypt", "kms:Decrypt", "kms:ListGrants", "kms:DescribeKey"],
          resources: [this.kmsKeyArn],
        },
      ],
    });
    const inline = new IamRolePolicy(this, "ClusterRoleEncryption", {
      role: role.id,
      name: "cluster-encryption",
      policy: encryption.json,
    });
    this.clusterRoleDependencies = [attachment, inline];
    return role;
  }

  /** Adds a managed node group; coredns and the EBS CSI driver wait for it. */
  addNodePool(poolName: string, options: NodePoolOptions = {}): NodePool {
    if (this.nodePools[poolName]) throw invalidProp("nodePools key", poolName, "a pool name not used yet");
    const pool = new NodePool(this, `NodePool-${idFragment(poolName)}`, {
      ...options,
      poolName,
      clusterName: this.clusterName,
      kubernetesVersion: this.resource.version,
      clusterSubnetIds: this.privateSubnetIds,
      kmsKeyArn: this.kmsKeyArn,
      dependsOn: this.nodeDependencies,
      globalTags: this.tags,
    });
    this.nodePools[poolName] = pool;
    this.addons.addComputeDependency(pool.resource);
    return pool;
  }

  /** An IAM role for one service account of this cluster (IRSA or Pod Identity). */
  serviceAccountRole(id: string, options: ServiceAccountRoleOptions): ServiceAccountRole {
    return ServiceAccountRole.forCluster(this, id, this, options);
  }

  /** Plain values for `ClusterContext.create`, in this stack or another. */
  contextProps(): ClusterContextValues {
    return clusterContextValues(this, this);
  }
}
