import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { TerraformOutput } from "cdktf";
import type { Construct } from "constructs";
import { toNodePoolOptions } from "../config/node-pools";
import type { PlatformConfig } from "../config/schema";
import { karpenterDiscoveryTags } from "../constructs/addons/karpenter/discovery";
import { EksCluster } from "../constructs/cluster/eks-cluster";
import { ExistingEksCluster } from "../constructs/cluster/existing-cluster";
import type { NodePoolOptions } from "../constructs/cluster/node-pool-options";
import { SnapshotStack } from "../constructs/core/snapshot-stack";
import { configureStateBackend } from "../constructs/core/state-backend";
import { DataLake } from "../constructs/data-lake/data-lake";
import { Network } from "../constructs/network/network";
import { ContainerRegistry } from "../constructs/registry/registry";
import { clusterName, platformPrefix } from "./naming";
import { FOUNDATION_OUTPUTS } from "./output-names";

export interface FoundationStackProps {
  readonly config: PlatformConfig;
}

/** Provider default tags: the user's global tags plus the platform's identity. */
export function platformTags(config: PlatformConfig): Record<string, string> {
  return {
    ...config.tags,
    "mlops.io/platform": config.name,
    "mlops.io/environment": config.environment,
  };
}

/**
 * The managed node groups of the configuration as construct options: pools with `create: false` are left out,
 * and so are Karpenter pools (the Karpenter add-on turns them into NodePools in the platform stack).
 */
export function nodePoolOptions(config: PlatformConfig): Record<string, NodePoolOptions> {
  const pools: Record<string, NodePoolOptions> = {};
  for (const [name, p] of Object.entries(config.nodePools)) {
    if (!p.create || p.provisioner === "karpenter") continue;
    pools[name] = toNodePoolOptions(p);
  }
  return pools;
}

/**
 * The AWS base of one platform environment: network, EKS with its node pools and keys, the data lake and the
 * ECR repositories.
 * Everything stateful here is protected by `prevent_destroy` unless the configuration says `sandbox: true`.
 */
export class FoundationStack extends SnapshotStack {
  readonly config: PlatformConfig;
  readonly network: Network;
  /** The cluster the kit created, or (`cluster.create: false`) the existing one read through data sources. */
  readonly cluster: EksCluster | ExistingEksCluster;
  readonly dataLake?: DataLake;
  readonly registry: ContainerRegistry;

