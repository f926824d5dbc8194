import type { PlatformConfig } from "../config/schema";

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
