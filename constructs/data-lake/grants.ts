import type { PolicyStatement } from "../core/addon";

export type DataLakeAccess = "read" | "write";

export interface DataLakeStatementsInput {
  readonly access: DataLakeAccess;
  /** ARNs of the zone buckets the grant covers. */
  readonly bucketArns: readonly string[];
  /** The lake's KMS key. */
  readonly kmsKeyArn: string;
  /** `s3.<region>.<dnsSuffix>`, the only service allowed to use the key on the grantee's behalf. */
  readonly s3ServiceEndpoint: string;
  /** Folder the grant is limited to (normalized, ends with "/"); "" = the whole bucket. */
  readonly prefix: string;
}

/** `s3.<region>.<dnsSuffix>`: the `kms:ViaService` value that admits the lake key only through S3 in this region. */
export function s3ServiceEndpoint(aws: { readonly region: string; readonly dnsSuffix: string }): string {
  return `s3.${aws.region}.${aws.dnsSuffix}`;
}

const READ_OBJECT_ACTIONS = ["s3:GetObject", "s3:GetObjectVersion"];
// No s3:DeleteObjectVersion: writers can delete (a delete marker) but versions stay recoverable.
const WRITE_OBJECT_ACTIONS = [
  "s3:PutObject",
  "s3:DeleteObject",
  "s3:AbortMultipartUpload",
  "s3:ListMultipartUploadParts",
];

/**
 * Least-privilege statements for one access level, without Sids so several grants can share one document:
 * 1. `s3:ListBucket` on the buckets, limited by `s3:prefix` when a prefix is given;
 * 2. object actions on `<bucket>/<prefix>*` only;
 * 3. KMS on the lake key only through S3 in this region and only for these buckets' encryption context.
 * Read gets Get*; write gets Put/Delete/multipart (grant both for read-write).
 */
export function dataLakeStatements(input: DataLakeStatementsInput): PolicyStatement[] {
  const { bucketArns, prefix } = input;
  const objectArns = bucketArns.map((arn) => `${arn}/${prefix}*`);
  const list: PolicyStatement = {
    effect: "Allow",
    actions: ["s3:ListBucket"],
    resources: [...bucketArns],
    ...(prefix
      ? { condition: [{ test: "StringLike", variable: "s3:prefix", values: [prefix, `${prefix}*`] }] }
      : {}),
  };
  const objects: PolicyStatement = {
    effect: "Allow",
    actions: input.access === "read" ? READ_OBJECT_ACTIONS : WRITE_OBJECT_ACTIONS,
    resources: objectArns,
  };
  const kms: PolicyStatement = {
    effect: "Allow",
    // Decrypt is needed for writes too: multipart uploads decrypt the data key of earlier parts.
    actions: input.access === "read" ? ["kms:Decrypt"] : ["kms:Decrypt", "kms:GenerateDataKey"],
    resources: [input.kmsKeyArn],
    condition: [
      { test: "StringEquals", variable: "kms:ViaService", values: [input.s3ServiceEndpoint] },
      // With bucket keys the context is the bucket ARN; without, the object ARN.
      {
        test: "StringLike",
        variable: "kms:EncryptionContext:aws:s3:arn",
        values: [...bucketArns, ...objectArns],
      },
    ],
  };
  return [list, objects, kms];
}

/** Validates and normalizes a grant prefix to a folder (`team-a` → `team-a/`); undefined → "". */
export function normalizePrefix(prefix: string | undefined): string {
  if (prefix === undefined || prefix === "") return "";
  if (prefix.startsWith("/") || /[*?$\s]/.test(prefix) || prefix.length > 1000) {
    throw new Error(
      `DataLake grant: prefix "${prefix}" is invalid: expected a key prefix like "team-a/" without a leading "/", wildcards, "$" or whitespace`,
    );
  }
  return prefix.endsWith("/") ? prefix : `${prefix}/`;
}
