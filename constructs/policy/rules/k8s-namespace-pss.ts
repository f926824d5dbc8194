import type { PolicyRule } from "../types";
import { block, path } from "../values";

const LEVELS = ["restricted", "baseline", "privileged"];
export const POD_SECURITY_REASON_ANNOTATION = "mlops.io/pod-security-reason";

export const k8sNamespacePss: PolicyRule = {
  id: "MLOPS-K8S-004",
  severity: "error",
  message: "Namespace does not enforce a Pod Security Standard",
  explanation:
    "Pod Security Admission only acts on labelled namespaces. Label every namespace the kit creates with " +
    "pod-security.kubernetes.io/enforce (restricted), plus audit and warn; a weaker enforce level needs the " +
    `${POD_SECURITY_REASON_ANNOTATION} annotation saying why (PlatformNamespace does all of this).`,
  appliesTo: ["kubernetes_namespace_v1", "kubernetes_namespace"],
  check(ns) {
    const labels = block(path(ns.config, "metadata", "labels")) ?? {};
    const annotations = block(path(ns.config, "metadata", "annotations")) ?? {};
    const enforce = labels["pod-security.kubernetes.io/enforce"];
    const out = [];
    if (!LEVELS.includes(String(enforce)))
      out.push({ detail: `pod-security.kubernetes.io/enforce is ${JSON.stringify(enforce ?? null)}` });
    else if (enforce !== "restricted" && !annotations[POD_SECURITY_REASON_ANNOTATION])
      out.push({ detail: `enforces ${enforce} without a ${POD_SECURITY_REASON_ANNOTATION} annotation` });
    for (const mode of ["audit", "warn"]) {
      if (!LEVELS.includes(String(labels[`pod-security.kubernetes.io/${mode}`])))
        out.push({ detail: `pod-security.kubernetes.io/${mode} label is missing` });
    }
    return out;
  },
};
