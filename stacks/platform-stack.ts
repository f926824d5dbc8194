import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { KubernetesProvider } from "@cdktf/provider-kubernetes/lib/provider";
import { Fn, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import type { PlatformConfig } from "../config/schema";
import { ClusterContext, eksTokenExec } from "../constructs/cluster/cluster-context";
import { type AddOn, type DeployedAddOn, deployAddOns, type ManifestTarget } from "../constructs/core/addon";
import { SnapshotStack } from "../constructs/core/snapshot-stack";
import { configureStateBackend } from "../constructs/core/state-backend";
import type { FoundationStack } from "./foundation-stack";
import { platformTags } from "./foundation-stack";
import { platformPrefix, stackName } from "./naming";
import { addPlatformOutputs } from "./platform-outputs";

export interface PlatformStackProps {
  readonly config: PlatformConfig;
  readonly foundation: FoundationStack;
  /** Add-ons to install, in any order (they are ordered by their dependencies). */
  readonly addOns: readonly AddOn<unknown>[];
}

/**
 * Everything installed into the cluster, through the one add-on contract. The kubernetes and helm providers are
 * built from the foundation stack's values (cdktf turns them into outputs and remote-state reads). Custom
 * resources go to a third stack, created only when an add-on emits one, because Terraform plans a
 * `kubernetes_manifest` against CRDs that must already exist.
 */
export class PlatformStack extends SnapshotStack {
  readonly context: ClusterContext;
  readonly addOns: Map<string, DeployedAddOn>;
  private resourcesStack?: TerraformStack;

  constructor(scope: Construct, id: string, props: PlatformStackProps) {
    super(scope, id);
    const { config, foundation } = props;
    new AwsProvider(this, "aws", { region: config.region, defaultTags: [{ tags: platformTags(config) }] });
    configureStateBackend(this, id, {
      ...config.stateBackend,
      region: config.stateBackend.region ?? config.region,
    });

    this.context = ClusterContext.create(this, "Cluster", {
      ...foundation.cluster.contextProps(),
      region: config.region,
      preventDestroy: !config.sandbox,
      tags: platformTags(config),
    });

    const contextValues = foundation.cluster.contextProps();
    const lazyResources = (): { stack: TerraformStack; provider: KubernetesProvider } => {
      if (!this.resourcesStack) {
        const name = stackName(config, "resources");
        const stack = new TerraformStack(scope, name);
        configureStateBackend(stack, name, {
          ...config.stateBackend,
          region: config.stateBackend.region ?? config.region,
        });
        stack.addDependency(this);
        new KubernetesProvider(stack, "Kubernetes", {
          host: contextValues.endpoint,
          clusterCaCertificate: Fn.base64decode(contextValues.certificateAuthorityData),
          exec: [eksTokenExec({ clusterName: contextValues.clusterName, region: config.region })],
        });
        this.resourcesStack = stack;
      }
      const stack = this.resourcesStack;
      return { stack, provider: stack.node.findChild("Kubernetes") as KubernetesProvider };
    };
    const manifests: ManifestTarget = {
      get scope() {
        return lazyResources().stack;
      },
      get provider() {
        return lazyResources().provider;
      },
    };

    const network = foundation.network;
    this.addOns = deployAddOns(
      new Construct(this, "AddOns"),
      {
        cluster: this.context,
        platform: {
          name: config.name,
          environment: config.environment,
          region: config.region,
          prefix: platformPrefix(config),
          sandbox: config.sandbox,
          tags: platformTags(config),
          vpcId: network.vpcId,
          vpcCidr: network.vpcCidr,
          privateSubnetIds: network.privateSubnetIds,
          containerRepositories: foundation.registry.repositoryUrls,
        },
        dataLake: foundation.dataLake,
      },
      props.addOns,
      manifests,
    );
    addPlatformOutputs(this, this.addOns);
  }

  /** The stack holding custom resources, if any add-on emitted one. */
  get resources(): TerraformStack | undefined {
    return this.resourcesStack;
  }
}
