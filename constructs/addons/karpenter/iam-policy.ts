import type { PolicyStatement } from "../../core/addon";

/**
 * The Karpenter controller's permissions for v1.14.1, statement by statement as Karpenter documents them in its
 * getting-started CloudFormation template (`KarpenterController*Policy` managed policies:
 * ../shared/schemas/iam/karpenter/…/cloudformation.yaml). test/constructs/addons/karpenter/iam-policy.test.ts
 * compares every Sid, action, resource and condition with that file, so an edit here that drifts from it fails.
 * Keyed by the template's resource names; the kit creates one managed policy per key, as the template does
 * (together they exceed the 10,240-character limit of a role's inline policies).
 */
export type KarpenterPolicyName =
  | "NodeLifecyclePolicy"
  | "IAMIntegrationPolicy"
  | "EKSIntegrationPolicy"
  | "InterruptionPolicy"
  | "ZonalShiftPolicy"
  | "ResourceDiscoveryPolicy";

export interface KarpenterPolicyScope {
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
  readonly clusterName: string;
  /** The node role: the only role the controller may pass (to EC2, through the instance profiles it creates). */
  readonly nodeRoleArn: string;
  readonly interruptionQueueArn: string;
}

type Condition = NonNullable<Extract<PolicyStatement["condition"], unknown[]>>[number];

function when(test: string, variable: string, ...values: string[]): Condition {
  return { test, variable, values };
}

export function karpenterControllerPolicies(
  s: KarpenterPolicyScope,
): Readonly<Record<KarpenterPolicyName, PolicyStatement[]>> {
  const ec2 = (resource: string, account = "*") =>
    `arn:${s.partition}:ec2:${s.region}:${account}:${resource}`;
  const instanceProfiles = `arn:${s.partition}:iam::${s.accountId}:instance-profile/*`;
  const clusterArn = `arn:${s.partition}:eks:${s.region}:${s.accountId}:cluster/${s.clusterName}`;
  const ownedTag = `kubernetes.io/cluster/${s.clusterName}`;
  const ownedResource = when("StringEquals", `aws:ResourceTag/${ownedTag}`, "owned");
  const ownedRequest = when("StringEquals", `aws:RequestTag/${ownedTag}`, "owned");
  const clusterNameRequest = when("StringEquals", "aws:RequestTag/eks:eks-cluster-name", s.clusterName);
  const anyNodePoolResource = when("StringLike", "aws:ResourceTag/karpenter.sh/nodepool", "*");
  const anyNodePoolRequest = when("StringLike", "aws:RequestTag/karpenter.sh/nodepool", "*");
  const regionResource = when("StringEquals", "aws:ResourceTag/topology.kubernetes.io/region", s.region);
  const regionRequest = when("StringEquals", "aws:RequestTag/topology.kubernetes.io/region", s.region);
  const anyNodeClassResource = when("StringLike", "aws:ResourceTag/karpenter.k8s.aws/ec2nodeclass", "*");
  const anyNodeClassRequest = when("StringLike", "aws:RequestTag/karpenter.k8s.aws/ec2nodeclass", "*");
  const launchedResources = [
    "fleet/*",
    "instance/*",
    "volume/*",
    "network-interface/*",
    "launch-template/*",
    "spot-instances-request/*",
  ].map((r) => ec2(r));

  return {
    NodeLifecyclePolicy: [
      {
        sid: "AllowScopedEC2InstanceAccessActions",
        effect: "Allow",
        resources: [
          ec2("image/*", ""),
          ec2("snapshot/*", ""),
          ec2("security-group/*"),
          ec2("subnet/*"),
          ec2("capacity-reservation/*"),
          ec2("placement-group/*"),
        ],
        actions: ["ec2:RunInstances", "ec2:CreateFleet"],
      },
      {
        sid: "AllowScopedEC2LaunchTemplateAccessActions",
        effect: "Allow",
        resources: [ec2("launch-template/*")],
        actions: ["ec2:RunInstances", "ec2:CreateFleet"],
        condition: [ownedResource, anyNodePoolResource],
      },
      {
        sid: "AllowScopedEC2InstanceActionsWithTags",
        effect: "Allow",
        resources: launchedResources,
        actions: ["ec2:RunInstances", "ec2:CreateFleet", "ec2:CreateLaunchTemplate"],
        condition: [ownedRequest, clusterNameRequest, anyNodePoolRequest],
      },
      {
        sid: "AllowScopedResourceCreationTagging",
        effect: "Allow",
        resources: launchedResources,
        actions: ["ec2:CreateTags"],
        condition: [
          ownedRequest,
          clusterNameRequest,
          when("StringEquals", "ec2:CreateAction", "RunInstances", "CreateFleet", "CreateLaunchTemplate"),
          anyNodePoolRequest,
        ],
      },
      {
        sid: "AllowScopedResourceTagging",
        effect: "Allow",
        resources: [ec2("instance/*")],
        actions: ["ec2:CreateTags"],
        condition: [
          ownedResource,
          anyNodePoolResource,
          when("StringEqualsIfExists", "aws:RequestTag/eks:eks-cluster-name", s.clusterName),
          when(
            "ForAllValues:StringEquals",
            "aws:TagKeys",
            "eks:eks-cluster-name",
            "karpenter.sh/nodeclaim",
            "Name",
          ),
        ],
      },
      {
        sid: "AllowScopedDeletion",
        effect: "Allow",
        resources: [ec2("instance/*"), ec2("launch-template/*")],
        actions: ["ec2:TerminateInstances", "ec2:DeleteLaunchTemplate"],
        condition: [ownedResource, anyNodePoolResource],
      },
    ],
    IAMIntegrationPolicy: [
      {
        sid: "AllowPassingInstanceRole",
        effect: "Allow",
        resources: [s.nodeRoleArn],
        actions: ["iam:PassRole"],
        condition: [when("StringEquals", "iam:PassedToService", "ec2.amazonaws.com", "ec2.amazonaws.com.cn")],
      },
      {
        sid: "AllowScopedInstanceProfileCreationActions",
        effect: "Allow",
        resources: [instanceProfiles],
        actions: ["iam:CreateInstanceProfile"],
        condition: [ownedRequest, clusterNameRequest, regionRequest, anyNodeClassRequest],
      },
      {
        sid: "AllowScopedInstanceProfileTagActions",
        effect: "Allow",
        resources: [instanceProfiles],
        actions: ["iam:TagInstanceProfile"],
        condition: [
          ownedResource,
          regionResource,
          ownedRequest,
          clusterNameRequest,
          regionRequest,
          anyNodeClassResource,
          anyNodeClassRequest,
        ],
      },
      {
        sid: "AllowScopedInstanceProfileActions",
        effect: "Allow",
        resources: [instanceProfiles],
        actions: [
          "iam:AddRoleToInstanceProfile",
          "iam:RemoveRoleFromInstanceProfile",
          "iam:DeleteInstanceProfile",
        ],
        condition: [ownedResource, regionResource, anyNodeClassResource],
      },
    ],
    EKSIntegrationPolicy: [
      {
        sid: "AllowAPIServerEndpointDiscovery",
        effect: "Allow",
        resources: [clusterArn],
        actions: ["eks:DescribeCluster"],
      },
    ],
    InterruptionPolicy: [
      {
        sid: "AllowInterruptionQueueActions",
        effect: "Allow",
        resources: [s.interruptionQueueArn],
        actions: ["sqs:DeleteMessage", "sqs:GetQueueUrl", "sqs:ReceiveMessage"],
      },
    ],
    ZonalShiftPolicy: [
      {
        // Read-only, and the action supports no resource-level scoping: the condition names this cluster.
        sid: "AllowZonalShiftStatusReadOnly",
        effect: "Allow",
        resources: ["*"],
        actions: ["arc-zonal-shift:GetManagedResource"],
        condition: [when("StringEquals", "arc-zonal-shift:ResourceIdentifier", clusterArn)],
      },
    ],
    ResourceDiscoveryPolicy: [
      {
        // Describe* calls support no resource-level permissions; the condition keeps them to this region.
        sid: "AllowRegionalReadActions",
        effect: "Allow",
        resources: ["*"],
        actions: [
          "ec2:DescribeCapacityReservations",
          "ec2:DescribeImages",
          "ec2:DescribeInstances",
          "ec2:DescribeInstanceStatus",
          "ec2:DescribeInstanceTypeOfferings",
          "ec2:DescribeInstanceTypes",
          "ec2:DescribeLaunchTemplates",
          "ec2:DescribePlacementGroups",
          "ec2:DescribeSecurityGroups",
          "ec2:DescribeSpotPriceHistory",
          "ec2:DescribeSubnets",
        ],
        condition: [when("StringEquals", "aws:RequestedRegion", s.region)],
      },
      {
        sid: "AllowSSMReadActions",
        effect: "Allow",
        resources: [`arn:${s.partition}:ssm:${s.region}::parameter/aws/service/*`],
        actions: ["ssm:GetParameter"],
      },
      { sid: "AllowPricingReadActions", effect: "Allow", resources: ["*"], actions: ["pricing:GetProducts"] },
      {
        sid: "AllowUnscopedInstanceProfileListAction",
        effect: "Allow",
        resources: ["*"],
        actions: ["iam:ListInstanceProfiles"],
      },
      {
        sid: "AllowInstanceProfileReadActions",
        effect: "Allow",
        resources: [instanceProfiles],
        actions: ["iam:GetInstanceProfile"],
      },
    ],
  };
}

