import { podsOf, TYPED_WORKLOADS } from "../pod-specs";
import type { PolicyRule, Violation } from "../types";
import { block } from "../values";

export const k8sResources: PolicyRule = {
  id: "MLOPS-K8S-002",
  severity: "error",
  message: "Container has no resource requests and memory limit",
  explanation:
    "Without requests the scheduler overpacks nodes; without a memory limit one leaking pod OOM-kills its " +
    "neighbours. Set resources.requests.cpu, resources.requests.memory and resources.limits.memory on every " +
    "container. A CPU limit is deliberately not required: it throttles bursts without protecting anyone.",
  appliesTo: [...TYPED_WORKLOADS, "kubernetes_manifest"],
  check(view) {
    const out: Violation[] = [];
    for (const pod of podsOf(view)) {
      if (pod.custom) continue; // custom resources put resources elsewhere (e.g. Strimzi spec.resources)
      for (const c of pod.containers) {
        const requests = block(c.resources?.requests) ?? {};
        const limits = block(c.resources?.limits) ?? {};
        const missing = [
          requests.cpu === undefined ? "requests.cpu" : "",
          requests.memory === undefined ? "requests.memory" : "",
          limits.memory === undefined ? "limits.memory" : "",
        ].filter(Boolean);
        if (missing.length > 0) out.push({ detail: `container ${c.name}: missing ${missing.join(", ")}` });
      }
    }
    return out;
  },
};
