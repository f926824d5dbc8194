import { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import type { KubernetesProvider } from "@cdktf/provider-kubernetes/lib/provider";
import { describe, expect, it } from "vitest";
import { PlatformNamespace } from "../../../../constructs/core/platform-namespace";
import { k8sNamespacePss } from "../../../../constructs/policy";
import { check, paths } from "../harness";

describe("MLOPS-K8S-004 namespace PSS labels", () => {
  it("flags an unlabelled namespace and a privileged one without a reason", () => {
    const findings = check(k8sNamespacePss, (s) => {
      new NamespaceV1(s, "Bare", { metadata: { name: "bare" } });
      new NamespaceV1(s, "Privileged", {
        metadata: {
          name: "priv",
          labels: {
            "pod-security.kubernetes.io/enforce": "privileged",
            "pod-security.kubernetes.io/audit": "restricted",
            "pod-security.kubernetes.io/warn": "restricted",
          },
        },
      });
    });
    expect(paths(findings)).toEqual(["test/Bare", "test/Bare", "test/Bare", "test/Privileged"]);
    expect(findings.find((f) => f.path === "test/Privileged")?.detail).toContain(
      "without a mlops.io/pod-security-reason",
    );
  });

  it("accepts PlatformNamespace, restricted and weaker-with-reason", () => {
    const findings = check(k8sNamespacePss, (s) => {
      const provider = s.node.findChild("kubernetes") as KubernetesProvider;
      new PlatformNamespace(s, "Apps", { name: "apps", provider });
      new PlatformNamespace(s, "Gpu", {
        name: "gpu",
        provider,
        podSecurity: "privileged",
        podSecurityReason: "device plugin mounts a hostPath socket",
      });
    });
    expect(findings).toEqual([]);
  });
});
