import { createHash } from "node:crypto";
import { DataAwsMskCluster } from "@cdktf/provider-aws/lib/data-aws-msk-cluster";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { KubernetesProvider } from "@cdktf/provider-kubernetes/lib/provider";
import { Fn } from "cdktf";
import type { Construct } from "constructs";
import type { PlatformConfig } from "../config/schema";
import type { TeamConfig } from "../config/teams";
import { KAFKA_NAMESPACE } from "../constructs/addons/kafka/strimzi";
import { MLFLOW_NAMESPACE, MLFLOW_PORT, MLFLOW_SECRETS } from "../constructs/addons/mlflow/names";
import { eksTokenExec } from "../constructs/cluster/cluster-context";
import { AwsContext } from "../constructs/core/aws-context";
import { SnapshotStack } from "../constructs/core/snapshot-stack";
import { configureStateBackend } from "../constructs/core/state-backend";
import { s3ServiceEndpoint } from "../constructs/data-lake/grants";
import { glueDatabaseName } from "../constructs/data-lake/naming";
import { TeamBudget } from "../constructs/teams/budget";
import { TeamClusterAccess } from "../constructs/teams/cluster-access";
import { TeamDashboard } from "../constructs/teams/dashboard";
import { TeamStrimziKafkaAccess, teamMskStatements } from "../constructs/teams/kafka-access";
import { TeamLakeFormation, teamLakeFormationStatements } from "../constructs/teams/lake-formation";
import { TeamLogSpace } from "../constructs/teams/log-space";
import { TeamMlflowAccess } from "../constructs/teams/mlflow-access";
import { TeamNamespace } from "../constructs/teams/namespace";
import { teamLabels, teamNamespace, teamTags } from "../constructs/teams/naming";
import { TeamNetworkPolicies } from "../constructs/teams/network";
import { TeamPlatformLookup } from "../constructs/teams/platform-lookup";
import { TeamWorkloadRole } from "../constructs/teams/workload-role";
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
export class TeamEnvironmentStack extends SnapshotStack {
  readonly team: string;
  readonly environment: string;
  readonly teamConfig: TeamConfig;
  readonly lookup: TeamPlatformLookup;
  /** The Kubernetes provider of the stack, for the platform's cluster (a token from `aws eks get-token`, never stored). */
  readonly kubernetesProvider: KubernetesProvider;
  readonly namespace: TeamNamespace;
  readonly network: TeamNetworkPolicies;
  /** The members' access entries; in the stack of the team's first environment only (one entry per principal). */
  readonly access?: TeamClusterAccess;
  /** The one IAM role of the environment's workloads (service account `team-<name>`). */
  readonly workloadRole: TeamWorkloadRole;
  /** The team's KafkaUser and its credentials in the namespace (Strimzi). */
  readonly kafka?: TeamStrimziKafkaAccess;
  /** The team's budget; in the first environment's stack (it covers the team's tag, every environment). */
  readonly budget?: TeamBudget;
  /** The team's MLflow user and grants (MLflow with basic auth). */
  readonly mlflow?: TeamMlflowAccess;
  /** Lake Formation grants to this environment's role (and, in the first environment's, the team's database). */
  readonly lakeFormation?: TeamLakeFormation;
  readonly dashboard?: TeamDashboard;
  readonly logSpace?: TeamLogSpace;
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
      lake: zones.length > 0 ? { namePrefix: platformPrefix(config), zones } : undefined,
    });
    const cluster = this.lookup.clusterValues();
    this.kubernetesProvider = new KubernetesProvider(this, "Kubernetes", {
      host: cluster.endpoint,
      clusterCaCertificate: Fn.base64decode(cluster.certificateAuthorityData),
      exec: [eksTokenExec({ clusterName: cluster.clusterName, region: config.region })],
    });
    const provider = this.kubernetesProvider;

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
    const first = environment === teamConfig.environments[0];
    if (first && teamConfig.members.length > 0) {
      this.access = new TeamClusterAccess(this, "ClusterAccess", {
        clusterName: clusterName(config),
        members: teamConfig.members,
        namespaces: teamConfig.environments.map((env) => teamNamespace(team, env)),
      });
    }

    const kafka = teamConfig.services.includes("kafka") ? config.addons.kafka : undefined;
    const predictions = {
      readPredictions: teamConfig.kafka.readPredictions,
      predictionsTopic: PREDICTIONS_TOPIC,
    };
    const aws = AwsContext.of(this);
    const prefix = platformPrefix(config);
    const lakeFormation = config.dataLake.enableLakeFormation && zones.length > 0;
    this.workloadRole = new TeamWorkloadRole(this, "WorkloadRole", {
      team,
      environment,
      cluster: {
        clusterName: cluster.clusterName,
        oidcProviderArn: cluster.oidcProviderArn,
        oidcIssuerUrl: cluster.oidcIssuerUrl,
      },
      mode: "pod-identity",
      roleName: teamRoleName(id),
      lake:
        zones.length > 0
          ? {
              buckets: this.lookup.buckets,
              kmsKeyArn: this.lookup.lakeKmsKeyArn as string,
              s3ServiceEndpoint: s3ServiceEndpoint(aws),
              readWriteZones: teamConfig.lake.readWriteZones,
              sharedReadZones: teamConfig.lake.sharedReadZones,
            }
          : undefined,
      statements: [
        ...(kafka?.mode === "msk"
          ? teamMskStatements({ team, cluster: this.mskCluster(`${prefix}-kafka`), aws, ...predictions })
          : []),
        ...(lakeFormation
          ? teamLakeFormationStatements({
              team,
              aws,
              sharedReadDatabases: teamConfig.lake.sharedReadZones.map((z) => glueDatabaseName(prefix, z)),
            })
          : []),
      ],
    });
    // One Glue database per team (team_<name>): the first environment's stack creates it, every environment's
    // stack grants its own role on it (the blueprint applies the others after the first).
    if (lakeFormation) {
      this.lakeFormation = new TeamLakeFormation(this, "LakeFormation", {
        team,
        createDatabase: first,
        principalArn: this.workloadRole.roleArn,
        buckets: this.lookup.buckets,
        zoneDatabases: Object.fromEntries(zones.map((z) => [z, glueDatabaseName(prefix, z)])),
        readWriteZones: teamConfig.lake.readWriteZones,
        sharedReadZones: teamConfig.lake.sharedReadZones,
        preventDestroy: !config.sandbox,
      });
    }
    const mlflow = config.addons.mlflow;
    if (teamConfig.services.includes("mlflow") && mlflow.auth.mode === "basic") {
      this.mlflow = new TeamMlflowAccess(this, "Mlflow", {
        team,
        environment,
        namespace: this.namespace.name,
        trackingUri: `http://mlflow.${MLFLOW_NAMESPACE}.svc:${MLFLOW_PORT}`,
        adminSecret: { namespace: MLFLOW_NAMESPACE, name: MLFLOW_SECRETS.admin },
        provider,
        labels: teamLabels(team, environment),
        dependsOn: [this.namespace.namespace.resource],
      });
    }
    if (kafka?.mode === "strimzi") {
      this.kafka = new TeamStrimziKafkaAccess(this, "Kafka", {
        team,
        environment,
        kafka: { namespace: KAFKA_NAMESPACE, cluster: kafka.strimzi.clusterName },
        authentication: kafka.strimzi.authentication,
        provider,
        namespace: { name: this.namespace.name, dependsOn: [this.namespace.namespace.resource] },
        ...predictions,
      });
    }

    const budget = teamConfig.budget;
    if (first && budget) {
      this.budget = new TeamBudget(this, "Budget", {
        team,
        budgetName: `${platformPrefix(config)}-team-${team}`,
        limitUsdPerMonth: budget.limitUsdPerMonth,
        thresholdsPercent: budget.thresholdsPercent,
        recipients: budget.recipients,
        configPath: `teams.${team}.budget`,
      });
    }
    const labels = teamLabels(team, environment);
    if (config.addons.monitoring.enabled) {
      this.dashboard = new TeamDashboard(this, "Dashboard", {
        team,
        environment,
        namespace: this.namespace.name,
        gpus: teamConfig.quota.gpus > 0,
        provider,
        labels,
      });
    }
    const logging = config.addons.logging;
    if (logging.enabled && logging.mode === "eck") {
      this.logSpace = new TeamLogSpace(this, "LogSpace", {
        team,
        environment,
        namespace: this.namespace.name,
        indexPattern: `${logging.indexPrefix}-*`,
        provider,
        labels,
      });
    }
  }

  /** The platform's MSK cluster, by its derived name; the UUID is the ARN's last part (topic ARNs need it). */
  private mskCluster(name: string) {
    const msk = new DataAwsMskCluster(this, "MskCluster", { clusterName: name });
    return { clusterArn: msk.arn, clusterName: name, clusterUuid: Fn.element(Fn.split("/", msk.arn), 2) };
  }
}

/** The platform's predictions topic (a platform topic of the Kafka add-on), which `kafka.readPredictions` grants. */
export const PREDICTIONS_TOPIC = "predictions";

/** IAM role names stop at 64 characters: the stack's name, shortened with a hash of it when longer. */
export function teamRoleName(stack: string): string {
  if (stack.length <= 64) return stack;
  return `${stack.slice(0, 55)}-${createHash("sha256").update(stack).digest("hex").slice(0, 8)}`;
}
