import { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import { NetworkPolicyV1 } from "@cdktf/provider-kubernetes/lib/network-policy-v1";
import type { KubernetesProvider } from "@cdktf/provider-kubernetes/lib/provider";
import { describe, expect, it } from "vitest";
import { PlatformNamespace } from "../../../../constructs/core/platform-namespace";
import { k8sNamespaceDefaultDeny } from "../../../../constructs/policy";
import { check, paths } from "../harness";

describe("MLOPS-K8S-005 default-deny NetworkPolicy per namespace", () => {
  it("flags a namespace without policies and one whose only policy selects some pods or one direction", () => {
    const findings = check(k8sNamespaceDefaultDeny, (s) => {
      new NamespaceV1(s, "Open", { metadata: { name: "open" } });
      const partial = new NamespaceV1(s, "Partial", { metadata: { name: "partial" } });
      new NetworkPolicyV1(s, "IngressOnly", {
        metadata: { name: "deny-ingress", namespace: partial.metadata.name },
        spec: { podSelector: {}, policyTypes: ["Ingress"] },
      });
      new NetworkPolicyV1(s, "Selective", {
        metadata: { name: "deny-app", namespace: "partial" },
        spec: { podSelector: { matchLabels: { app: "x" } }, policyTypes: ["Ingress", "Egress"] },
      });
    });
    expect(paths(findings)).toEqual(["test/Open", "test/Partial"]);
    expect(findings.find((f) => f.path === "test/Partial")?.detail).toContain(
      "none of its 2 NetworkPolicies",
    );
  });

  it("accepts PlatformNamespace and a literal-name default-deny policy", () => {
    const findings = check(k8sNamespaceDefaultDeny, (s) => {
      const provider = s.node.findChild("kubernetes") as KubernetesProvider;
      new PlatformNamespace(s, "Apps", { name: "apps", provider });
      new NamespaceV1(s, "Literal", { metadata: { name: "literal" } });
      new NetworkPolicyV1(s, "Deny", {
        metadata: { name: "default-deny", namespace: "literal" },
        spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
      });
    });
    expect(findings).toEqual([]);
  });
});
