import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { EksAddon } from "@cdktf/provider-aws/lib/eks-addon";
import type { TerraformResource } from "cdktf";
import { Construct } from "constructs";
import { AwsContext } from "../core/aws-context";
import { KMS_DATA_KEY_ACTIONS } from "../core/kms-key";
import { mergeTags, type Tags } from "../core/tags";
import { ServiceAccountRole } from "./service-account-role";

export const MANAGED_ADDONS = [
  "vpc-cni",
  "kube-proxy",
  "eks-pod-identity-agent",
  "coredns",
  "aws-ebs-csi-driver",
] as const;
export type ManagedAddonName = (typeof MANAGED_ADDONS)[number];

export interface ManagedAddonOptions {
  /** Exact add-on version (`aws eks describe-addon-versions`). @default - EKS's default for the cluster version */
  readonly version?: string;
  /** Add-on configuration values (rendered to JSON). @default - the add-on's defaults */
  readonly configurationValues?: Readonly<Record<string, unknown>>;
}

export interface ClusterAddonsProps {
  readonly clusterName: string;
  readonly oidcProviderArn: string;
  readonly oidcIssuerUrl: string;
  /** Key the EBS CSI driver may use for encrypted volumes. */
  readonly kmsKeyArn: string;
  /** Per add-on overrides. @default {} */
  readonly addons?: Readonly<Partial<Record<ManagedAddonName, ManagedAddonOptions>>>;
  readonly tags?: Tags;
}

export const EBS_CSI_SERVICE_ACCOUNT = "ebs-csi-controller-sa";
export const VPC_CNI_SERVICE_ACCOUNT = "aws-node";

/**
 * The five EKS managed add-ons every platform cluster runs. vpc-cni, kube-proxy and the Pod Identity agent are
 * node-level and come first; coredns and the EBS CSI driver run as Deployments and wait for compute
 * (`addComputeDependency`), otherwise their creation hangs in DEGRADED until it times out.
 */
export class ClusterAddons extends Construct {
  readonly vpcCni: EksAddon;
  readonly kubeProxy: EksAddon;
  readonly podIdentityAgent: EksAddon;
  readonly coreDns: EksAddon;
  readonly ebsCsiDriver: EksAddon;
  readonly vpcCniRole: ServiceAccountRole;
  readonly ebsCsiRole: ServiceAccountRole;

  constructor(scope: Construct, id: string, props: ClusterAddonsProps) {
    super(scope, id);
    const aws = AwsContext.of(this);
    const tags = mergeTags(props.tags);
    const awsPolicy = (name: string) => `arn:${aws.partition}:iam::aws:policy/${name}`;

    // IRSA rather than Pod Identity for the CNI: nodes need working pod networking before the Pod Identity
    // agent can serve credentials.
    this.vpcCniRole = new ServiceAccountRole(this, "VpcCniRole", {
      mode: "irsa",
      clusterName: props.clusterName,
      oidcProviderArn: props.oidcProviderArn,
      oidcIssuerUrl: props.oidcIssuerUrl,
      namespace: "kube-system",
      serviceAccount: VPC_CNI_SERVICE_ACCOUNT,
      managedPolicyArns: { cni: awsPolicy("AmazonEKS_CNI_Policy") },
      tags,
    });

    const ebsKms = new DataAwsIamPolicyDocument(this, "EbsCsiKmsPolicy", {
      statement: [
        {
          sid: "GrantsForEbs",
          effect: "Allow",
          actions: ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"],
          resources: [props.kmsKeyArn],
          condition: [{ test: "Bool", variable: "kms:GrantIsForAWSResource", values: ["true"] }],
        },
        {
          sid: "UseKeyForVolumes",
          effect: "Allow",
          actions: [...KMS_DATA_KEY_ACTIONS],
          resources: [props.kmsKeyArn],
        },
      ],
    });
    this.ebsCsiRole = new ServiceAccountRole(this, "EbsCsiRole", {
      mode: "pod-identity",
      createAssociation: false, // the add-on's pod_identity_association block binds it
      clusterName: props.clusterName,
      namespace: "kube-system",
      serviceAccount: EBS_CSI_SERVICE_ACCOUNT,
      managedPolicyArns: { ebs: awsPolicy("service-role/AmazonEBSCSIDriverPolicy") },
      inlinePolicies: { "ebs-kms": ebsKms.json },
      tags,
    });

    const addon = (
      name: ManagedAddonName,
      extra: Partial<ConstructorParameters<typeof EksAddon>[2]> = {},
    ) => {
      const options = props.addons?.[name] ?? {};
      return new EksAddon(this, name, {
        clusterName: props.clusterName,
        addonName: name,
        addonVersion: options.version,
        configurationValues: options.configurationValues
          ? JSON.stringify(options.configurationValues)
          : undefined,
        resolveConflictsOnCreate: "OVERWRITE",
        resolveConflictsOnUpdate: "OVERWRITE",
        tags,
        ...extra,
      });
    };

    // Each add-on whose pods call AWS waits for its role's permissions (the role ARN alone orders only the role).
    this.vpcCni = addon("vpc-cni", {
      serviceAccountRoleArn: this.vpcCniRole.roleArn,
      dependsOn: [...this.vpcCniRole.grants],
    });
    this.kubeProxy = addon("kube-proxy");
    this.podIdentityAgent = addon("eks-pod-identity-agent");
    this.coreDns = addon("coredns");
    this.ebsCsiDriver = addon("aws-ebs-csi-driver", {
      podIdentityAssociation: [{ roleArn: this.ebsCsiRole.roleArn, serviceAccount: EBS_CSI_SERVICE_ACCOUNT }],
      dependsOn: [this.podIdentityAgent, ...this.ebsCsiRole.grants],
    });
  }

  /** Node-level add-ons nodes should find in place when they join. */
  get nodeLevelAddons(): readonly EksAddon[] {
    return [this.vpcCni, this.kubeProxy, this.podIdentityAgent];
  }

  /** Makes coredns and the EBS CSI driver wait for `compute` (e.g. a node group). */
  addComputeDependency(compute: TerraformResource): void {
    // `fqn` is a token that renders as "${…}" in depends_on; the plain address is what Terraform expects.
    const address = `${compute.terraformResourceType}.${compute.friendlyUniqueId}`;
    for (const addon of [this.coreDns, this.ebsCsiDriver]) {
      addon.dependsOn = [...(addon.dependsOn ?? []), address];
    }
  }
}
