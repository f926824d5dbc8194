import { expect } from "vitest";
import type { SynthJson } from "../../support/synth";

/** A statement of an `aws_iam_policy_document` as synthesized (Terraform's block keys). */
export interface StatementJson {
  readonly sid?: string;
  readonly effect?: string;
  readonly actions?: string[];
  readonly not_actions?: string[];
  readonly resources?: string[];
  readonly not_resources?: string[];
  readonly condition?: { test: string; variable: string; values: string[] }[];
}

export const ZONES = ["raw", "curated", "features", "models"] as const;
export const bucketName = (zone: string) => `ml-dev-${zone}-123456789012-eu-west-1`;
export const bucketArn = (zone: string) => `arn:aws:s3:::${bucketName(zone)}`;
export const BUCKETS = Object.fromEntries(
  ZONES.map((z) => [z, { bucketName: bucketName(z), bucketArn: bucketArn(z) }]),
);
export const KMS_KEY = "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555";
export const S3_ENDPOINT = "s3.eu-west-1.amazonaws.com";

/** Statements of the policy document whose logical id contains `fragment`. */
export function documentStatements(json: SynthJson, fragment: string): StatementJson[] {
  const docs = Object.entries(json.data?.aws_iam_policy_document ?? {}).filter(([id]) =>
    id.includes(fragment),
  );
  if (docs.length !== 1)
    throw new Error(`expected one policy document with "${fragment}", found ${docs.length}`);
  return (docs[0] as [string, { statement: StatementJson[] }])[1].statement;
}

const S3_WRITES = [
  "s3:PutObject",
  "s3:DeleteObject",
  "s3:AbortMultipartUpload",
  "s3:ListMultipartUploadParts",
];
const BUCKET_ARN = /^arn:aws[a-z-]*:s3:::[^/]+$/;

/**
 * What every statement of a team's workload role must satisfy: Allow only, no wildcard action (nor NotAction or
 * NotResource), no `*` resource, writes only on `<bucket>/teams/<team>/*`, no other team's prefix anywhere (in
 * resources or conditions), `s3:ListBucket` of a written bucket only under the team's prefix unless the team reads
 * that bucket's shared data (`sharedReadBuckets`).
 */
export function expectTeamScoped(
  statements: readonly StatementJson[],
  expected: { team: string; others: readonly string[]; sharedReadBuckets?: readonly string[] },
): void {
  const { team, others } = expected;
  const shared = new Set(expected.sharedReadBuckets ?? []);
  expect(statements.length).toBeGreaterThan(0);
  const own = `teams/${team}/`;
  const writtenBuckets = new Set<string>();
  for (const s of statements) {
    const text = JSON.stringify(s);
    expect(s.effect ?? "Allow", text).toBe("Allow");
    expect(s.not_actions ?? [], text).toEqual([]);
    expect(s.not_resources ?? [], text).toEqual([]);
    for (const a of s.actions ?? []) expect(a, `wildcard action in ${text}`).not.toContain("*");
    // GetDataAccess (Lake Formation's credential vending) has no resource-level permissions.
    const anyResourceAllowed = s.actions?.every((a) => a === "lakeformation:GetDataAccess");
    for (const r of s.resources ?? [])
      if (!anyResourceAllowed) expect(r, `wildcard resource in ${text}`).not.toBe("*");
    for (const other of others) {
      expect(text, `team ${other}'s prefix in ${team}'s statement`).not.toContain(`teams/${other}/`);
      const db = `team_${other.replaceAll("-", "_")}`;
      for (const r of s.resources ?? []) {
        expect(
          r.endsWith(`:database/${db}`) || r.includes(`:table/${db}/`),
          `team ${other}'s database in ${text}`,
        ).toBe(false);
      }
    }
    const writes = (s.actions ?? []).filter((a) => S3_WRITES.includes(a));
    if (writes.length > 0) {
      for (const r of s.resources ?? []) {
        expect(r, `write outside ${own} in ${text}`).toMatch(
          new RegExp(`^arn:aws[a-z-]*:s3:::[^/]+/${own}\\*$`),
        );
        writtenBuckets.add(r.slice(0, r.indexOf("/")));
      }
    }
  }
  for (const s of statements.filter((s) => s.actions?.includes("s3:ListBucket"))) {
    const listsWritten = (s.resources ?? []).some(
      (r) => BUCKET_ARN.test(r) && writtenBuckets.has(r) && !shared.has(r),
    );
    if (!listsWritten) continue;
    expect(s.condition, JSON.stringify(s)).toEqual([
      { test: "StringLike", variable: "s3:prefix", values: [own, `${own}*`] },
    ]);
  }
}
