import type { PolicyRule } from "../types";

export const logGroupKms: PolicyRule = {
  id: "MLOPS-LOG-001",
  severity: "error",
  message: "CloudWatch log group is not encrypted with a KMS key",
  explanation:
    "Control-plane, flow and application logs carry identities, addresses and sometimes payloads. Set kms_key_id " +
    "to a customer key whose policy admits logs.<region>.amazonaws.com for this account's log groups.",
  appliesTo: ["aws_cloudwatch_log_group"],
  check(lg) {
    const key = lg.config.kms_key_id;
    return typeof key === "string" && key.length > 0 ? [] : [{ detail: "kms_key_id is unset" }];
  },
};