export interface KarpenterKmsScope {
  readonly region: string;
  readonly dnsSuffix: string;
  /** The cluster key that encrypts the nodes' gp3 volumes (EC2NodeClass `blockDeviceMappings[].ebs.kmsKeyID`). */
  readonly volumeKeyArn: string;
  /** The interruption queue's key (SSE-KMS). */
  readonly queueKeyArn: string;
}

/**
 * Beyond the template, which assumes AWS-managed encryption: the controller calls RunInstances/CreateFleet with
 * volumes encrypted under the cluster key, and EC2 uses the key with the caller's permissions. These are the
 * actions AWS lists for EBS encryption with a customer managed key (EBS user guide, "Permissions for users"),
 * grants only for AWS resources, and everything only through EC2 in this region. Reading the interruption queue
 * needs Decrypt on its key, only through SQS.
 */
export function karpenterKmsStatements(s: KarpenterKmsScope): PolicyStatement[] {
  const via = (service: string) =>
    when("StringEquals", "kms:ViaService", `${service}.${s.region}.${s.dnsSuffix}`);
  return [
    {
      sid: "AllowEbsVolumeKeyGrants",
      effect: "Allow",
      resources: [s.volumeKeyArn],
      actions: ["kms:CreateGrant"],
      condition: [when("Bool", "kms:GrantIsForAWSResource", "true"), via("ec2")],
    },
    {
      sid: "AllowEbsVolumeEncryption",
      effect: "Allow",
      resources: [s.volumeKeyArn],
      actions: ["kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKeyWithoutPlaintext", "kms:ReEncrypt*"],
      condition: [via("ec2")],
    },
    {
      sid: "AllowInterruptionQueueDecryption",
      effect: "Allow",
      resources: [s.queueKeyArn],
      actions: ["kms:Decrypt"],
      condition: [via("sqs")],
    },
  ];
}
