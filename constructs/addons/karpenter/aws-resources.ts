import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { EksAccessEntry } from "@cdktf/provider-aws/lib/eks-access-entry";
import { IamPolicy } from "@cdktf/provider-aws/lib/iam-policy";
import type { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import type { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { createNodeRole, nodeRoleGrants } from "../../cluster/node-role";
import { invalidProp, isUnresolved } from "../../cluster/validation";
import type { PolicyStatement } from "../../core/addon";
import { AwsContext } from "../../core/aws-context";
import type {
  IClusterContext,
  IServiceAccountRole,
  ServiceAccountRoleMode,
} from "../../core/cluster-contract";
import { mergeTags, type Tags } from "../../core/tags";
import { type KarpenterPolicyName, karpenterControllerPolicies, karpenterKmsStatements } from "./iam-policy";
import { KarpenterInterruptionQueue } from "./interruption";

/**
 * AWS managed policies of the Karpenter node role. As the template, with two differences: no
 * `AmazonEKS_CNI_Policy` (the kit's vpc-cni has its own IRSA role, so the node's credentials cannot manage
 * ENIs; the managed node groups' roles leave it out too), and image pulls through `PullOnly` as the template
 * says (the managed pools' `ReadOnly` also lists and describes repositories, which a kubelet never does).
 */
export const KARPENTER_NODE_ROLE_POLICIES = [
  "AmazonEKSWorkerNodePolicy",
  "AmazonEC2ContainerRegistryPullOnly",
  "AmazonSSMManagedInstanceCore",
] as const;

export interface KarpenterAwsResourcesProps {
  /** The cluster Karpenter scales: its name, region, key and service account roles. */
  readonly cluster: IClusterContext;
  /** Namespace of the controller's service account. */
  readonly namespace: string;
  /** The controller's service account; its role trusts exactly this one. */
  readonly serviceAccountName: string;
  /** How the controller gets its role. @default "irsa" - as the kit's other add-ons */
  readonly serviceAccountRoleMode?: ServiceAccountRoleMode;
  /** `prevent_destroy` on the interruption queue's key. @default - the cluster context's `preventDestroy` */
  readonly preventDestroy?: boolean;
  /** Tags under the cluster context's. @default {} */
  readonly tags?: Tags;
}

export type ControllerPolicyName = KarpenterPolicyName | "KmsPolicy";

/** Construct id of the controller's role in the cluster context's scope. */
export const KARPENTER_CONTROLLER_ROLE_ID = "karpenter-controller";

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

function validate(props: KarpenterAwsResourcesProps): void {
  for (const [prop, value] of [
    ["namespace", props.namespace],
    ["serviceAccountName", props.serviceAccountName],
  ] as const) {
    if (isUnresolved(value)) continue;
    if (typeof value !== "string" || !DNS_LABEL.test(value) || value.length > 63) {
      throw invalidProp(
        `KarpenterAwsResources ${prop}`,
        value,
        "a Kubernetes name (DNS-1123 label, 1-63 characters)",
      );
    }
  }
  const mode = props.serviceAccountRoleMode;
  if (mode !== undefined && mode !== "irsa" && mode !== "pod-identity") {
    throw invalidProp("KarpenterAwsResources serviceAccountRoleMode", mode, '"irsa" or "pod-identity"');
  }
}

/**
 * Everything Karpenter needs in AWS for one cluster: the controller's role with the policy Karpenter documents
 * for v1.14.1 (plus the KMS permissions for the cluster key's encrypted volumes and the queue's key), the node
 * role with an `EC2_LINUX` access entry, and the interruption queue with its EventBridge rules. Karpenter
 * creates the nodes' instance profiles itself from `EC2NodeClass.spec.role` (what the IAMIntegrationPolicy
 * allows), so there is no Terraform instance profile. The discovery tags live in the foundation
 * (`karpenterDiscoveryTags`).
 */
export class KarpenterAwsResources extends Construct {
  readonly controllerRole: IServiceAccountRole;
  readonly controllerRoleArn: string;
  readonly serviceAccountRoleMode: ServiceAccountRoleMode;
  /** One customer managed policy per template policy, plus `KmsPolicy`, all attached to the controller role. */
  readonly controllerPolicies: Readonly<Record<ControllerPolicyName, IamPolicy>>;
  readonly nodeRole: IamRole;
  /** `EC2NodeClass.spec.role`. */
  readonly nodeRoleName: string;
  readonly nodeRoleArn: string;
  readonly nodeAccessEntry: EksAccessEntry;
  readonly interruption: KarpenterInterruptionQueue;
  /** Chart `settings.interruptionQueue`. */
  readonly interruptionQueueName: string;
  readonly interruptionQueueArn: string;
  /**
   * What the controller's release must come after (`HelmAddOn.releaseDependsOn`): the controller role's
   * grants, and the node role's policies and access entry, without which the nodes it launches cannot join.
   */
  readonly grants: readonly ITerraformDependable[];

  constructor(scope: Construct, id: string, props: KarpenterAwsResourcesProps) {
    super(scope, id);
    validate(props);
    const { cluster } = props;
    const aws = AwsContext.of(this);
    const tags = mergeTags(cluster.tags, props.tags);
    this.serviceAccountRoleMode = props.serviceAccountRoleMode ?? "irsa";

    this.nodeRole = createNodeRole(this, {
      namePrefix: "karpenter-node-",
      description: `Nodes Karpenter launches for EKS ${cluster.clusterName}`,
      awsManagedPolicies: KARPENTER_NODE_ROLE_POLICIES,
      tags,
    });
    this.nodeRoleName = this.nodeRole.name;
    this.nodeRoleArn = this.nodeRole.arn;
    // API authentication mode: nodes join through an access entry (EKS maps EC2_LINUX to system:nodes).
    this.nodeAccessEntry = new EksAccessEntry(this, "NodeAccessEntry", {
      clusterName: cluster.clusterName,
      principalArn: this.nodeRole.arn,
      type: "EC2_LINUX",
      tags,
    });

    this.interruption = new KarpenterInterruptionQueue(this, "Interruption", {
      clusterName: cluster.clusterName,
      preventDestroy: props.preventDestroy ?? cluster.preventDestroy,
      tags,
    });
    this.interruptionQueueName = this.interruption.queueName;
    this.interruptionQueueArn = this.interruption.queueArn;

    const statements: Record<ControllerPolicyName, PolicyStatement[]> = {
      ...karpenterControllerPolicies({
        partition: aws.partition,
        region: cluster.region,
        accountId: aws.accountId,
        clusterName: cluster.clusterName,
        nodeRoleArn: this.nodeRole.arn,
        interruptionQueueArn: this.interruption.queueArn,
      }),
      KmsPolicy: karpenterKmsStatements({
        region: cluster.region,
        dnsSuffix: aws.dnsSuffix,
        volumeKeyArn: cluster.kmsKeyArn,
        queueKeyArn: this.interruption.keyArn,
      }),
    };
    const policies = {} as Record<ControllerPolicyName, IamPolicy>;
    for (const [name, statement] of Object.entries(statements) as [
      ControllerPolicyName,
      PolicyStatement[],
    ][]) {
      const document = new DataAwsIamPolicyDocument(this, `${name}Document`, { statement });
      policies[name] = new IamPolicy(this, name, {
        namePrefix: `KarpenterController${name}-`,
        description: `Karpenter controller of EKS ${cluster.clusterName}: ${name}`,
        policy: document.json,
        tags,
      });
    }
    this.controllerPolicies = policies;

    this.controllerRole = cluster.serviceAccountRole(KARPENTER_CONTROLLER_ROLE_ID, {
      namespace: props.namespace,
      serviceAccount: props.serviceAccountName,
      mode: this.serviceAccountRoleMode,
      managedPolicyArns: Object.fromEntries(Object.entries(policies).map(([name, p]) => [name, p.arn])),
      tags,
    });
    this.controllerRoleArn = this.controllerRole.roleArn;
    this.grants = [...this.controllerRole.grants, ...nodeRoleGrants(this.nodeRole), this.nodeAccessEntry];
  }
}
