import { describe, expect, it } from "vitest";
import { dataLakeStatements, normalizePrefix } from "../../../constructs/data-lake/grants";

const base = {
  bucketArns: ["arn:aws:s3:::lake-raw"],
  kmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/k",
  s3ServiceEndpoint: "s3.eu-west-1.amazonaws.com",
};

describe("dataLakeStatements", () => {
  it("limits read to listing the prefix, getting its objects and decrypting via S3", () => {
    const [list, objects, kms] = dataLakeStatements({ ...base, access: "read", prefix: "team-a/" });
    expect(list).toEqual({
      effect: "Allow",
      actions: ["s3:ListBucket"],
      resources: ["arn:aws:s3:::lake-raw"],
      condition: [{ test: "StringLike", variable: "s3:prefix", values: ["team-a/", "team-a/*"] }],
    });
    expect(objects.actions).toEqual(["s3:GetObject", "s3:GetObjectVersion"]);
    expect(objects.resources).toEqual(["arn:aws:s3:::lake-raw/team-a/*"]);
    expect(kms.actions).toEqual(["kms:Decrypt"]);
    expect(kms.resources).toEqual([base.kmsKeyArn]);
    expect(kms.condition).toContainEqual({
      test: "StringEquals",
      variable: "kms:ViaService",
      values: ["s3.eu-west-1.amazonaws.com"],
    });
    expect(kms.condition).toContainEqual({
      test: "StringLike",
      variable: "kms:EncryptionContext:aws:s3:arn",
      values: ["arn:aws:s3:::lake-raw", "arn:aws:s3:::lake-raw/team-a/*"],
    });
  });

  it("gives write put/delete/multipart and GenerateDataKey but no reads or version deletes", () => {
    const [, objects, kms] = dataLakeStatements({ ...base, access: "write", prefix: "" });
    expect(objects.actions).toEqual([
      "s3:PutObject",
      "s3:DeleteObject",
      "s3:AbortMultipartUpload",
      "s3:ListMultipartUploadParts",
    ]);
    expect(objects.actions).not.toContain("s3:GetObject");
    expect(objects.actions).not.toContain("s3:DeleteObjectVersion");
    expect(objects.resources).toEqual(["arn:aws:s3:::lake-raw/*"]);
    expect(kms.actions).toEqual(["kms:Decrypt", "kms:GenerateDataKey"]);
  });

  it("lists the whole bucket without a prefix condition when no prefix is given", () => {
    const [list] = dataLakeStatements({ ...base, access: "read", prefix: "" });
    expect(list.condition).toBeUndefined();
  });

  it("never grants wildcard resources", () => {
    for (const access of ["read", "write"] as const) {
      for (const statement of dataLakeStatements({ ...base, access, prefix: "x/" })) {
        expect(statement.resources).not.toContain("*");
        expect(statement.actions?.some((a) => a.endsWith(":*"))).toBe(false);
      }
    }
  });
});

describe("normalizePrefix", () => {
  it("turns prefixes into folders", () => {
    expect(normalizePrefix(undefined)).toBe("");
    expect(normalizePrefix("mlflow")).toBe("mlflow/");
    expect(normalizePrefix("mlflow/artifacts/")).toBe("mlflow/artifacts/");
  });

  it("fails when the prefix has a leading slash, wildcards or interpolation", () => {
    expect(() => normalizePrefix("/mlflow")).toThrow(/prefix "\/mlflow" is invalid/);
    expect(() => normalizePrefix("ml*")).toThrow(/prefix "ml\*" is invalid/);
    expect(() => normalizePrefix(`\${x}`)).toThrow(/is invalid/);
  });
});
