import { EksNodeGroup } from "@cdktf/provider-aws/lib/eks-node-group";
import type { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import {
  LaunchTemplate,
  type LaunchTemplateBlockDeviceMappings,
} from "@cdktf/provider-aws/lib/launch-template";
import type { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { mergeTags, type Tags } from "../core/tags";
import { type AmiType, isBottlerocket } from "./ami-types";
import {
  HOST_DEVICE_PLUGIN_LABEL,
  type NodePoolOptions,
  type NodeTaint,
  poolNodeLabels,
  poolNodeTaints,
  resolvePoolSettings,
} from "./node-pool-options";
import { validatePoolSettings } from "./node-pool-validation";
import { createNodeRole, nodeRoleGrants } from "./node-role";

export interface NodePoolProps extends NodePoolOptions {
  /** Pool name: node group name prefix and the `mlops.io/node-pool` label. */
  readonly poolName: string;
  readonly clusterName: string;
  /** Control plane version the nodes follow. */
  readonly kubernetesVersion: string;
  /** Default subnets (the cluster's private subnets) when the pool sets none. */
  readonly clusterSubnetIds: readonly string[];
  /** KMS key encrypting the node volumes. */
  readonly kmsKeyArn: string;
  /** Resources that must exist before nodes join (e.g. the vpc-cni add-on). @default [] */
  readonly dependsOn?: readonly ITerraformDependable[];
  /** Global tags, under the pool's own `tags`. @default {} */
  readonly globalTags?: Tags;
}

/** Node IAM policies: kubelet/node registration, image pulls, and SSM Session Manager instead of SSH. */
export const NODE_ROLE_POLICIES = [
  "AmazonEKSWorkerNodePolicy",
  "AmazonEC2ContainerRegistryReadOnly",
  "AmazonSSMManagedInstanceCore",
] as const;

/**
 * An EKS managed node group behind a launch template that enforces IMDSv2 and encrypted gp3 volumes.
 * The node role carries no CNI policy: vpc-cni gets its own IRSA role, so pods on the host network cannot
 * manage ENIs through the node's credentials.
 */
export class NodePool extends Construct {
  readonly resource: EksNodeGroup;
  readonly launchTemplate: LaunchTemplate;
  readonly nodeRoleArn: string;
  readonly nodeRole?: IamRole;
  readonly labels: Readonly<Record<string, string>>;
  readonly taints: readonly NodeTaint[];
  readonly amiType: AmiType;
  readonly gpu: boolean;

  constructor(scope: Construct, id: string, props: NodePoolProps) {
    super(scope, id);
    const settings = resolvePoolSettings(props.poolName, props);
    validatePoolSettings(settings);
    const gpu = settings.gpu;
    this.gpu = gpu;
    this.amiType = settings.amiType;

    const tags = mergeTags(props.globalTags, props.tags);

    this.taints = poolNodeTaints(gpu, settings.taints);
    this.labels = {
      ...poolNodeLabels(props.poolName, gpu, props.labels),
      ...(gpu && isBottlerocket(settings.amiType) ? { [HOST_DEVICE_PLUGIN_LABEL]: "host" } : {}),
    };

    if (props.nodeRoleArn) {
      this.nodeRoleArn = props.nodeRoleArn;
    } else {
      this.nodeRole = createNodeRole(this, {
        namePrefix: `${props.poolName}-node-`.slice(0, 38),
        awsManagedPolicies: NODE_ROLE_POLICIES,
        tags,
      });
      this.nodeRoleArn = this.nodeRole.arn;
    }

    this.launchTemplate = new LaunchTemplate(this, "LaunchTemplate", {
      namePrefix: `${props.clusterName}-${props.poolName}-`,
      description: `EKS node pool ${props.poolName} of ${props.clusterName}`,
      updateDefaultVersion: true,
      metadataOptions: {
        httpEndpoint: "enabled",
        httpTokens: "required",
        httpPutResponseHopLimit: settings.hopLimit,
        instanceMetadataTags: "disabled",
      },
      blockDeviceMappings: blockDevices(settings.amiType, settings.diskSizeGiB, props.kmsKeyArn),
      tagSpecifications: ["instance", "volume", "network-interface"].map((resourceType) => ({
        resourceType,
        tags: { ...tags, Name: `${props.clusterName}-${props.poolName}` },
      })),
      tags,
    });

    this.resource = new EksNodeGroup(this, "Resource", {
      clusterName: props.clusterName,
      nodeGroupNamePrefix: `${props.poolName}-`,
      version: props.kubernetesVersion,
      nodeRoleArn: this.nodeRoleArn,
      subnetIds: [...(props.subnetIds ?? props.clusterSubnetIds)],
      amiType: settings.amiType,
      capacityType: settings.capacityType,
      instanceTypes: [...settings.instanceTypes],
      scalingConfig: {
        minSize: settings.minSize,
        maxSize: settings.maxSize,
        desiredSize: settings.desiredSize,
      },
      updateConfig: { maxUnavailablePercentage: settings.maxUnavailablePercentage },
      nodeRepairConfig: { enabled: props.nodeRepair ?? true },
      launchTemplate: { id: this.launchTemplate.id, version: this.launchTemplate.latestVersion.toString() },
      labels: { ...this.labels },
      taint: this.taints.map((t) => ({ key: t.key, value: t.value, effect: t.effect })),
      tags,
      dependsOn: [...(props.dependsOn ?? []), ...(this.nodeRole ? nodeRoleGrants(this.nodeRole) : [])],
      lifecycle: {
        // Cluster Autoscaler/Karpenter move desired size; Terraform must not reset it on every apply.
        ignoreChanges: ["scaling_config[0].desired_size"],
        // Instance type or AMI changes replace the group; the name prefix lets the new one come up first.
        createBeforeDestroy: true,
      },
    });
  }
}

/** AL2023 boots from /dev/xvda; Bottlerocket keeps its OS on /dev/xvda and containers on /dev/xvdb. */
function blockDevices(
  amiType: AmiType,
  diskSizeGiB: number,
  kmsKeyId: string,
): LaunchTemplateBlockDeviceMappings[] {
  const ebs = (volumeSize?: number) => ({
    volumeType: "gp3",
    volumeSize,
    encrypted: "true",
    kmsKeyId,
    deleteOnTermination: "true",
  });
  if (isBottlerocket(amiType)) {
    return [
      { deviceName: "/dev/xvda", ebs: ebs() },
      { deviceName: "/dev/xvdb", ebs: ebs(diskSizeGiB) },
    ];
  }
  return [{ deviceName: "/dev/xvda", ebs: ebs(diskSizeGiB) }];
}
