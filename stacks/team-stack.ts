import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { TerraformStack } from "cdktf";
import type { Construct } from "constructs";
import type { PlatformConfig } from "../config/schema";
import type { TeamConfig } from "../config/teams";
import { ClusterContext } from "../constructs/cluster/cluster-context";
import { configureStateBackend } from "../constructs/core/state-backend";
import { TeamClusterAccess } from "../constructs/teams/cluster-access";
import { TeamNamespace } from "../constructs/teams/namespace";
import { teamLabels, teamNamespace, teamTags } from "../constructs/teams/naming";
import { TeamNetworkPolicies } from "../constructs/teams/network";
import { TeamPlatformLookup } from "../constructs/teams/platform-lookup";
import { platformTags } from "./foundation-stack";
import { clusterName, platformPrefix } from "./naming";
import { platformPrometheus, teamServicePeers } from "./team-services";

export interface TeamEnvironmentStackProps {
  /** The platform's validated configuration (the team is one of `config.teams`). */
  readonly config: PlatformConfig;
  readonly team: string;
  readonly environment: string;
}

/**
 * One environment of one team (`<prefix>-team-<name>-<env>`, its own state): the namespace with its quota,
 * limits, network policies and service account, the members' namespace-scoped cluster access, and what the
 * team is granted of the platform's services.
 *
 * It reads the platform through data sources on derived names (the cluster, the lake's buckets and key), never
 * through cdktf cross-stack references, so adding, changing or removing a team leaves every other stack's JSON
 * as it was. Everything it creates in AWS carries `team=<name>` (provider default tags), the cost-allocation
 * tag of the team's budget.
 */
export class TeamEnvironmentStack extends TerraformStack {
  readonly team: string;
  readonly environment: string;
  readonly teamConfig: TeamConfig;
  readonly lookup: TeamPlatformLookup;
  readonly cluster: ClusterContext;
  readonly namespace: TeamNamespace;
  readonly network: TeamNetworkPolicies;
  /** The members' access entries; in the stack of the team's first environment only (one entry per principal). */
  readonly access?: TeamClusterAccess;
  readonly tags: Record<string, string>;

  constructor(scope: Construct, id: string, props: TeamEnvironmentStackProps) {
    super(scope, id);
    const { config, team, environment } = props;
    const teamConfig = config.teams[team];
    if (!teamConfig)
      throw new Error(`TeamEnvironmentStack: team ${JSON.stringify(team)} is not in config.teams`);
    if (!teamConfig.environments.includes(environment)) {
      throw new Error(
        `TeamEnvironmentStack: teams.${team}.environments: got ${JSON.stringify(teamConfig.environments)}; expected it to contain ${JSON.stringify(environment)}`,
      );
    }
    this.team = team;
    this.environment = environment;
    this.teamConfig = teamConfig;
    this.tags = { ...platformTags(config), ...teamTags(team) };
    new AwsProvider(this, "aws", { region: config.region, defaultTags: [{ tags: this.tags }] });
    configureStateBackend(this, id, {
      ...config.stateBackend,
      region: config.stateBackend.region ?? config.region,
    });

    const zones = [...new Set([...teamConfig.lake.readWriteZones, ...teamConfig.lake.sharedReadZones])];
    this.lookup = new TeamPlatformLookup(this, "Platform", {
      clusterName: clusterName(config),
      region: config.region,
      clusterKmsKeyArn: config.cluster.kmsKeyArn,
      lake: zones.length > 0 ? { namePrefix: platformPrefix(config), zones } : undefined,
    });
    this.cluster = ClusterContext.create(this, "Cluster", {
      ...this.lookup.contextValues(),
      preventDestroy: !config.sandbox,
      tags: this.tags,
    });
    const provider = this.cluster.kubernetesProvider;

    this.namespace = new TeamNamespace(this, "Namespace", {
      team,
      environment,
      provider,
      quota: teamConfig.quota,
    });
    this.network = new TeamNetworkPolicies(this, "Network", {
      provider,
      namespace: this.namespace.namespace,
      labels: teamLabels(team, environment),
      services: teamServicePeers(config, teamConfig.services),
      prometheus: platformPrometheus(config),
      roleMode: "pod-identity",
      vpcCidr: config.network.vpcCidr,
      clusterCidrs: [config.network.vpcCidr, config.cluster.serviceIpv4Cidr],
    });
    if (environment === teamConfig.environments[0] && teamConfig.members.length > 0) {
      this.access = new TeamClusterAccess(this, "ClusterAccess", {
        clusterName: clusterName(config),
        members: teamConfig.members,
        namespaces: teamConfig.environments.map((env) => teamNamespace(team, env)),
      });
    }
  }
}
