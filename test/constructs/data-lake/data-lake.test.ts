import { describe, expect, it } from "vitest";
import { DataLake, type DataLakeProps } from "../../../constructs/data-lake/data-lake";
import { dataOf, resourcesOf, type SynthJson, synthStack } from "../../support/synth";

function synthLake(
  props: Partial<DataLakeProps> = {},
  use?: (lake: DataLake) => void,
): { json: SynthJson; lake: DataLake } {
  let lake: DataLake | undefined;
  const json = synthStack((stack) => {
    lake = new DataLake(stack, "Lake", { namePrefix: "mlp", ...props });
    use?.(lake);
  });
  return { json, lake: lake as DataLake };
}

type Statement = {
  actions: string[];
  resources: string[];
  condition?: { test: string; variable: string; values: string[] }[];
};
const keyOf = (json: SynthJson, type: string, prefix: string) =>
  Object.keys(resourcesOf(json, type)).find((k) => k.startsWith(prefix)) as string;
const policyDocument = (json: SynthJson, prefix: string) =>
  Object.entries(dataOf(json, "aws_iam_policy_document")).find(([k]) => k.startsWith(prefix))?.[1]
    .statement as Statement[];

/** Terraform references to the AwsContext data sources of a synthesized stack. */
function context(json: SynthJson) {
  const only = (type: string) => Object.keys(dataOf(json, type))[0];
  return {
    account: `\${data.aws_caller_identity.${only("aws_caller_identity")}.account_id}`,
    region: `\${data.aws_region.${only("aws_region")}.region}`,
    dnsSuffix: `\${data.aws_partition.${only("aws_partition")}.dns_suffix}`,
  };
}

