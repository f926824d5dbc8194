import type { PolicyRule } from "../types";
import { isTrue } from "../values";

export const kmsRotation: PolicyRule = {
  id: "MLOPS-KMS-001",
  severity: "error",
  message: "KMS key rotation is off",
  explanation:
    "Automatic rotation limits how much data one key version protects and is required by most compliance " +
    "frameworks; it costs nothing in availability. Set enable_key_rotation = true. Asymmetric and HMAC keys " +
    "cannot rotate and are not checked.",
  appliesTo: ["aws_kms_key"],
  check(key) {
    const spec = key.config.customer_master_key_spec ?? key.config.key_spec ?? "SYMMETRIC_DEFAULT";
    const usage = key.config.key_usage ?? "ENCRYPT_DECRYPT";
    if (spec !== "SYMMETRIC_DEFAULT" || usage !== "ENCRYPT_DECRYPT") return [];
    return isTrue(key.config.enable_key_rotation) ? [] : [{ detail: "enable_key_rotation is not true" }];
  },
};
