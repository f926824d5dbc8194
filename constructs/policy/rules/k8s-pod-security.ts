import { type ContainerView, type PodView, podsOf, WORKLOAD_TYPES } from "../pod-specs";
import type { PolicyRule, Violation } from "../types";
import { block, isFalse, isTrue, path, strings } from "../values";

const SECCOMP_OK = ["RuntimeDefault", "Localhost"];

function containerProblems(pod: PodView, c: ContainerView): string[] {
  const sc = c.securityContext ?? {};
  const p: string[] = [];
  const podSc = pod.securityContext ?? {};
  if (isTrue(sc.privileged)) p.push("privileged is true");
  if (pod.custom) {
    // The operator builds the pod; only what the custom resource sets explicitly can be judged.
    if (isTrue(sc.allowPrivilegeEscalation)) p.push("allowPrivilegeEscalation is true");
    if (isFalse(sc.runAsNonRoot)) p.push("runAsNonRoot is false");
    const added = strings(path(sc, "capabilities", "add")).filter((x) => x !== "NET_BIND_SERVICE");
    if (added.length > 0) p.push(`adds capabilities ${added.join(", ")}`);
    return p;
  }
  if (!isFalse(sc.allowPrivilegeEscalation)) p.push("allowPrivilegeEscalation is not false");
  if (!strings(path(sc, "capabilities", "drop")).includes("ALL"))
    p.push('capabilities.drop does not include "ALL"');
  const nonRoot = sc.runAsNonRoot ?? podSc.runAsNonRoot;
  if (!isTrue(nonRoot)) p.push("runAsNonRoot is not true (container or pod)");
  const seccomp = path(sc, "seccompProfile", "type") ?? path(podSc, "seccompProfile", "type");
  if (!SECCOMP_OK.includes(String(seccomp)))
    p.push("seccompProfile.type is not RuntimeDefault (container or pod)");
  return p;
}

export const k8sPodSecurity: PolicyRule = {
  id: "MLOPS-K8S-001",
  severity: "error",
  message: "Workload does not meet the restricted Pod Security Standard",
  explanation:
    "The kit's namespaces enforce PSS restricted; a pod that does not meet it is rejected at runtime instead of at " +
    "synthesis. Every container needs securityContext { runAsNonRoot: true, allowPrivilegeEscalation: false, " +
    'capabilities.drop: ["ALL"], seccompProfile.type: RuntimeDefault } (runAsNonRoot and seccomp may be set on ' +
    "the pod). Custom resources (e.g. Strimzi's template.pod / template.*Container) are checked for what they set: " +
    "weakening it is an error; leaving it to the operator (e.g. Strimzi's restricted pod security provider) is info.",
  appliesTo: WORKLOAD_TYPES,
  check(view) {
    const out: Violation[] = [];
    for (const pod of podsOf(view)) {
      if (pod.custom) {
        const podSc = pod.securityContext ?? {};
        if (isFalse(podSc.runAsNonRoot))
          out.push({ detail: `${pod.where}.securityContext.runAsNonRoot is false` });
        const seccomp = path(block(podSc.seccompProfile), "type");
        if (seccomp !== undefined && !SECCOMP_OK.includes(String(seccomp)))
          out.push({
            detail: `${pod.where}.securityContext.seccompProfile.type is ${JSON.stringify(seccomp)}`,
          });
        if (!pod.securityContext && pod.containers.every((c) => !c.securityContext))
          out.push({
            detail: `${pod.where}: no security context set; the operator's defaults apply`,
            severity: "info",
          });
      }
      for (const c of pod.containers) {
        const problems = containerProblems(pod, c);
        if (problems.length > 0) out.push({ detail: `container ${c.name}: ${problems.join("; ")}` });
      }
    }
    return out;
  },
};
