/** The default configuration (standard preset) runs the logging add-on in mode eck, wired to the collector. */
import { describe, expect, it } from "vitest";
import { EMBEDDED_DEFAULT, PRESET_FRAGMENTS } from "../../../../config/presets";
import { synthPlatform } from "../../../support/platform";
import type { Json } from "./support";

describe("the default platform", () => {
  const platform = synthPlatform(EMBEDDED_DEFAULT);
  const manifests = Object.values(platform.stacks).flatMap((s) =>
    Object.values((s.resource?.kubernetes_manifest ?? {}) as Record<string, Json>).map((r) => r.manifest),
  );
  const charts = Object.values((platform.platform.resource?.helm_release ?? {}) as Record<string, Json>).map(
    (r) => r.chart,
  );

  it("enables logging in the standard and gpu-training presets, not in minimal", () => {
    expect(PRESET_FRAGMENTS.standard.addons?.logging).toEqual({ enabled: true });
    expect(PRESET_FRAGMENTS["gpu-training"].addons?.logging).toEqual({ enabled: true });
    expect(PRESET_FRAGMENTS.minimal.addons?.logging).toBeUndefined();
  });

  it("synthesizes the ECK operator, the collector, Elasticsearch, Kibana and the bootstrap Job", () => {
    expect(charts).toEqual(expect.arrayContaining(["eck-operator", "fluent-bit", "kube-prometheus-stack"]));
    const kinds = manifests.map((m) => `${m.kind} ${m.metadata.namespace}/${m.metadata.name}`);
    expect(kinds).toEqual(
      expect.arrayContaining([
        "Elasticsearch logging/logs",
        "Kibana logging/logs",
        "ExternalSecret logging-collector/log-writer-credentials",
      ]),
    );
    expect(kinds.some((k) => /^Job logging\/logging-bootstrap-[0-9a-f]{10}$/.test(k))).toBe(true);
  });
});
