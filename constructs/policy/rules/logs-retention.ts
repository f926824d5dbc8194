import type { PolicyRule } from "../types";
import { isExpression, toNumber } from "../values";

export const logGroupRetention: PolicyRule = {
  id: "MLOPS-LOG-002",
  severity: "error",
  message: "CloudWatch log group keeps logs forever",
  explanation:
    "Without retention_in_days logs are kept (and billed) forever, and personal data in them outlives its purpose. " +
    "Set retention_in_days to the period your audit requirements name (e.g. 90 or 365).",
  appliesTo: ["aws_cloudwatch_log_group"],
  check(lg) {
    const raw = lg.config.retention_in_days;
    if (isExpression(raw)) return [];
    const days = toNumber(raw);
    return days !== undefined && days > 0
      ? []
      : [{ detail: `retention_in_days is ${JSON.stringify(raw ?? null)} (0 or unset: never expire)` }];
  },
};
