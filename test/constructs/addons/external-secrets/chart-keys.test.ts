import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { externalSecretsAddOn } from "../../../../constructs/addons/external-secrets";
import { monitoringStub, synthAddOns } from "./support";

/**
 * Value paths of the external-secrets chart, copied by hand from its values.yaml
 * (github.com/external-secrets/external-secrets deploy/charts/external-secrets/values.yaml, stored commit
 * 00c5cec5785b6e685133f6ef69e835b4d460ac2c) — only the ones near what the kit sets. The schema data has no
 * copy of this chart, so this list is the check that the kit's keys are spelt as the chart spells them; it is
 * no substitute for the real values.yaml (the release stays "unchecked" in scripts/validation).
 * Maps whose content is free in the chart (`resources`, security contexts) are listed as prefixes.
 */
const CHART_PATHS = [
  "installCRDs",
  "replicaCount",
  "leaderElect",
  "processClusterStore",
  "processClusterExternalSecret",
  "processClusterPushSecret",
  "processPushSecret",
  "processSecretStore",
  "serviceAccount.create",
  "serviceAccount.automount",
  "serviceAccount.annotations",
  "podSecurityContext.enabled",
  "securityContext.enabled",
  "serviceMonitor.enabled",
  "podDisruptionBudget.enabled",
  "podDisruptionBudget.minAvailable",
  "webhook.create",
  "webhook.replicaCount",
  "webhook.port",
  "webhook.podSecurityContext.enabled",
  "webhook.securityContext.enabled",
  "webhook.podDisruptionBudget.enabled",
  "webhook.podDisruptionBudget.minAvailable",
  "certController.create",
  "certController.podSecurityContext.enabled",
  "certController.securityContext.enabled",
];
const FREE_PREFIXES = [
  "resources.",
  "podSecurityContext.",
  "securityContext.",
  "webhook.resources.",
  "webhook.podSecurityContext.",
  "webhook.securityContext.",
  "certController.resources.",
  "certController.podSecurityContext.",
  "certController.securityContext.",
];

function leafPaths(node: unknown, prefix = ""): string[] {
  if (node === null || typeof node !== "object" || Array.isArray(node)) return [prefix];
  return Object.entries(node).flatMap(([k, v]) => leafPaths(v, prefix ? `${prefix}.${k}` : k));
}

describe("External Secrets chart values (hand-checked key list; no reference values.yaml)", () => {
  it("uses only value paths the chart's values.yaml has", () => {
    const { json } = synthAddOns([externalSecretsAddOn({ replicas: 2 }), monitoringStub]);
    const release = Object.values(json.resource?.helm_release ?? {})[0] as { values: string[] };
    const paths = leafPaths(parseYaml(release.values[0]));
    const unknown = paths.filter(
      (p) => !CHART_PATHS.includes(p) && !FREE_PREFIXES.some((f) => p.startsWith(f)),
    );
    expect(unknown).toEqual([]);
    expect(paths.length).toBeGreaterThan(20);
  });

  it("fails when a key is misspelt (the list check catches what Helm would ignore)", () => {
    const { json } = synthAddOns([externalSecretsAddOn({ helm: { values: { installCRD: true } } })]);
    const release = Object.values(json.resource?.helm_release ?? {})[0] as { values: string[] };
    const paths = leafPaths(parseYaml(release.values[0]));
    expect(
      paths.filter((p) => !CHART_PATHS.includes(p) && !FREE_PREFIXES.some((f) => p.startsWith(f))),
    ).toEqual(["installCRD"]);
  });
});
