import { SUPPORTED_KUBERNETES_VERSIONS } from "../../cluster/kubernetes-versions";
import type { PolicyRule } from "../types";
import { isExpression } from "../values";

export const eksVersion: PolicyRule = {
  id: "MLOPS-EKS-004",
  severity: "error",
  message: "EKS cluster does not pin a supported Kubernetes version",
  explanation:
    "Versions past EKS support are force-upgraded by AWS (an unplanned change) or bill extended support; an " +
    "unpinned version drifts. Set version to one of the kit's supported versions " +
    `(${SUPPORTED_KUBERNETES_VERSIONS.join(", ")}; constructs/cluster/kubernetes-versions.ts).`,
  appliesTo: ["aws_eks_cluster"],
  check(cluster) {
    const v = cluster.config.version;
    if (v === undefined) return [{ detail: "version is unset (EKS picks its default, which changes)" }];
    if (isExpression(v))
      return [
        { detail: `version ${v} is only known at apply time; pin a literal version`, severity: "warning" },
      ];
    if ((SUPPORTED_KUBERNETES_VERSIONS as readonly string[]).includes(String(v))) return [];
    return [
      { detail: `version ${JSON.stringify(v)} is not one of ${SUPPORTED_KUBERNETES_VERSIONS.join(", ")}` },
    ];
  },
};
