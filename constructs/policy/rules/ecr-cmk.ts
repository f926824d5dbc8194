import type { PolicyRule } from "../types";
import { blocks } from "../values";

export const ecrCustomerKey: PolicyRule = {
  id: "MLOPS-ECR-002",
  severity: "error",
  message: "ECR repository is not encrypted with a customer KMS key",
  explanation:
    "Without encryption_configuration ECR encrypts images with S3-managed keys (AES256), and encryption_type KMS " +
    "without kms_key uses the AWS-managed aws/ecr key: neither has a key policy you control. Set " +
    "encryption_configuration { encryption_type = KMS, kms_key = <customer key ARN> }; it cannot be changed after " +
    "the repository is created.",
  appliesTo: ["aws_ecr_repository"],
  check(repo) {
    const [encryption] = blocks(repo.config.encryption_configuration);
    if (!encryption) return [{ detail: "encryption_configuration is unset (AES256, S3-managed keys)" }];
    if (encryption.encryption_type !== "KMS" && encryption.encryption_type !== "KMS_DSSE") {
      return [
        { detail: `encryption_type is ${JSON.stringify(encryption.encryption_type ?? null)}, expected KMS` },
      ];
    }
    const key = encryption.kms_key;
    return typeof key === "string" && key.length > 0
      ? []
      : [{ detail: "kms_key is unset (the AWS-managed aws/ecr key)" }];
  },
};
