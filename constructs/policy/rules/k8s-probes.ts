import { podsOf, TYPED_WORKLOADS } from "../pod-specs";
import type { PolicyRule, Violation } from "../types";

export const k8sProbes: PolicyRule = {
  id: "MLOPS-K8S-003",
  severity: "error",
  message: "Long-running container has no readiness or liveness probe",
  explanation:
    "Without a readiness probe traffic reaches pods before they can serve (and during shutdown); without a " +
    "liveness probe a hung process is never restarted. Give every container of Deployments, StatefulSets and " +
    "DaemonSets both probes. Jobs and CronJobs (run to completion) and init containers are exempt.",
  appliesTo: [...TYPED_WORKLOADS, "kubernetes_manifest"],
  check(view) {
    const out: Violation[] = [];
    for (const pod of podsOf(view)) {
      if (pod.custom || pod.runsToCompletion) continue;
      for (const c of pod.containers) {
        if (c.init) continue;
        const missing = [
          c.readinessProbe ? "" : "readinessProbe",
          c.livenessProbe ? "" : "livenessProbe",
        ].filter(Boolean);
        if (missing.length > 0) out.push({ detail: `container ${c.name}: missing ${missing.join(", ")}` });
      }
    }
    return out;
  },
};
