import { expect, it } from "vitest";
import { validateSynthesizedStack } from "../../../../scripts/validation";
import { manifests } from "../../../support/manifests";
import { describeWithSchemas, expectValidStack } from "../../../support/schemas";
import { synthExternalDns } from "./support";

describeWithSchemas("ExternalDNS add-on against the chart's values.yaml and values.schema.json", () => {
  const variants = {
    "defaults, monitoring": [{}, true],
    "sync, private zone, filters": [
      { policy: "sync", zoneType: "private", domainFilters: ["ml.example.com"], sources: ["ingress"] },
      false,
    ],
  } as const;
  for (const [name, [config, monitoring]] of Object.entries(variants)) {
    it(`${name}: every Helm value, Kubernetes object and monitor validates`, () => {
      const json = synthExternalDns(config as never, { monitoring });
      const report = expectValidStack(json);
      expect(report.checked.HelmRelease).toBe(1);
      expect(report.olderReference).toEqual([]);
      expect(report.unchecked).toEqual([]);
      expect(report.checked.PodMonitor ?? 0).toBe(manifests(json, "PodMonitor").length);
    });
  }

  it("fails when an override breaks the chart's schema (a policy the chart does not know)", () => {
    const json = synthExternalDns({ helm: { values: { policy: "delete-all" } } });
    const failures = validateSynthesizedStack(json).failures.filter((f) => f.kind === "HelmRelease");
    expect(failures.map((f) => f.error).join("\n")).toMatch(/values\.schema\.json: .*policy/);
  });

  it("fails when an override key is misspelt, naming the key and the chart", () => {
    const json = synthExternalDns({ helm: { values: { txtOwnerID: "x" } } });
    const failures = validateSynthesizedStack(json).failures.filter((f) => f.kind === "HelmRelease");
    expect(failures.map((f) => f.error).join("\n")).toMatch(/chart external-dns has no value "txtOwnerID"/);
  });
});
