import { HelmProvider } from "@cdktf/provider-helm/lib/provider";
import { KubernetesProvider } from "@cdktf/provider-kubernetes/lib/provider";
import { Fn } from "cdktf";
import { Construct } from "constructs";
import type { ClusterContextValues, ClusterFacts, IClusterContext } from "../core/cluster-contract";
import { ServiceAccountRole, type ServiceAccountRoleOptions } from "./service-account-role";

export type { ClusterContextValues, ClusterFacts };

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
// The facts are declared once (ClusterFacts) and assigned from one object in the constructor: no second field list.
export interface ClusterContext extends ClusterFacts {}
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the facts are declared once (ClusterFacts) and assigned from one object in the constructor, instead of a second field list here
export class ClusterContext extends Construct implements IClusterContext {
  /** Builds the context (and its providers) in `scope`'s stack from plain values. */
  static create(scope: Construct, id: string, props: ClusterContextProps): ClusterContext {
    return new ClusterContext(scope, id, props);
  }

  readonly kubernetesProvider: KubernetesProvider;
  readonly helmProvider: HelmProvider;

  constructor(scope: Construct, id: string, props: ClusterContextProps) {
    super(scope, id);
    const { providerAlias: _alias, authRoleArn: _role, authEnv: _env, ...values } = props;
    const facts: ClusterFacts = {
      ...values,
      preventDestroy: props.preventDestroy ?? true,
      tags: props.tags ?? {},
    };
    Object.assign(this, facts);

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
