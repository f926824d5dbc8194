import { expect, it } from "vitest";
import { validateSynthesizedStack } from "../../../../scripts/validation";
import { manifests } from "../../../support/manifests";
import { describeWithSchemas, expectValidStack } from "../../../support/schemas";
import { synthController } from "./support";

describeWithSchemas("AWS Load Balancer Controller add-on against the chart's values.yaml", () => {
  for (const monitoring of [false, true]) {
    it(`monitoring ${monitoring ? "on" : "off"}: every Helm value, Kubernetes object and monitor validates`, () => {
      const { json } = synthController({}, { monitoring });
      const report = expectValidStack(json);
      expect(report.checked.HelmRelease).toBe(1);
      expect(report.olderReference).toEqual([]);
      expect(report.unchecked).toEqual([]);
      expect(report.checked.PodMonitor ?? 0).toBe(manifests(json, "PodMonitor").length);
    });
  }

  it("fails when an override key is misspelt, naming the key and the chart", () => {
    const { json } = synthController({ helm: { values: { defaultTargetTyp: "ip" } } });
    const failures = validateSynthesizedStack(json).failures.filter((f) => f.kind === "HelmRelease");
    expect(failures).toHaveLength(1);
    expect(failures[0].error).toMatch(/chart aws-load-balancer-controller has no value "defaultTargetTyp"/);
  });
});
