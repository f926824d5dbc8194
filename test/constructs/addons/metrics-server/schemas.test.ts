import { expect, it } from "vitest";
import { validateSynthesizedStack } from "../../../../scripts/validation";
import { manifests } from "../../../support/manifests";
import { describeWithSchemas, expectValidStack } from "../../../support/schemas";
import { synthMetricsServer } from "./support";

describeWithSchemas("metrics-server add-on against the chart's values.yaml", () => {
  for (const monitoring of [false, true]) {
    it(`${monitoring ? "with" : "without"} monitoring: every Helm value, Kubernetes object and monitor validates`, () => {
      const json = synthMetricsServer({ replicas: monitoring ? 3 : 1 }, { monitoring });
      const report = expectValidStack(json);
      expect(report.checked.HelmRelease).toBe(1);
      expect(report.olderReference).toEqual([]);
      expect(report.unchecked).toEqual([]);
      expect(report.checked.PodMonitor ?? 0).toBe(manifests(json, "PodMonitor").length);
      expect(report.checked.NetworkPolicy).toBeGreaterThanOrEqual(4);
    });
  }

  it("fails when an override key is misspelt, naming the key and the chart", () => {
    const json = synthMetricsServer({ helm: { values: { podDisruptionBudjet: { enabled: true } } } });
    const failures = validateSynthesizedStack(json).failures.filter((f) => f.kind === "HelmRelease");
    expect(failures.map((f) => f.error).join("\n")).toMatch(
      /chart metrics-server has no value "podDisruptionBudjet"/,
    );
  });
});
