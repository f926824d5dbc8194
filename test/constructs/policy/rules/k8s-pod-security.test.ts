import { DeploymentV1 } from "@cdktf/provider-kubernetes/lib/deployment-v1";
import { Manifest } from "@cdktf/provider-kubernetes/lib/manifest";
import { describe, expect, it } from "vitest";
import { k8sPodSecurity } from "../../../../constructs/policy";
import { check, paths } from "../harness";
import { container, deployment, job } from "../k8s-fixture";

const kafka = (template?: Record<string, unknown>) => ({
  apiVersion: "kafka.strimzi.io/v1",
  kind: "KafkaNodePool",
  metadata: { name: "brokers", namespace: "kafka" },
  spec: { replicas: 3, roles: ["broker"], ...(template ? { template } : {}) },
});

describe("MLOPS-K8S-001 restricted pod security", () => {
  it("flags typed workloads, core manifests and custom resources that do not meet PSS restricted", () => {
    const findings = check(k8sPodSecurity, (s) => {
      deployment(s, "NoContext", { securityContext: false });
      job(s, "RootJob", { securityContext: false });
      new Manifest(s, "RawDeployment", {
        manifest: {
          apiVersion: "apps/v1",
          kind: "Deployment",
          metadata: { name: "raw", namespace: "apps" },
          spec: {
            template: {
              spec: { containers: [{ name: "c", image: "x", securityContext: { privileged: true } }] },
            },
          },
        },
      });
      new Manifest(s, "RootKafka", {
        manifest: kafka({ pod: { securityContext: { runAsNonRoot: false } }, kafkaContainer: {} }),
      });
    });
    expect(paths(findings)).toEqual([
      "test/NoContext",
      "test/RawDeployment",
      "test/RootJob",
      "test/RootKafka",
    ]);
    expect(findings.find((f) => f.path === "test/NoContext")?.detail).toBe(
      'container main: allowPrivilegeEscalation is not false; capabilities.drop does not include "ALL"; ' +
        "runAsNonRoot is not true (container or pod); seccompProfile.type is not RuntimeDefault (container or pod)",
    );
    expect(findings.find((f) => f.path === "test/RootKafka")?.detail).toBe(
      "spec.template.pod.securityContext.runAsNonRoot is false",
    );
    expect(findings.every((f) => f.severity === "error")).toBe(true);
  });

  it("accepts restricted containers, pod-level runAsNonRoot/seccomp, and operator-managed custom resources (info)", () => {
    const findings = check(k8sPodSecurity, (s) => {
      deployment(s, "Good");
      const c = container("main");
      new DeploymentV1(s, "PodLevel", {
        metadata: { name: "pod-level" },
        spec: {
          selector: { matchLabels: { app: "x" } },
          template: {
            metadata: { labels: { app: "x" } },
            spec: {
              securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
              container: [
                {
                  ...c,
                  securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
                },
              ],
            },
          },
        },
      });
      new Manifest(s, "OperatorKafka", { manifest: kafka({ pod: { metadata: { labels: { a: "b" } } } }) });
    });
    expect(findings.filter((f) => f.severity !== "info")).toEqual([]);
    expect(findings.map((f) => [f.path, f.severity])).toEqual([["test/OperatorKafka", "info"]]);
  });
});
