import { DbInstance, type DbInstanceConfig } from "@cdktf/provider-aws/lib/db-instance";
import type { Construct } from "constructs";

/** A compliant PostgreSQL instance; `over` replaces settings. */
export function dbInstance(scope: Construct, id: string, over: Partial<DbInstanceConfig> = {}): DbInstance {
  return new DbInstance(scope, id, {
    identifier: id.toLowerCase(),
    engine: "postgres",
    instanceClass: "db.t4g.medium",
    allocatedStorage: 20,
    storageEncrypted: true,
    kmsKeyId: "arn:aws:kms:eu-west-1:123456789012:key/abc",
    publiclyAccessible: false,
    backupRetentionPeriod: 7,
    deletionProtection: true,
    multiAz: true,
    manageMasterUserPassword: true,
    username: "app",
    lifecycle: { preventDestroy: true },
    ...over,
  });
}
