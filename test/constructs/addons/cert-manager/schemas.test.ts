import { expect, it } from "vitest";
import { manifests } from "../../../support/manifests";
import { describeWithSchemas, expectValidStack } from "../../../support/schemas";
import { synthCertManager } from "./support";

describeWithSchemas("cert-manager add-on against the reference data", () => {
  for (const monitoring of [false, true]) {
    it(`${monitoring ? "with" : "without"} monitoring: every Kubernetes object and monitor validates; the release is reported unchecked`, () => {
      const json = synthCertManager({}, { monitoring });
      const report = expectValidStack(json);
      // ../shared/schemas has no cert-manager chart: never counted as valid, always named (chart-keys.ts checks
      // the keys instead).
      expect(report.checked.HelmRelease ?? 0).toBe(0);
      expect(report.unchecked).toEqual([
        expect.objectContaining({
          kind: "HelmRelease",
          name: "cert-manager",
          reason: expect.stringMatching(/^chart "cert-manager" has no reference data/),
        }),
      ]);
      expect(report.checked.Namespace).toBe(1);
      expect(report.checked.NetworkPolicy).toBe(monitoring ? 4 : 3);
      expect(report.checked.PodMonitor ?? 0).toBe(manifests(json, "PodMonitor").length);
    });
  }
});
