import { Token } from "cdktf";
import { OPENSEARCH_SERVICE_CONFIG_PATH, type OpenSearchServiceConfig } from "./config";

/** Where the domain's nodes go and how many there are, derived from the config and the private subnets. */
export interface OpenSearchTopology {
  /** The subnets the domain uses: one per availability zone, at most 3 (the most OpenSearch Service spans). */
  readonly subnetIds: readonly string[];
  /** min(3, subnets); zone awareness is on when it is 2 or 3. */
  readonly availabilityZoneCount: number;
  readonly zoneAwarenessEnabled: boolean;
  readonly instanceCount: number;
  readonly dedicatedMasterEnabled: boolean;
}

function invalid(key: string, value: unknown, expected: string): Error {
  return new Error(
    `Invalid ${OPENSEARCH_SERVICE_CONFIG_PATH}.${key}: got ${JSON.stringify(value)}; expected ${expected}.`,
  );
}

/**
 * Resolves the node layout. The private subnets are taken as one per AZ (the kit's Network builds them that
 * way), so the domain uses the first min(3, n). Data nodes default to one per used AZ, at least 2; with zone
 * awareness AWS requires a multiple of the AZ count, which is checked here rather than at apply time.
 */
export function resolveTopology(
  config: OpenSearchServiceConfig,
  privateSubnetIds: readonly string[],
  production: boolean,
): OpenSearchTopology {
  if (privateSubnetIds.length === 0) {
    throw invalid("(private subnets)", privateSubnetIds, "at least one private subnet for the domain");
  }
  // A token list (e.g. a data source's ids) has unknown length at synth; it stands for one element here.
  if (privateSubnetIds.some((s) => Token.isUnresolved(s)) && privateSubnetIds.length === 1) {
    throw invalid(
      "(private subnets)",
      privateSubnetIds,
      "the private subnet ids as a list of known length, one per AZ",
    );
  }
  const availabilityZoneCount = Math.min(3, privateSubnetIds.length);
  const zoneAwarenessEnabled = availabilityZoneCount > 1;
  const instanceCount = config.instanceCount ?? Math.max(2, availabilityZoneCount);
  if (zoneAwarenessEnabled && instanceCount % availabilityZoneCount !== 0) {
    throw invalid(
      "instanceCount",
      instanceCount,
      `a multiple of the availability zone count ${availabilityZoneCount} (zone awareness spreads data nodes evenly over the AZs of the private subnets)`,
    );
  }
  if (instanceCount < 2) {
    throw invalid(
      "instanceCount",
      instanceCount,
      "at least 2 data nodes, so every index can keep a replica on another node",
    );
  }
  return {
    subnetIds: privateSubnetIds.slice(0, availabilityZoneCount),
    availabilityZoneCount,
    zoneAwarenessEnabled,
    instanceCount,
    dedicatedMasterEnabled: config.dedicatedMaster.enabled ?? production,
  };
}
