import type { ResourceView } from "../policy-index";
import type { PolicyRule } from "../types";
import { block, isExpression, path, strings } from "../values";

function inNamespace(policy: ResourceView, ns: ResourceView): boolean {
  if (policy.stack !== ns.stack) return false;
  const target = path(policy.config, "metadata", "namespace");
  if (typeof target !== "string") return false;
  if (target.includes(`\${${ns.address}.`)) return true;
  const name = path(ns.config, "metadata", "name");
  return typeof name === "string" && !isExpression(name) && target === name;
}

function isDefaultDeny(policy: ResourceView): boolean {
  const spec = block(policy.config.spec) ?? {};
  const selector = block(spec.pod_selector) ?? {};
  const empty =
    Object.keys(block(selector.match_labels) ?? {}).length === 0 &&
    (selector.match_expressions ?? []).toString() === "";
  const types = strings(spec.policy_types);
  return empty && types.includes("Ingress") && types.includes("Egress");
}

export const k8sNamespaceDefaultDeny: PolicyRule = {
  id: "MLOPS-K8S-005",
  severity: "error",
  message: "Namespace has no default-deny NetworkPolicy",
  explanation:
    "Kubernetes admits all traffic to and from a pod no NetworkPolicy selects. Create a kubernetes_network_policy_v1 " +
    "in the namespace with an empty pod_selector and policy_types [Ingress, Egress], then allow what each component " +
    "needs (PlatformNamespace does this).",
  appliesTo: ["kubernetes_namespace_v1", "kubernetes_namespace"],
  check(ns, ctx) {
    const policies = ctx.index.ofType("kubernetes_network_policy_v1").filter((p) => inNamespace(p, ns));
    if (policies.some(isDefaultDeny)) return [];
    return [
      {
        detail:
          policies.length === 0
            ? "no kubernetes_network_policy_v1 in it"
            : `none of its ${policies.length} NetworkPolicies has an empty pod_selector with both policy types`,
      },
    ];
  },
};
