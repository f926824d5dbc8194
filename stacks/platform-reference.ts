import { Fn, type TerraformRemoteState, Token } from "cdktf";
import { Construct } from "constructs";
import type { PlatformConfig } from "../config/schema";
import { remoteStackState, type StateBackendProps } from "../constructs/core/state-backend";
import { stackName } from "./naming";
import { FOUNDATION_OUTPUTS, PLATFORM_OUTPUTS } from "./output-names";

export interface PlatformReferenceProps {
  /** The platform's `name`. */
  readonly name: string;
  /** The platform's `environment`. */
  readonly environment: string;
  /** The platform's `region`: the state bucket's region unless `stateBackend.region` says otherwise. */
  readonly region: string;
  /** The platform's `stateBackend` (type, bucket, keyPrefix, region, path). @default - local state */
  readonly stateBackend?: StateBackendProps;
}

/**
 * A typed handle on an applied platform for a separate cdktf app (a team's own stack): the foundation's and the
 * platform stack's outputs through `terraform_remote_state` on the platform's configured backend. No cdktf
 * cross-stack reference is involved, so the platform's own stacks do not change when an app reads them.
 *
 * Each getter is a Terraform expression (`${data.terraform_remote_state.<id>.outputs.<name>}`) resolved at plan
 * time from the applied state. The platform stack's state is read only when one of its getters is used.
 */
export class PlatformReference extends Construct {
  /** From a parsed platform configuration (the platform's own file, loaded with `loadConfigFile`). */
  static fromConfig(
    scope: Construct,
    id: string,
    config: Pick<PlatformConfig, "name" | "environment" | "region" | "stateBackend">,
  ): PlatformReference {
    return new PlatformReference(scope, id, {
      name: config.name,
      environment: config.environment,
      region: config.region,
      stateBackend: config.stateBackend,
    });
  }

  /** The foundation stack's state (`<name>-<environment>-foundation`). */
  readonly foundation: TerraformRemoteState;
  private readonly props: PlatformReferenceProps;
  private platformState?: TerraformRemoteState;

  constructor(scope: Construct, id: string, props: PlatformReferenceProps) {
    super(scope, id);
    this.props = props;
    this.foundation = this.stateOf("FoundationState", "foundation");
  }

  /** The platform stack's state (`<name>-<environment>-platform`), read from the first use on. */
  get platform(): TerraformRemoteState {
    this.platformState ??= this.stateOf("PlatformState", "platform");
    return this.platformState;
  }

  /** Name of the EKS cluster (created by the kit or brought with `cluster.create: false`). */
  get clusterName(): string {
    return this.foundation.getString(FOUNDATION_OUTPUTS.clusterName);
  }

  /** URL of the cluster's Kubernetes API server. */
  get clusterEndpoint(): string {
    return this.foundation.getString(FOUNDATION_OUTPUTS.clusterEndpoint);
  }

  /** ARN of the cluster's IAM OIDC provider, for IRSA trust policies. */
  get clusterOidcProviderArn(): string {
    return this.foundation.getString(FOUNDATION_OUTPUTS.clusterOidcProviderArn);
  }

  /** `aws eks update-kubeconfig …` for the cluster. */
  get updateKubeconfigCommand(): string {
    return this.foundation.getString(FOUNDATION_OUTPUTS.updateKubeconfigCommand);
  }

  /** ID of the platform's VPC. */
  get vpcId(): string {
    return this.foundation.getString(FOUNDATION_OUTPUTS.vpcId);
  }

  /** Bucket name of a data lake zone (`raw`, `curated`, …); the plan fails if the zone does not exist. */
  dataLakeBucket(zone: string): string {
    return this.lookup(this.foundation, FOUNDATION_OUTPUTS.dataLakeBuckets, zone);
  }

  /** SNS topic of the data lake's access-denied alarms (`dataLake.requestMetrics`). */
  get dataLakeAlarmTopicArn(): string {
    return this.foundation.getString(FOUNDATION_OUTPUTS.dataLakeAlarmTopicArn);
  }

  /** URL of an ECR repository of `registry.repositories`. */
  ecrRepositoryUrl(repository: string): string {
    return this.lookup(this.foundation, FOUNDATION_OUTPUTS.ecrRepositoryUrls, repository);
  }

  /** ARN of an ECR repository of `registry.repositories`. */
  ecrRepositoryArn(repository: string): string {
    return this.lookup(this.foundation, FOUNDATION_OUTPUTS.ecrRepositoryArns, repository);
  }

  /** Role GitHub Actions assume to push images (`registry.githubOidc`). */
  get ecrPushRoleArn(): string {
    return this.foundation.getString(FOUNDATION_OUTPUTS.ecrPushRoleArn);
  }

  /** Kafka bootstrap servers (Strimzi's in-cluster TLS listener, or MSK's IAM brokers). */
  get kafkaBootstrapServers(): string {
    return this.platform.getString(PLATFORM_OUTPUTS.kafkaBootstrapServers);
  }

  /** MLflow's URL (its ingress, or the in-cluster tracking URI). */
  get mlflowUrl(): string {
    return this.platform.getString(PLATFORM_OUTPUTS.mlflowUrl);
  }

  /** ARN of the role an add-on created for `<namespace>/<service account>` (the `service_account_role_arns` output). */
  serviceAccountRoleArn(addOnId: string, namespace: string, serviceAccount: string): string {
    const byAddOn = Fn.lookup(this.platform.get(PLATFORM_OUTPUTS.serviceAccountRoleArns), addOnId);
    return Token.asString(Fn.lookup(byAddOn, `${namespace}/${serviceAccount}`));
  }

  private stateOf(id: string, part: "foundation" | "platform"): TerraformRemoteState {
    const p = this.props;
    const name = stackName({ name: p.name, environment: p.environment }, part);
    return remoteStackState(this, id, name, {
      ...p.stateBackend,
      region: p.stateBackend?.region ?? p.region,
    });
  }

  /** `output["key"]` (cdktf renders the lookup as an index): Terraform fails the plan when the key is missing. */
  private lookup(state: TerraformRemoteState, output: string, key: string): string {
    return Token.asString(Fn.lookup(state.get(output), key));
  }
}
