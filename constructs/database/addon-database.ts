import type { AddOnContext } from "../core/addon";
import { isProductionEnvironment } from "../core/environment";
import type { Tags } from "../core/tags";
import type { RdsDatabaseProps } from "./rds-database";
import type { RdsEngine } from "./rds-validation";

/** What an add-on's configuration says about its own RDS instance; what is left out takes RdsDatabase's defaults. */
export type AddOnDatabaseSettings = Pick<
  RdsDatabaseProps,
  | "engineVersion"
  | "instanceClass"
  | "allocatedStorageGiB"
  | "maxAllocatedStorageGiB"
  | "multiAz"
  | "backupRetentionInDays"
>;

export interface AddOnDatabaseOptions {
  readonly engine: RdsEngine;
  /** Identifier after the platform prefix: `<prefix>-<name>`. */
  readonly name: string;
  readonly databaseName: string;
  /** `multiAz` defaults to true in production environments ("prod", "production"). */
  readonly settings: AddOnDatabaseSettings;
  /** @default true unless the platform is a sandbox */
  readonly preventDestroy?: boolean;
  readonly tags: Tags;
}

/**
 * RdsDatabase props for an add-on's own instance, placed the way every add-on places it: in the platform's
 * private subnets, encrypted with the cluster key, reachable from pods through the cluster security group
 * (no pod security groups), and protected from deletion unless the platform is a sandbox.
 */
export function addOnDatabaseProps(context: AddOnContext, options: AddOnDatabaseOptions): RdsDatabaseProps {
  const { platform, cluster } = context;
  const s = options.settings;
  return {
    engine: options.engine,
    identifier: `${platform.prefix}-${options.name}`,
    databaseName: options.databaseName,
    engineVersion: s.engineVersion,
    instanceClass: s.instanceClass,
    allocatedStorageGiB: s.allocatedStorageGiB,
    maxAllocatedStorageGiB: s.maxAllocatedStorageGiB,
    multiAz: s.multiAz ?? isProductionEnvironment(platform.environment),
    backupRetentionInDays: s.backupRetentionInDays,
    kmsKeyArn: cluster.kmsKeyArn,
    vpcId: platform.vpcId,
    subnetIds: platform.privateSubnetIds,
    allowedSecurityGroupIds: [cluster.clusterSecurityGroupId],
    deletionProtection: !platform.sandbox,
    preventDestroy: options.preventDestroy ?? !platform.sandbox,
    tags: options.tags,
  };
}
