import { describe, expect, it } from "vitest";
import { ecrCustomerKey } from "../../../../constructs/policy";
import { ecrRepository } from "../ecr-fixture";
import { check, paths } from "../harness";

describe("MLOPS-ECR-002 ECR customer key", () => {
  it("flags S3-managed keys, AES256 and the AWS-managed aws/ecr key", () => {
    const findings = check(ecrCustomerKey, (s) => {
      ecrRepository(s, "Unset", { encryptionConfiguration: undefined });
      ecrRepository(s, "Aes", { encryptionConfiguration: [{ encryptionType: "AES256" }] });
      ecrRepository(s, "AwsManaged", { encryptionConfiguration: [{ encryptionType: "KMS" }] });
    });
    expect(paths(findings)).toEqual(["test/Aes", "test/AwsManaged", "test/Unset"]);
    expect(findings.find((f) => f.path === "test/AwsManaged")?.detail).toContain("aws/ecr");
  });

  it("accepts a customer key", () => {
    expect(check(ecrCustomerKey, (s) => ecrRepository(s, "Good"))).toEqual([]);
  });
});
