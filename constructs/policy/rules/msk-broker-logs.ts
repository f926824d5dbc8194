import type { PolicyRule } from "../types";
import { isTrue, path } from "../values";

export const mskBrokerLogs: PolicyRule = {
  id: "MLOPS-MSK-004",
  severity: "error",
  message: "MSK broker logs are not delivered anywhere",
  explanation:
    "Broker logs record authentication failures and broker errors; without them an incident cannot be " +
    "reconstructed. Enable logging_info.broker_logs.cloudwatch_logs (with a KMS-encrypted, retained log group), " +
    "s3 or firehose.",
  appliesTo: ["aws_msk_cluster"],
  check(msk) {
    const logs = path(msk.config, "logging_info", "broker_logs");
    const on = ["cloudwatch_logs", "firehose", "s3"].some((k) => isTrue(path(logs, k, "enabled")));
    return on ? [] : [{ detail: "logging_info.broker_logs has no enabled destination" }];
  },
};
