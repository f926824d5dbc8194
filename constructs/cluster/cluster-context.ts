import { HelmProvider } from "@cdktf/provider-helm/lib/provider";
import { KubernetesProvider } from "@cdktf/provider-kubernetes/lib/provider";
import { Fn } from "cdktf";
import { Construct } from "constructs";
import type { IClusterContext } from "../core/cluster-contract";
import type { Tags } from "../core/tags";
import { ServiceAccountRole, type ServiceAccountRoleOptions } from "./service-account-role";

/**
 * Plain values describing a cluster: what `EksCluster.contextProps()` returns and what another stack needs to
 * rebuild a `ClusterContext` (cross-stack references become outputs/remote state in cdktf).
 */
export interface ClusterContextValues {
  readonly clusterName: string;
  /** API server URL. */
  readonly endpoint: string;
  /** Base64 PEM of the cluster CA, as EKS returns it. */
  readonly certificateAuthorityData: string;
  /** `https://oidc.eks.<region>.amazonaws.com/id/<id>`. */
  readonly oidcIssuerUrl: string;
  readonly oidcProviderArn: string;
  /** The security group EKS created for control plane ↔ node traffic. */
  readonly clusterSecurityGroupId: string;
  readonly vpcId: string;
  readonly privateSubnetIds: readonly string[];
  /** The platform KMS key (secrets, logs, EBS volumes). */
  readonly kmsKeyArn: string;
  readonly kubernetesVersion: string;
  readonly region: string;
  /** Passed on to stateful add-on resources. @default true */
  readonly preventDestroy?: boolean;
  /** Global tags for add-on resources. @default {} */
  readonly tags?: Tags;
}

export interface ClusterContextProps extends ClusterContextValues {
  /** Alias for the kubernetes and helm providers, needed only when one stack talks to several clusters. @default - no alias */
  readonly providerAlias?: string;
  /** IAM role `aws eks get-token` assumes (`--role-arn`). @default - the caller's credentials */
  readonly authRoleArn?: string;
  /** Environment for the `aws` CLI, e.g. `{ AWS_PROFILE: "platform" }`. @default {} */
  readonly authEnv?: Readonly<Record<string, string>>;
}

/** The `client.authentication.k8s.io` exec plugin call both providers use; no token is stored in state. */
export function eksTokenExec(
  props: Pick<ClusterContextProps, "clusterName" | "region" | "authRoleArn" | "authEnv">,
) {
  const args = [
    "eks",
    "get-token",
    "--cluster-name",
    props.clusterName,
    "--region",
    props.region,
    "--output",
    "json",
  ];
  if (props.authRoleArn) args.push("--role-arn", props.authRoleArn);
  return {
    apiVersion: "client.authentication.k8s.io/v1beta1",
    command: "aws",
    args,
    env: props.authEnv && Object.keys(props.authEnv).length > 0 ? { ...props.authEnv } : undefined,
  };
}

/**
 * Everything an in-cluster add-on needs, including kubernetes and helm providers configured for the cluster,
 * created in the stack where the add-on's resources live.
 */
export class ClusterContext extends Construct implements ClusterContextValues, IClusterContext {
  /** Builds the context (and its providers) in `scope`'s stack from plain values. */
  static create(scope: Construct, id: string, props: ClusterContextProps): ClusterContext {
    return new ClusterContext(scope, id, props);
  }

  readonly clusterName: string;
  readonly endpoint: string;
  readonly certificateAuthorityData: string;
  readonly oidcIssuerUrl: string;
  readonly oidcProviderArn: string;
  readonly clusterSecurityGroupId: string;
  readonly vpcId: string;
  readonly privateSubnetIds: readonly string[];
  readonly kmsKeyArn: string;
  readonly kubernetesVersion: string;
  readonly region: string;
  readonly preventDestroy: boolean;
  readonly tags: Tags;
  readonly kubernetesProvider: KubernetesProvider;
  readonly helmProvider: HelmProvider;

  constructor(scope: Construct, id: string, props: ClusterContextProps) {
    super(scope, id);
    this.clusterName = props.clusterName;
    this.endpoint = props.endpoint;
    this.certificateAuthorityData = props.certificateAuthorityData;
    this.oidcIssuerUrl = props.oidcIssuerUrl;
    this.oidcProviderArn = props.oidcProviderArn;
    this.clusterSecurityGroupId = props.clusterSecurityGroupId;
    this.vpcId = props.vpcId;
    this.privateSubnetIds = props.privateSubnetIds;
    this.kmsKeyArn = props.kmsKeyArn;
    this.kubernetesVersion = props.kubernetesVersion;
    this.region = props.region;
    this.preventDestroy = props.preventDestroy ?? true;
    this.tags = props.tags ?? {};

    const exec = eksTokenExec(props);
    const caCertificate = Fn.base64decode(props.certificateAuthorityData);
    this.kubernetesProvider = new KubernetesProvider(this, "Kubernetes", {
      alias: props.providerAlias,
      host: props.endpoint,
      clusterCaCertificate: caCertificate,
      exec: [exec],
    });
    // Helm provider 3.x takes `kubernetes` as an attribute object (not a block list) with a single `exec`.
    this.helmProvider = new HelmProvider(this, "Helm", {
      alias: props.providerAlias,
      kubernetes: { host: props.endpoint, clusterCaCertificate: caCertificate, exec },
    });
  }

  /** An IAM role for one service account of this cluster, created in this context's stack. */
  serviceAccountRole(id: string, options: ServiceAccountRoleOptions): ServiceAccountRole {
    return ServiceAccountRole.forCluster(this, id, this, options);
  }
}