describe("DataLake", () => {
  describe("defaults", () => {
    const { json, lake } = synthLake();
    const buckets = resourcesOf(json, "aws_s3_bucket");
    const keyKey = Object.keys(resourcesOf(json, "aws_kms_key"))[0];
    const keyArn = `\${aws_kms_key.${keyKey}.arn}`;

    it("creates one bucket per default zone plus the access-log bucket, named with account and region", () => {
      const names = Object.values(buckets).map((b) => b.bucket);
      expect(names.sort()).toEqual(
        ["access-logs", "curated", "features", "models", "raw"].map(
          (zone) => `mlp-${zone}-${context(json).account}-${context(json).region}`,
        ),
      );
      expect(Object.keys(lake.buckets)).toEqual(["raw", "curated", "features", "models"]);
      expect(lake.buckets.raw.bucketArn).toMatch(/^\$\{TfToken/);
    });

    it("encrypts every zone bucket with the created rotating key", () => {
      expect(resourcesOf(json, "aws_kms_key")[keyKey]).toMatchObject({
        enable_key_rotation: true,
        lifecycle: { prevent_destroy: true },
      });
      const encryption = Object.entries(
        resourcesOf(json, "aws_s3_bucket_server_side_encryption_configuration"),
      );
      const kmsEncrypted = encryption.filter(([k]) => !k.startsWith("Lake_AccessLogBucket"));
      expect(kmsEncrypted).toHaveLength(4);
      for (const [, e] of kmsEncrypted) {
        expect(e.rule).toEqual([
          expect.objectContaining({
            apply_server_side_encryption_by_default: { sse_algorithm: "aws:kms", kms_master_key_id: keyArn },
            bucket_key_enabled: true,
          }),
        ]);
      }
    });

    it("protects buckets, the key and Glue databases and never force-destroys", () => {
      for (const bucket of Object.values(buckets)) {
        expect(bucket.lifecycle).toEqual({ prevent_destroy: true });
        expect(bucket.force_destroy).toBe(false);
      }
      const databases = Object.values(resourcesOf(json, "aws_glue_catalog_database"));
      expect(databases).toHaveLength(4);
      for (const db of databases) expect(db.lifecycle).toEqual({ prevent_destroy: true });
    });

    it("creates a Glue database per zone with underscores and the bucket as location", () => {
      const databases = resourcesOf(json, "aws_glue_catalog_database");
      const raw = databases[keyOf(json, "aws_glue_catalog_database", "Lake_RawDatabase")];
      const rawBucketKey = keyOf(json, "aws_s3_bucket", "Lake_RawBucket");
      expect(raw).toMatchObject({
        name: "mlp_raw",
        location_uri: `s3://\${aws_s3_bucket.${rawBucketKey}.bucket}/`,
      });
      expect(Object.values(databases).map((d) => d.name)).toEqual(
        expect.arrayContaining(["mlp_raw", "mlp_curated", "mlp_features", "mlp_models"]),
      );
      expect(Object.keys(lake.glueDatabaseNames)).toEqual(["raw", "curated", "features", "models"]);
    });

    it("sends every zone's access logs to the log bucket, which admits exactly those buckets", () => {
      const logBucketKey = keyOf(json, "aws_s3_bucket", "Lake_AccessLogBucket");
      const logging = Object.values(resourcesOf(json, "aws_s3_bucket_logging"));
      expect(logging).toHaveLength(4);
      // A reference (not a copied name) so Terraform creates the log bucket before enabling logging.
      for (const l of logging) expect(l.target_bucket).toBe(`\${aws_s3_bucket.${logBucketKey}.bucket}`);
      expect(logging.map((l) => l.target_prefix).sort()).toEqual([
        "curated/",
        "features/",
        "models/",
        "raw/",
      ]);
      const delivery = policyDocument(json, "Lake_AccessLogBucket_PolicyDocument")[0];
      const sourceArns = delivery.condition?.find((c) => c.variable === "aws:SourceArn")?.values;
      const partition = `\${data.aws_partition.${Object.keys(dataOf(json, "aws_partition"))[0]}.partition}`;
      const zoneArns = Object.keys(buckets)
        .filter((k) => k !== logBucketKey)
        .map((k) => `arn:${partition}:s3:::${buckets[k].bucket}`);
      expect(sourceArns?.sort()).toEqual(zoneArns.sort());
    });

    it("does not register Lake Formation by default", () => {
      expect(Object.keys(resourcesOf(json, "aws_lakeformation_resource"))).toHaveLength(0);
      expect(lake.lakeFormationRoleArn).toBeUndefined();
    });
  });

  it("drops protection and allows force-destroy with preventDestroy false", () => {
    const { json } = synthLake({ preventDestroy: false });
    for (const type of ["aws_s3_bucket", "aws_kms_key", "aws_glue_catalog_database"]) {
      const all = Object.values(resourcesOf(json, type));
      expect(all.length).toBeGreaterThan(0);
      for (const r of all) expect(r.lifecycle, type).toBeUndefined();
    }
    for (const b of Object.values(resourcesOf(json, "aws_s3_bucket"))) expect(b.force_destroy).toBe(true);
  });

  it("uses custom zones with their lifecycle and tags, a bring-your-own key and no Glue databases", () => {
    const byoKey = "arn:aws:kms:eu-west-1:123456789012:key/byo";
    const { json, lake } = synthLake({
      zones: { "raw-images": { expirationInDays: 30, tags: { pii: "true" } } },
      kmsKeyArn: byoKey,
      createGlueDatabases: false,
      tags: { team: "ml" },
    });
    expect(Object.keys(resourcesOf(json, "aws_kms_key"))).toHaveLength(0);
    expect(lake.kmsKeyArn).toBe(byoKey);
    const bucket = resourcesOf(json, "aws_s3_bucket")[keyOf(json, "aws_s3_bucket", "Lake_RawImagesBucket")];
    expect(bucket.tags).toEqual({ team: "ml", "mlops:data-lake-zone": "raw-images", pii: "true" });
    const rules = Object.entries(resourcesOf(json, "aws_s3_bucket_lifecycle_configuration")).find(([k]) =>
      k.startsWith("Lake_RawImagesBucket"),
    )?.[1].rule;
    expect(rules).toContainEqual(expect.objectContaining({ expiration: [{ days: 30 }] }));
    expect(Object.keys(resourcesOf(json, "aws_glue_catalog_database"))).toHaveLength(0);
    expect(lake.glueDatabaseNames).toEqual({});
    const denyKey = policyDocument(json, "Lake_RawImagesBucket_PolicyDocument").find((s) =>
      s.condition?.some(
        (c) => c.variable === "s3:x-amz-server-side-encryption-aws-kms-key-id" && c.test !== "Null",
      ),
    );
    expect(denyKey?.condition?.[0].values).toEqual([byoKey]);
  });

  it("writes access logs to a bring-your-own log bucket", () => {
    const { json, lake } = synthLake({ createAccessLogBucket: false, accessLogBucketName: "central-logs" });
    expect(Object.keys(resourcesOf(json, "aws_s3_bucket"))).toHaveLength(4);
    for (const l of Object.values(resourcesOf(json, "aws_s3_bucket_logging"))) {
      expect(l.target_bucket).toBe("central-logs");
    }
    expect(lake.logBucketName).toBe("central-logs");
  });

  it("registers every bucket with Lake Formation under a dedicated role", () => {
    const { json, lake } = synthLake({ enableLakeFormation: true });
    const roleKey = Object.keys(resourcesOf(json, "aws_iam_role"))[0];
    const locations = Object.values(resourcesOf(json, "aws_lakeformation_resource"));
    expect(locations).toHaveLength(4);
    for (const l of locations) {
      expect(l).toMatchObject({
        role_arn: `\${aws_iam_role.${roleKey}.arn}`,
        use_service_linked_role: false,
      });
    }
    const trust = policyDocument(json, "Lake_LakeFormation_TrustPolicy")[0] as Statement & {
      principals: { identifiers: string[] }[];
    };
    expect(trust.principals[0].identifiers).toEqual(["lakeformation.amazonaws.com"]);
    expect(trust.condition?.[0].variable).toBe("aws:SourceAccount");
    expect(Object.values(resourcesOf(json, "aws_iam_role"))[0].name).toBe(
      `mlp-lakeformation-${context(json).region}`,
    );
    expect(lake.lakeFormationRoleArn).toBeDefined();
  });

  it("registers with a bring-your-own Lake Formation role without creating one", () => {
    const roleArn = "arn:aws:iam::123456789012:role/lf";
    const { json } = synthLake({ enableLakeFormation: true, lakeFormationRoleArn: roleArn });
    expect(Object.keys(resourcesOf(json, "aws_iam_role"))).toHaveLength(0);
    for (const l of Object.values(resourcesOf(json, "aws_lakeformation_resource")))
      expect(l.role_arn).toBe(roleArn);
  });

  describe("grants", () => {
    const { json, lake } = synthLake({}, (l) => {
      l.grantRead({ name: "mlflow" }, { zone: "models", prefix: "mlflow" });
      l.grantWrite({ name: "airflow", arn: "arn:aws:iam::123456789012:role/airflow" }, { zone: "raw" });
    });
    const modelsArn = `\${aws_s3_bucket.${keyOf(json, "aws_s3_bucket", "Lake_ModelsBucket")}.arn}`;
    const rawArn = `\${aws_s3_bucket.${keyOf(json, "aws_s3_bucket", "Lake_RawBucket")}.arn}`;
    const policies = Object.values(resourcesOf(json, "aws_iam_role_policy"));

    it("attaches one inline policy per grant to the named role", () => {
      expect(policies.map((p) => [p.role, p.name])).toEqual([
        ["mlflow", "mlp-data-lake-read-models-0"],
        ["airflow", "mlp-data-lake-write-raw-1"],
      ]);
    });

    it("limits grantRead to the zone bucket and prefix", () => {
      const [list, objects, kms] = policyDocument(json, "Lake_ReadGrant0Document");
      expect(list.resources).toEqual([modelsArn]);
      expect(list.condition).toEqual([
        { test: "StringLike", variable: "s3:prefix", values: ["mlflow/", "mlflow/*"] },
      ]);
      expect(objects.resources).toEqual([`${modelsArn}/mlflow/*`]);
      expect(objects.actions).toEqual(["s3:GetObject", "s3:GetObjectVersion"]);
      expect(kms.resources).toEqual([
        `\${aws_kms_key.${Object.keys(resourcesOf(json, "aws_kms_key"))[0]}.arn}`,
      ]);
      expect(kms.condition?.find((c) => c.variable === "kms:ViaService")?.values).toEqual([
        `s3.${context(json).region}.${context(json).dnsSuffix}`,
      ]);
    });

    it("limits grantWrite to the zone bucket", () => {
      const [list, objects, kms] = policyDocument(json, "Lake_WriteGrant1Document");
      expect(list.resources).toEqual([rawArn]);
      expect(objects.resources).toEqual([`${rawArn}/*`]);
      expect(objects.actions).toContain("s3:PutObject");
      expect(kms.actions).toEqual(["kms:Decrypt", "kms:GenerateDataKey"]);
    });

    it("returns statements for all zones from the pure policyStatements without creating resources", () => {
      const before = lake.node.findAll().length;
      const statements = lake.policyStatements("read");
      expect(lake.node.findAll().length).toBe(before);
      const bucketArns = Object.values(lake.buckets).map((b) => b.bucketArn);
      expect(statements[0].resources).toEqual(bucketArns);
      expect(statements[1].resources).toEqual(bucketArns.map((arn) => `${arn}/*`));
    });

    it("fails when the zone is unknown, the prefix is a wildcard or the role has no name", () => {
      expect(() => lake.policyStatements("read", "gold")).toThrow(
        /zone "gold" does not exist: expected one of raw, curated, features, models/,
      );
      expect(() => lake.policyStatements("write", "raw", "*")).toThrow(/prefix "\*" is invalid/);
      expect(() => lake.policyStatements("admin" as never)).toThrow(/access "admin" is invalid/);
      expect(() => lake.grantRead({ name: "" })).toThrow(/role\.name is "": expected the IAM role name/);
    });
  });

  describe("validation", () => {
    it("fails when namePrefix is missing, not DNS-safe or too long", () => {
      expect(() => synthLake({ namePrefix: undefined as unknown as string })).toThrow(
        /namePrefix undefined is invalid/,
      );
      expect(() => synthLake({ namePrefix: "ML_Lake" })).toThrow(/namePrefix "ML_Lake" is invalid/);
      expect(() => synthLake({ namePrefix: "a-very-long-platform-prefix" })).toThrow(
        /namePrefix "a-very-long-platform-prefix" is too long for zone "access-logs"/,
      );
    });

    it("fails when zones are empty, badly named or reserved", () => {
      expect(() => synthLake({ zones: {} })).toThrow(/zones is empty/);
      expect(() => synthLake({ zones: { Gold: {} } })).toThrow(/zone name "Gold" is invalid/);
      expect(() => synthLake({ zones: { "access-logs": {} } })).toThrow(/reserved for the access-log bucket/);
      expect(() => synthLake({ zones: { raw: { noncurrentVersionExpirationInDays: -1 } } })).toThrow(
        /zone "raw": noncurrentVersionExpirationInDays -1 is invalid/,
      );
    });

    it("fails when the access-log bucket settings contradict each other", () => {
      expect(() => synthLake({ createAccessLogBucket: false })).toThrow(/accessLogBucketName is undefined/);
      expect(() => synthLake({ accessLogBucketName: "logs" })).toThrow(
        /accessLogBucketName "logs" is only used with createAccessLogBucket: false/,
      );
    });

    it("fails when kmsKeyArn is not a key ARN or the Lake Formation role is set without enabling it", () => {
      expect(() => synthLake({ kmsKeyArn: "alias/lake" })).toThrow(
        /kmsKeyArn "alias\/lake" is not a KMS key ARN/,
      );
      expect(() => synthLake({ lakeFormationRoleArn: "arn:aws:iam::123456789012:role/lf" })).toThrow(
        /lakeFormationRoleArn is set but enableLakeFormation is not true/,
      );
    });
  });
});