  constructor(scope: Construct, id: string, props: FoundationStackProps) {
    super(scope, id);
    const { config } = props;
    this.config = config;
    const prefix = platformPrefix(config);
    const preventDestroy = !config.sandbox;
    new AwsProvider(this, "aws", { region: config.region, defaultTags: [{ tags: platformTags(config) }] });
    configureStateBackend(this, id, {
      ...config.stateBackend,
      region: config.stateBackend.region ?? config.region,
    });

    const name = clusterName(config);
    // Only where Karpenter runs: its EC2NodeClasses find subnets and security groups by this tag.
    const discovery = config.capacity.autoscaler === "karpenter" ? karpenterDiscoveryTags(name) : undefined;
    const n = config.network;
    this.network = new Network(this, "Network", {
      name: prefix,
      createVpc: n.createVpc,
      cidr: n.createVpc ? n.vpcCidr : undefined,
      azCount: n.createVpc ? n.azCount : undefined,
      natGatewayStrategy: n.natGatewayStrategy,
      interfaceEndpoints: n.interfaceEndpoints,
      flowLogRetentionInDays: n.flowLogRetentionInDays,
      clusterName: name,
      vpcId: n.vpcId,
      vpcCidr: n.createVpc ? undefined : n.vpcCidr,
      privateSubnetIds: n.createVpc ? undefined : n.privateSubnetIds,
      publicSubnetIds: n.createVpc ? undefined : n.publicSubnetIds,
      privateSubnetDiscoveryTags: discovery,
      preventDestroy,
    });

    if (config.dataLake.create) {
      const lake = config.dataLake;
      this.dataLake = new DataLake(this, "DataLake", {
        namePrefix: prefix,
        zones: Object.fromEntries(
          Object.entries(lake.zones).map(([zone, z]) => [
            zone,
            {
              noncurrentVersionExpirationInDays:
                z.noncurrentVersionExpirationInDays ?? lake.noncurrentVersionExpirationInDays,
              transitionToIntelligentTieringAfterDays: z.transitionToIntelligentTieringAfterDays,
              expirationInDays: z.expirationInDays,
              tags: z.tags,
            },
          ]),
        ),
        accessLogRetentionInDays: lake.accessLogRetentionInDays,
        enableLakeFormation: lake.enableLakeFormation,
        requestMetrics: lake.requestMetrics.enabled
          ? {
              accessDeniedThreshold: lake.requestMetrics.accessDeniedThreshold,
              alarmTopicArn: lake.requestMetrics.alarmTopicArn,
            }
          : undefined,
        preventDestroy,
      });
    }

    const c = config.cluster;
    // Bring your own: the same facts, read from the existing cluster; the platform stack cannot tell the two apart.
    this.cluster = c.create
      ? new EksCluster(this, "Cluster", {
          clusterName: name,
          kubernetesVersion: c.kubernetesVersion,
          vpcId: this.network.vpcId,
          subnetIds: this.network.privateSubnetIds,
          endpointPublicAccess: c.endpointPublicAccess,
          publicAccessCidrs: c.publicAccessCidrs,
          kmsKeyArn: c.kmsKeyArn,
          logRetentionInDays: c.logRetentionInDays,
          adminPrincipalArns: c.adminPrincipalArns,
          serviceIpv4Cidr: c.serviceIpv4Cidr,
          nodePools: nodePoolOptions(config),
          clusterSecurityGroupTags: discovery,
          preventDestroy,
        })
      : new ExistingEksCluster(this, "Cluster", {
          clusterName: name,
          kubernetesVersion: c.kubernetesVersion,
          vpcId: this.network.vpcId,
          subnetIds: this.network.privateSubnetIds,
          oidcProviderArn: c.oidcProviderArn,
          kmsKeyArn: c.kmsKeyArn,
          nodePools: nodePoolOptions(config),
          clusterSecurityGroupTags: discovery,
          preventDestroy,
        });

    // The platform key (the cluster's, or the user's cluster.kmsKeyArn) encrypts the images too: one key to
    // audit and rotate for everything the cluster runs.
    this.registry = new ContainerRegistry(this, "Registry", {
      namePrefix: prefix,
      repositories: config.registry.repositories,
      kmsKeyArn: this.cluster.kmsKeyArn,
      githubOidc: config.registry.githubOidc.enabled
        ? {
            repository: config.registry.githubOidc.repository ?? "",
            branches: config.registry.githubOidc.branches,
            providerArn: config.registry.githubOidc.providerArn,
          }
        : undefined,
      preventDestroy,
    });

    // What a user needs next; none is sensitive (names, addresses, ARNs). Output names are public API.
    new TerraformOutput(this, FOUNDATION_OUTPUTS.clusterName, {
      value: this.cluster.clusterName,
      description: "Name of the EKS cluster.",
    });
    new TerraformOutput(this, FOUNDATION_OUTPUTS.clusterEndpoint, {
      value: this.cluster.endpoint,
      description: "URL of the cluster's Kubernetes API server.",
    });
    new TerraformOutput(this, FOUNDATION_OUTPUTS.updateKubeconfigCommand, {
      value: `aws eks update-kubeconfig --region ${config.region} --name ${this.cluster.clusterName}`,
      description: "Adds the cluster to your kubeconfig (needs an access entry: cluster.adminPrincipalArns).",
    });
    new TerraformOutput(this, FOUNDATION_OUTPUTS.clusterOidcProviderArn, {
      value: this.cluster.oidcProviderArn,
      description: "ARN of the cluster's IAM OIDC provider, for IRSA trust policies of your own roles.",
    });
    new TerraformOutput(this, FOUNDATION_OUTPUTS.vpcId, {
      value: this.network.vpcId,
      description: "ID of the platform's VPC.",
    });
    if (Object.keys(this.registry.repositories).length > 0) {
      new TerraformOutput(this, FOUNDATION_OUTPUTS.ecrRepositoryUrls, {
        value: this.registry.repositoryUrls,
        description:
          "ECR repository URLs by name (registry.repositories): push images here, pin them in config by digest.",
      });
      new TerraformOutput(this, FOUNDATION_OUTPUTS.ecrRepositoryArns, {
        value: this.registry.repositoryArns,
        description: "ECR repository ARNs by name, for the IAM policy of the role that pushes (CI).",
      });
    }
    if (this.registry.githubPushRole) {
      new TerraformOutput(this, FOUNDATION_OUTPUTS.ecrPushRoleArn, {
        value: this.registry.githubPushRole.roleArn,
        description:
          "Role GitHub Actions assume through OIDC to push images (registry.githubOidc): the image workflow's AWS_ROLE_ARN.",
      });
    }
    if (this.dataLake) {
      new TerraformOutput(this, FOUNDATION_OUTPUTS.dataLakeBuckets, {
        value: Object.fromEntries(Object.entries(this.dataLake.buckets).map(([z, b]) => [z, b.bucketName])),
        description: "Data lake bucket names by zone.",
      });
      if (this.dataLake.alarmTopicArn) {
        new TerraformOutput(this, FOUNDATION_OUTPUTS.dataLakeAlarmTopicArn, {
          value: this.dataLake.alarmTopicArn,
          description: "SNS topic of the data lake's 4xx (access denied) alarms: subscribe to be notified.",
        });
      }
    }
  }
}
