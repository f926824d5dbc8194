import { describe, expect, it } from "vitest";
import { snapshotStatements } from "../../../../../constructs/addons/logging/eck/snapshots";
import { all } from "../../../../support/manifests";
import { dataOf } from "../../../../support/synth";
import { type Json, synthLogging } from "../support";

const KEY = "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555";

describe("snapshot storage", () => {
  const { json } = synthLogging();

  it("is a dedicated hardened bucket: SSE-KMS under the platform key, versioned, private, prevent_destroy", () => {
    const [bucket] = all(json, "aws_s3_bucket");
    expect(bucket.bucket).toMatch(/^acme-dev-es-snapshots-\$\{data\.aws_caller_identity\..*\}-/);
    expect(bucket.lifecycle).toEqual({ prevent_destroy: true });
    expect(bucket.force_destroy).toBe(false);
    const [sse] = all(json, "aws_s3_bucket_server_side_encryption_configuration");
    expect(sse.rule[0].apply_server_side_encryption_by_default).toEqual({
      sse_algorithm: "aws:kms",
      kms_master_key_id: KEY,
    });
    expect(all(json, "aws_s3_bucket_versioning")[0].versioning_configuration.status).toBe("Enabled");
    expect(all(json, "aws_s3_bucket_public_access_block")[0]).toMatchObject({
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    const rules = all(json, "aws_s3_bucket_lifecycle_configuration")[0].rule.map((r: Json) => r.id);
    expect(rules).toEqual(["expire-noncurrent-versions", "abort-incomplete-multipart-uploads"]);
  });

  it("the IRSA role trusts exactly logging/elasticsearch and the service account carries it", () => {
    const trust = Object.entries(dataOf(json, "aws_iam_policy_document")).find(([id]) =>
      id.includes("logging-snapshots_TrustPolicy"),
    )?.[1] as Json;
    const cond = trust.statement[0].condition.map((c: Json) => c.values[0]);
    expect(cond).toContain("system:serviceaccount:logging:elasticsearch");
    const [sa] = all(json, "kubernetes_service_account_v1").filter(
      (a) => a.metadata.name === "elasticsearch",
    );
    expect(sa.metadata).toMatchObject({ name: "elasticsearch" });
    expect(sa.metadata.annotations["eks.amazonaws.com/role-arn"]).toMatch(
      /^\$\{aws_iam_role\..*logging-snapshots.*\.arn\}$/,
    );
    expect(sa.automount_service_account_token).toBe(false);
  });

  it("grants exactly the snapshot bucket, its objects and the key through S3: no wildcard resources", () => {
    const statements = snapshotStatements("arn:aws:s3:::b", KEY);
    expect(statements.flatMap((s) => s.resources)).toEqual(["arn:aws:s3:::b", "arn:aws:s3:::b/*", KEY]);
    const actions = statements.flatMap((s) => s.actions ?? []);
    expect(actions.every((a) => !a.includes("*"))).toBe(true);
    expect(actions).not.toContain("s3:DeleteBucket");
    expect(actions).not.toContain("kms:CreateGrant");
    expect(statements[2].condition).toEqual([
      { test: "StringLike", variable: "kms:ViaService", values: ["s3.*.amazonaws.com"] },
    ]);
    // The synthesized role policy is that document.
    const [inline] = all(json, "aws_iam_role_policy");
    expect(inline.name).toBe("elasticsearch-snapshots");
    expect(inline.policy).toMatch(/^\$\{data\.aws_iam_policy_document\..*RolePolicyDocument.*\.json\}$/);
  });

  it("denies plain HTTP on the bucket", () => {
    const doc = Object.entries(dataOf(json, "aws_iam_policy_document")).find(([id]) =>
      id.includes("Snapshots_Bucket_PolicyDocument"),
    )?.[1] as Json;
    expect(doc.statement[0]).toMatchObject({ sid: "DenyInsecureTransport", effect: "Deny" });
  });

  it("has no static AWS keys anywhere", () => {
    expect(JSON.stringify(json)).not.toMatch(/access_key|secret_key|AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY/);
  });
});
