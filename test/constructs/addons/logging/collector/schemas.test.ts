/**
 * The collector's Helm values against the fluent-bit chart's reference values.yaml (../shared/schemas), and its
 * Kubernetes objects (namespace, policies, RBAC) against the core schemas, with the counts printed.
 */
import { expect, it } from "vitest";
import { validateSynthesizedStack } from "../../../../../scripts/validation";
import { describeWithSchemas, expectValidStack } from "../../../../support/schemas";
import { resourcesOf } from "../../../../support/synth";
import { ES_OUTPUT, synthCollector } from "./support";

const VARIANTS = {
  "Elasticsearch (defaults)": () => synthCollector(),
  "Elasticsearch, every setting, monitoring": () =>
    synthCollector(
      {
        resources: { cpuRequest: "250m", memoryRequest: "256Mi", memoryLimit: "1Gi" },
        bufferSizeMiB: 8192,
        memBufLimitMiB: 128,
        retryLimit: 50,
        excludedNamespaces: ["kube-system"],
        helm: { values: { logLevel: "warn" } },
      },
      { monitoring: true, output: { ...ES_OUTPUT, port: 9243, backendNamespace: undefined } },
    ),
  "OpenSearch Service with its IRSA role": () => synthCollector({}, { output: "opensearch-with-role" }),
};

describeWithSchemas("log collector against fluent-bit's values.yaml and the Kubernetes schemas", () => {
  for (const [name, synth] of Object.entries(VARIANTS)) {
    it(`${name}: every Helm value and Kubernetes object validates`, () => {
      const { json } = synth();
      const report = expectValidStack(json);
      expect(report.checked.HelmRelease).toBe(1);
      expect(report.olderReference ?? []).toEqual([]);
      expect(report.unchecked).toEqual([]);
      for (const kind of ["Namespace", "NetworkPolicy", "ClusterRole", "ClusterRoleBinding"])
        expect(report.checked[kind] ?? 0, kind).toBeGreaterThan(0);
      expect(report.checked.NetworkPolicy).toBe(
        Object.keys(resourcesOf(json, "kubernetes_network_policy_v1")).length,
      );
      console.info(`[log collector] ${name}: checked ${JSON.stringify(report.checked)}`);
    });
  }

  it("fails when an override key is misspelt, naming the key and the chart", () => {
    const { json } = synthCollector({ helm: { values: { serviceMonitor: { enabeld: true } } } });
    const failures = validateSynthesizedStack(json).failures.filter((f) => f.kind === "HelmRelease");
    expect(failures).toHaveLength(1);
    expect(failures[0]?.error).toMatch(/chart fluent-bit has no value "serviceMonitor.enabeld"/);
  });
});
