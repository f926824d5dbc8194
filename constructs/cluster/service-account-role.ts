import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { EksPodIdentityAssociation } from "@cdktf/provider-aws/lib/eks-pod-identity-association";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { Fn, type ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { AwsContext } from "../core/aws-context";
import type {
  IServiceAccountRole,
  ServiceAccountRoleMode,
  ServiceAccountRoleOptions,
} from "../core/cluster-contract";
import { mergeTags, type Tags } from "../core/tags";
import { idFragment, invalidProp, isUnresolved } from "./validation";

export type { ServiceAccountRoleMode, ServiceAccountRoleOptions };

export const SERVICE_ACCOUNT_ROLE_MODES: readonly ServiceAccountRoleMode[] = ["irsa", "pod-identity"];

export interface ServiceAccountRoleProps extends ServiceAccountRoleOptions {
  /** Cluster name: the pod identity association's cluster and the trust policy's `eks-cluster-name` tag. */
  readonly clusterName: string;
  /** IAM OIDC provider ARN of the cluster. @default - required when mode is "irsa" */
  readonly oidcProviderArn?: string;
  /** Cluster OIDC issuer URL (`https://oidc.eks…`). @default - required when mode is "irsa" */
  readonly oidcIssuerUrl?: string;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * An IAM role for one Kubernetes service account, through IRSA or EKS Pod Identity. Every in-cluster add-on
 * that calls AWS gets its permissions this way, never from the node role.
 */
export class ServiceAccountRole extends Construct implements IServiceAccountRole {
  /**
   * A role for a service account of `cluster` (an `EksCluster` or a `ClusterContext`): the cluster's name and
   * OIDC provider, the cluster's tags under the caller's.
   */
  static forCluster(
    scope: Construct,
    id: string,
    cluster: Pick<ServiceAccountRoleProps, "clusterName" | "oidcProviderArn" | "oidcIssuerUrl"> & {
      readonly tags: Tags;
    },
    options: ServiceAccountRoleOptions,
  ): ServiceAccountRole {
    return new ServiceAccountRole(scope, id, {
      ...options,
      clusterName: cluster.clusterName,
      oidcProviderArn: cluster.oidcProviderArn,
      oidcIssuerUrl: cluster.oidcIssuerUrl,
      tags: mergeTags(cluster.tags, options.tags),
    });
  }

  readonly resource: IamRole;
  readonly roleArn: string;
  readonly roleName: string;
  readonly mode: ServiceAccountRoleMode;
  readonly association?: EksPodIdentityAssociation;
  readonly grants: readonly ITerraformDependable[];

  constructor(scope: Construct, id: string, props: ServiceAccountRoleProps) {
    super(scope, id);
    const mode = props.mode ?? "pod-identity";
    validateServiceAccountRoleProps(props, mode);
    this.mode = mode;

    const trust =
      mode === "irsa"
        ? irsaTrust(this, props.oidcProviderArn as string, props.oidcIssuerUrl as string, props)
        : podIdentityTrust(this, props);

    this.resource = new IamRole(this, "Resource", {
      name: props.roleName,
      assumeRolePolicy: trust.json,
      permissionsBoundary: props.permissionsBoundaryArn,
      description: `${mode} role for ${props.namespace}/${props.serviceAccount}`,
      tags: mergeTags(props.tags),
    });
    this.roleArn = this.resource.arn;
    this.roleName = this.resource.name;

    const grants: ITerraformDependable[] = [];
    for (const [name, policyArn] of Object.entries(props.managedPolicyArns ?? {})) {
      grants.push(
        new IamRolePolicyAttachment(this, `Attach-${idFragment(name)}`, {
          role: this.resource.name,
          policyArn,
        }),
      );
    }
    for (const [name, policy] of Object.entries(props.inlinePolicies ?? {})) {
      grants.push(
        new IamRolePolicy(this, `Policy-${idFragment(name)}`, { role: this.resource.id, name, policy }),
      );
    }

    if (mode === "pod-identity" && (props.createAssociation ?? true)) {
      this.association = new EksPodIdentityAssociation(this, "Association", {
        clusterName: props.clusterName,
        namespace: props.namespace,
        serviceAccount: props.serviceAccount,
        roleArn: this.resource.arn,
        tags: mergeTags(props.tags),
      });
      grants.push(this.association);
    }
    this.grants = grants;
  }
}

function validateServiceAccountRoleProps(props: ServiceAccountRoleProps, mode: ServiceAccountRoleMode): void {
  if (!SERVICE_ACCOUNT_ROLE_MODES.includes(mode)) {
    throw invalidProp("mode", mode, '"irsa" or "pod-identity"');
  }
  if (!isUnresolved(props.namespace) && (!DNS_LABEL.test(props.namespace) || props.namespace.length > 63)) {
    throw invalidProp("namespace", props.namespace, "a Kubernetes namespace name (DNS-1123 label)");
  }
  if (
    !isUnresolved(props.serviceAccount) &&
    (!DNS_SUBDOMAIN.test(props.serviceAccount) || props.serviceAccount.length > 253)
  ) {
    throw invalidProp("serviceAccount", props.serviceAccount, "a Kubernetes service account name");
  }
  if (
    props.roleName !== undefined &&
    !isUnresolved(props.roleName) &&
    !/^[\w+=,.@-]{1,64}$/.test(props.roleName)
  ) {
    throw invalidProp("roleName", props.roleName, "an IAM role name of 1-64 characters [A-Za-z0-9+=,.@_-]");
  }
  if (mode === "irsa" && (!props.oidcProviderArn || !props.oidcIssuerUrl)) {
    throw invalidProp(
      "oidcProviderArn/oidcIssuerUrl",
      { oidcProviderArn: props.oidcProviderArn, oidcIssuerUrl: props.oidcIssuerUrl },
      'both set when mode is "irsa"',
    );
  }
  if (mode === "irsa" && props.createAssociation === true) {
    throw invalidProp("createAssociation", true, 'unset or false when mode is "irsa"');
  }
}

/** `https://oidc.eks.<region>.amazonaws.com/id/X` → `oidc.eks.<region>.amazonaws.com/id/X`, the condition key prefix. */
export function oidcIssuerHost(issuerUrl: string): string {
  return isUnresolved(issuerUrl)
    ? Fn.replace(issuerUrl, "https://", "")
    : issuerUrl.replace(/^https:\/\//, "");
}

function irsaTrust(
  scope: Construct,
  providerArn: string,
  issuerUrl: string,
  props: ServiceAccountRoleProps,
): DataAwsIamPolicyDocument {
  const issuer = oidcIssuerHost(issuerUrl);
  return new DataAwsIamPolicyDocument(scope, "TrustPolicy", {
    statement: [
      {
        sid: "ServiceAccountWebIdentity",
        effect: "Allow",
        actions: ["sts:AssumeRoleWithWebIdentity"],
        principals: [{ type: "Federated", identifiers: [providerArn] }],
        condition: [
          {
            test: "StringEquals",
            variable: `${issuer}:sub`,
            values: [`system:serviceaccount:${props.namespace}:${props.serviceAccount}`],
          },
          { test: "StringEquals", variable: `${issuer}:aud`, values: ["sts.amazonaws.com"] },
        ],
      },
    ],
  });
}

function podIdentityTrust(scope: Construct, props: ServiceAccountRoleProps): DataAwsIamPolicyDocument {
  const aws = AwsContext.of(scope);
  // Pod Identity passes these as session tags; matching them keeps other clusters, namespaces and service
  // accounts of the account from using the role through their own association.
  return new DataAwsIamPolicyDocument(scope, "TrustPolicy", {
    statement: [
      {
        sid: "EksPodIdentity",
        effect: "Allow",
        actions: ["sts:AssumeRole", "sts:TagSession"],
        principals: [{ type: "Service", identifiers: ["pods.eks.amazonaws.com"] }],
        condition: [
          { test: "StringEquals", variable: "aws:SourceAccount", values: [aws.accountId] },
          { test: "StringEquals", variable: "aws:RequestTag/eks-cluster-name", values: [props.clusterName] },
          {
            test: "StringEquals",
            variable: "aws:RequestTag/kubernetes-namespace",
            values: [props.namespace],
          },
          {
            test: "StringEquals",
            variable: "aws:RequestTag/kubernetes-service-account",
            values: [props.serviceAccount],
          },
        ],
      },
    ],
  });
}
