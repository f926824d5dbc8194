import type { AddOn, AddOnContext } from "../../core/addon";
import type { IServiceAccountRole } from "../../core/cluster-contract";
import { isProductionEnvironment } from "../../core/environment";
import { PlatformNamespace } from "../../core/platform-namespace";
import { mergeTags } from "../../core/tags";
import {
  indexTemplate,
  ingestPipeline,
  ismPolicy,
  type ResolvedLogBackend,
  resolveLogBackend,
} from "./backend";
import { LogCollector, logCollectorRole } from "./collector/collector";
import type { LoggingConfig } from "./config";
import { LOGGING_ADDON_ID, LOGGING_NAMESPACE } from "./names";
import { type SecurityApiRequest, writerSecurityRequests } from "./opensearch-service/access";
import { OpenSearchBootstrap } from "./opensearch-service/bootstrap";
import { OpenSearchServiceDomain } from "./opensearch-service/domain";

export interface OpenSearchLoggingOutputs {
  readonly mode: "opensearch-service";
  readonly domain: OpenSearchServiceDomain;
  /** `https://`-less VPC endpoint of the domain. */
  readonly endpoint: string;
  readonly backend: ResolvedLogBackend;
  readonly collector: LogCollector;
  /** The collector's IRSA role, a writer of the domain. */
  readonly collectorRole: IServiceAccountRole;
  /** The Job applying the writer's FGAC role and mapping and the backend's documents, as the master user. */
  readonly bootstrap: OpenSearchBootstrap;
}

/**
 * What the bootstrap Job PUTs, in order: the writer's FGAC role and mapping, then the ingest pipeline and the
 * index template (which names the pipeline), and the ISM policy: ISM refuses a PUT over an existing policy
 * without its sequence numbers, so a 409 there counts as done (`keepExisting`) and the existing policy stays.
 */
export function openSearchRequests(
  backend: ResolvedLogBackend,
  writerRoleArns: readonly string[],
): SecurityApiRequest[] {
  return [
    ...writerSecurityRequests({ writerRoleArns, indexPatterns: [backend.indexPattern] }),
    { method: "PUT", path: `/_ingest/pipeline/${backend.name}`, body: ingestPipeline(backend) },
    { method: "PUT", path: `/_index_template/${backend.name}`, body: indexTemplate(backend, "opensearch") },
    {
      method: "PUT",
      path: `/_plugins/_ism/policies/${backend.name}`,
      body: ismPolicy(backend),
      keepExisting: true,
    },
  ];
}

/**
 * Logs on Amazon OpenSearch Service: the domain in the private subnets (./opensearch-service), reachable from
 * the cluster's security group, and the same Fluent Bit collector signing with SigV4 as its IRSA role, which
 * the domain's access policy names as a writer. Nothing runs in the cluster but the collector.
 */
export class OpenSearchLoggingAddOn implements AddOn<OpenSearchLoggingOutputs> {
  readonly id = LOGGING_ADDON_ID;
  readonly backend: ResolvedLogBackend;

  constructor(readonly config: LoggingConfig) {
    this.backend = resolveLogBackend({ ...config, configPath: "addons.logging" });
  }

  deploy(context: AddOnContext): OpenSearchLoggingOutputs {
    const tags = mergeTags(context.platform.tags, context.cluster.tags);
    // The role first: the domain's access policy names it before the collector takes the domain's endpoint.
    const collectorRole = logCollectorRole("LogCollectorRole", { cluster: context.cluster, tags });
    const domain = new OpenSearchServiceDomain(context.scope, "OpenSearch", {
      config: this.config.openSearchService,
      namePrefix: context.platform.prefix,
      vpcId: context.platform.vpcId,
      privateSubnetIds: context.platform.privateSubnetIds,
      kmsKeyArn: context.cluster.kmsKeyArn,
      // Every node carries the cluster security group: the narrowest source that includes the collector.
      clientSecurityGroupIds: [context.cluster.clusterSecurityGroupId],
      writerRoleArns: [collectorRole.roleArn],
      production: isProductionEnvironment(context.platform.environment),
      preventDestroy: context.cluster.preventDestroy,
      tags,
    });
    const writeGrant = domain.grantWrite("collector", collectorRole);
    // The bootstrap Job's namespace: restricted, default-deny (the Job gets its HTTPS egress).
    const namespace = new PlatformNamespace(context.scope, "LoggingNamespace", {
      name: LOGGING_NAMESPACE,
      provider: context.cluster.kubernetesProvider,
    });
    const bootstrap = new OpenSearchBootstrap(context.scope, "OpenSearchBootstrap", {
      cluster: context.cluster,
      namespace,
      endpoint: domain.endpoint,
      masterUserArn: domain.masterUserArn,
      requests: openSearchRequests(this.backend, [collectorRole.roleArn]),
    });
    const collector = new LogCollector(context.scope, "Collector", {
      config: this.config.collector,
      cluster: context.cluster,
      monitoring: context.has("monitoring"),
      output: {
        kind: "opensearch-service",
        endpoint: domain.endpoint,
        region: context.platform.region,
        indexPrefix: this.backend.indexPrefix,
        pipeline: this.backend.name,
        roleArn: collectorRole.roleArn,
      },
      // Fluent Bit signs its first bulk request with the role: its policies first.
      dependsOn: [...collectorRole.grants, writeGrant],
    });
    return {
      mode: "opensearch-service",
      domain,
      endpoint: domain.endpoint,
      backend: this.backend,
      collector,
      collectorRole,
      bootstrap,
    };
  }
}
