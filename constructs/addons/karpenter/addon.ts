import { dependable, type ITerraformDependable } from "cdktf";
import type { NodeTaint } from "../../cluster/node-pool-options";
import { idFragment } from "../../cluster/validation";
import type { AddOn, AddOnContext } from "../../core/addon";
import type { AddOnDefinition, AddOnSelection } from "../../core/addon-definition";
import { CHARTS } from "../../core/charts";
import { HelmAddOn, type HelmAddOnOutputs, type HelmAddOnProps } from "../../core/helm-addon";
import { HelmRelease } from "../../core/helm-release";
import type { PlatformNamespace } from "../../core/platform-namespace";
import { podMonitor } from "../../core/pod-monitor";
import { KarpenterAwsResources } from "./aws-resources";
import { karpenterDiscoveryTags } from "./discovery";
import {
  KARPENTER_ADDON_ID,
  KARPENTER_METRICS_PORT,
  KARPENTER_NAMESPACE,
  KARPENTER_POD_LABELS,
  KARPENTER_RELEASE,
  KARPENTER_SERVICE_ACCOUNT,
} from "./names";
import { ec2NodeClass } from "./node-class";
import { karpenterNodePool } from "./node-pool";
import { type KarpenterPoolOptions, type ResolvedKarpenterPool, resolveKarpenterPool } from "./pool-options";
import { validateKarpenterPool } from "./pool-validation";
import { karpenterChartValues } from "./values";

export * from "./names";

export interface KarpenterAddOnProps extends HelmAddOnProps {
  /** The pools Karpenter provisions, by name (each becomes a NodePool and an EC2NodeClass). @default {} */
  readonly pools?: Readonly<Record<string, KarpenterPoolOptions>>;
  /** Managed node groups the controller runs on (`mlops.io/node-pool` values); never a pool it provisions. */
  readonly systemPools: readonly string[];
  /** Taints of those node groups, which the controller tolerates. @default [] */
  readonly systemPoolTaints?: readonly NodeTaint[];
  /** Controller replicas. @default 2 */
  readonly replicas?: number;
}

export interface KarpenterOutputs extends HelmAddOnOutputs {
  readonly aws: KarpenterAwsResources;
  readonly crdRelease: HelmRelease;
  /** The NodePool and EC2NodeClass objects, by pool name. */
  readonly pools: Readonly<Record<string, { readonly nodePool: unknown; readonly nodeClass: unknown }>>;
}

/**
 * Karpenter, the node autoscaler: its AWS side (controller role, node role, interruption queue:
 * `KarpenterAwsResources`), the CRDs through the karpenter-crd chart, the controller on the managed system
 * pool(s) (2 replicas, PDB, restricted pods, HTTPS-only egress), and for every Karpenter pool a NodePool with
 * its EC2NodeClass, applied in the manifests stack once the CRDs exist. Karpenter 1.x runs no webhook.
 */
export class KarpenterAddOn extends HelmAddOn<KarpenterOutputs> {
  readonly id = KARPENTER_ADDON_ID;
  protected readonly chart = CHARTS.karpenter;
  protected readonly defaultNamespace = KARPENTER_NAMESPACE;
  protected readonly defaultReleaseName = KARPENTER_RELEASE;
  private aws?: KarpenterAwsResources;
  private resolved: ResolvedKarpenterPool[] = [];
  private crdRelease?: HelmRelease;

  constructor(private readonly props: KarpenterAddOnProps) {
    const { pools: _pools, systemPools, systemPoolTaints: _taints, replicas: _replicas, ...helm } = props;
    super(helm);
  }

  /**
   * The pools with their defaults, checked. Not in the constructor: the registry creates add-ons while the
   * configuration is validated, where a bad pool must surface as the configuration's error, with its path.
   */
  get pools(): ResolvedKarpenterPool[] {
    return Object.entries(this.props.pools ?? {}).map(([name, options]) => {
      const pool = resolveKarpenterPool(name, options);
      validateKarpenterPool(pool);
      return pool;
    });
  }

