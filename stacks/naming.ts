import type { PlatformConfig } from "../config/schema";
import { teamStackName } from "../constructs/teams/naming";

/** Names derived from the configuration, in one place so stacks and blueprints agree. */
export function platformPrefix(config: Pick<PlatformConfig, "name" | "environment">): string {
  return `${config.name}-${config.environment}`;
}

export function clusterName(config: Pick<PlatformConfig, "name" | "environment" | "cluster">): string {
  return config.cluster.name ?? platformPrefix(config);
}

export function stackName(config: Pick<PlatformConfig, "name" | "environment">, part: string): string {
  return `${platformPrefix(config)}-${part}`;
}

/** The stack of one team environment: `<name>-<environment>-team-<team>-<team environment>`. */
export function teamEnvironmentStackName(
  config: Pick<PlatformConfig, "name" | "environment">,
  team: string,
  environment: string,
): string {
  return teamStackName(platformPrefix(config), team, environment);
}
