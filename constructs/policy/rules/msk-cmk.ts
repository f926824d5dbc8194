import type { PolicyRule } from "../types";
import { path } from "../values";

export const mskCustomerKey: PolicyRule = {
  id: "MLOPS-MSK-002",
  severity: "error",
  message: "MSK data at rest is not encrypted with a customer key",
  explanation:
    "Without encryption_at_rest_kms_key_arn MSK uses an AWS-owned key: no key policy, no CloudTrail record of key " +
    "use, no way to revoke. Set encryption_info.encryption_at_rest_kms_key_arn to a customer-managed KMS key.",
  appliesTo: ["aws_msk_cluster"],
  check(msk) {
    const key = path(msk.config, "encryption_info", "encryption_at_rest_kms_key_arn");
    return typeof key === "string" && key.length > 0
      ? []
      : [{ detail: "encryption_info.encryption_at_rest_kms_key_arn is unset" }];
  },
};