  protected override beforeRelease(context: AddOnContext, namespace: PlatformNamespace): void {
    if (this.props.systemPools.length === 0) {
      throw new Error(
        "Invalid systemPools: got []; expected the managed node group(s) the Karpenter controller runs on",
      );
    }
    this.resolved = this.pools;
    this.aws = new KarpenterAwsResources(context.scope, "Aws", {
      cluster: context.cluster,
      namespace: this.namespaceName,
      serviceAccountName: KARPENTER_SERVICE_ACCOUNT,
      serviceAccountRoleMode: "irsa",
      preventDestroy: context.cluster.preventDestroy,
      tags: context.platform.tags,
    });
    this.crdRelease = new HelmRelease(context.scope, "CrdRelease", {
      provider: context.cluster.helmProvider,
      chart: CHARTS.karpenterCrd,
      namespace: this.namespaceName,
      releaseName: `${KARPENTER_RELEASE}-crd`,
      values: {},
      dependsOn: [namespace.resource],
    });
    // The Kubernetes API (EKS endpoint ENIs in the VPC) and the AWS APIs (EC2, SQS, SSM, pricing, STS): HTTPS only.
    namespace.allowHttpsEgress("ControllerHttps", KARPENTER_POD_LABELS);
    if (context.has("monitoring")) {
      namespace.allowIngress(
        "Metrics",
        {
          from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } }],
          ports: [{ port: String(KARPENTER_METRICS_PORT), protocol: "TCP" }],
        },
        KARPENTER_POD_LABELS,
      );
    }
  }

  /**
   * The CRDs first (the controller watches NodePools from its first loop), and the AWS grants: the controller
   * role's policy attachments (the values name only the role's ARN, which Terraform would order before its
   * permissions) and the node role's policies and access entry, without which the nodes it launches cannot join.
   */
  protected override releaseDependsOn(): readonly ITerraformDependable[] {
    const aws = this.aws as KarpenterAwsResources;
    return [this.crdRelease as HelmRelease, ...aws.grants];
  }

  protected values(context: AddOnContext): Record<string, unknown> {
    const aws = this.aws as KarpenterAwsResources;
    return karpenterChartValues({
      clusterName: context.cluster.clusterName,
      controllerRoleArn: aws.controllerRoleArn,
      interruptionQueueName: aws.interruptionQueueName,
      systemPools: this.props.systemPools,
      systemPoolTaints: this.props.systemPoolTaints,
      replicas: this.props.replicas,
    });
  }

  protected override afterRelease(context: AddOnContext, outputs: HelmAddOnOutputs): KarpenterOutputs {
    const aws = this.aws as KarpenterAwsResources;
    const crdRelease = this.crdRelease as HelmRelease;
    // The CRDs are the karpenter-crd release's; the controller's chart must not install (and never upgrade) its copy.
    outputs.release.skipCrds = true;
    const cluster = context.cluster;
    const pools: Record<string, { nodePool: unknown; nodeClass: unknown }> = {};
    for (const pool of this.resolved) {
      const id = idFragment(pool.poolName);
      const nodeClass = context.manifest(
        `NodeClass-${id}`,
        ec2NodeClass({
          pool,
          clusterName: cluster.clusterName,
          nodeRoleName: aws.nodeRoleName,
          kmsKeyArn: cluster.kmsKeyArn,
          discoveryTags: karpenterDiscoveryTags(cluster.clusterName),
          globalTags: cluster.tags,
        }),
      );
      const nodePool = context.manifest(`NodePool-${id}`, karpenterNodePool(pool));
      nodePool.dependsOn = [dependable(nodeClass)];
      pools[pool.poolName] = { nodePool, nodeClass };
    }
    if (context.has("monitoring")) {
      context.manifest(
        "ControllerPodMonitor",
        podMonitor({
          name: "karpenter",
          namespace: this.namespaceName,
          selector: KARPENTER_POD_LABELS,
          portNumber: KARPENTER_METRICS_PORT,
        }),
      );
    }
    return { ...outputs, aws, crdRelease, pools };
  }
}

/** The Karpenter add-on (id `karpenter`) for the given pools, running on the given managed node groups. */
export function karpenterAddOn(props: KarpenterAddOnProps): AddOn<KarpenterOutputs> {
  return new KarpenterAddOn(props);
}

/**
 * The platform's Karpenter pools. AddOnSelection describes pools only as far as every add-on needs them; a
 * pool with `provisioner: karpenter` comes from the configuration's `nodePools`, whose type config/node-pools.ts
 * checks against `KarpenterPoolOptions` at compile time.
 */
export function karpenterPools(platform: AddOnSelection): Record<string, KarpenterPoolOptions> {
  return Object.fromEntries(
    Object.entries(platform.nodePools)
      .filter(([, p]) => p.create && p.provisioner === "karpenter")
      .map(([name, p]) => [name, p as KarpenterPoolOptions]),
  );
}

/** The managed CPU node groups (where the controller runs) and their taints. */
export function systemPools(platform: AddOnSelection): { names: string[]; taints: NodeTaint[] } {
  const managed = Object.entries(platform.nodePools).filter(
    ([, p]) => p.create && !p.gpu && (p.provisioner ?? "managed") === "managed",
  );
  return { names: managed.map(([name]) => name), taints: managed.flatMap(([, p]) => p.taints ?? []) };
}

/** The registry entry: on when `capacity.autoscaler` is `karpenter`. */
export const karpenterDefinition = {
  id: KARPENTER_ADDON_ID,
  enabled: (platform) => platform.capacity?.autoscaler === "karpenter",
  create: (_config, platform) => {
    const selection = platform ?? { addons: {}, nodePools: {} };
    const system = systemPools(selection);
    return new KarpenterAddOn({
      pools: karpenterPools(selection),
      systemPools: system.names,
      systemPoolTaints: system.taints,
    });
  },
} satisfies AddOnDefinition;
