import type { PolicyRule } from "../types";
import { strings } from "../values";

export const EKS_LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"];

export const eksControlPlaneLogs: PolicyRule = {
  id: "MLOPS-EKS-003",
  severity: "error",
  message: "EKS control-plane logging is not fully enabled",
  explanation:
    "The audit and authenticator logs are the only record of who did what through the Kubernetes API. Set " +
    "enabled_cluster_log_types to all five types (api, audit, authenticator, controllerManager, scheduler) and " +
    "give the /aws/eks/<cluster>/cluster log group a KMS key and a retention.",
  appliesTo: ["aws_eks_cluster"],
  check(cluster) {
    const enabled = strings(cluster.config.enabled_cluster_log_types);
    const missing = EKS_LOG_TYPES.filter((t) => !enabled.includes(t));
    return missing.length === 0 ? [] : [{ detail: `missing log types: ${missing.join(", ")}` }];
  },
};
