import { GlueCatalogDatabase } from "@cdktf/provider-aws/lib/glue-catalog-database";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import type { TerraformStack } from "cdktf";
import { describe, expect, it } from "vitest";
import { protectStateful } from "../../../../constructs/core/stateful";
import { statefulPreventDestroy } from "../../../../constructs/policy";
import { ecrRepository } from "../ecr-fixture";
import { check, paths } from "../harness";
import { dbInstance } from "../rds-fixture";

function unprotected(s: TerraformStack) {
  new S3Bucket(s, "Bucket", { bucket: "b" });
  new KmsKey(s, "Key", { enableKeyRotation: true });
  new GlueCatalogDatabase(s, "Db", { name: "db" });
  dbInstance(s, "Rds", { lifecycle: undefined });
  ecrRepository(s, "Images", { lifecycle: undefined });
}

describe("MLOPS-STATE-001 prevent_destroy on stateful resources", () => {
  it("flags stateful resources without prevent_destroy", () => {
    expect(paths(check(statefulPreventDestroy, unprotected))).toEqual([
      "test/Bucket",
      "test/Db",
      "test/Images",
      "test/Key",
      "test/Rds",
    ]);
  });

  it("accepts protected resources, and anything in a sandbox", () => {
    const protectedFindings = check(statefulPreventDestroy, (s) => {
      protectStateful(new S3Bucket(s, "Bucket", { bucket: "b" }));
      dbInstance(s, "Rds");
    });
    expect(protectedFindings).toEqual([]);
    expect(check(statefulPreventDestroy, unprotected, { sandbox: true })).toEqual([]);
  });
});
