import { describe, expect, it } from "vitest";
import { parsePlatformConfig } from "../../../../config";
import {
  MetricsServerConfigSchema,
  metricsServerAddOn,
  parseMetricsServerConfig,
} from "../../../../constructs/addons/metrics-server";

const platform = (preset: "minimal" | "standard" | "gpu-training", extra: Record<string, unknown> = {}) =>
  parsePlatformConfig({ preset, name: "acme", environment: "dev", region: "eu-west-1", ...extra });

describe("metrics-server configuration", () => {
  it("defaults to 2 replicas on the system pool with 100m/200Mi requests and a 400Mi limit, off until enabled", () => {
    expect(parseMetricsServerConfig({})).toMatchObject({
      enabled: false,
      replicas: 2,
      nodePool: "system",
      resources: { cpuRequest: "100m", memoryRequest: "200Mi", memoryLimit: "400Mi" },
    });
    expect(Object.keys(MetricsServerConfigSchema.shape)).toEqual([
      "enabled",
      "replicas",
      "nodePool",
      "resources",
      "helm",
    ]);
  });

  it("is on in every preset, minimal included (HPAs need the metrics API)", () => {
    for (const preset of ["minimal", "standard", "gpu-training"] as const) {
      expect(platform(preset).addons.metricsServer.enabled, preset).toBe(true);
    }
    expect(
      platform("minimal", { addons: { metricsServer: { enabled: false } } }).addons.metricsServer.enabled,
    ).toBe(false);
  });

  const fails: [string, unknown, RegExp][] = [
    ["replicas is 0", { replicas: 0 }, /addons\.metricsServer\.replicas: got 0/],
    ["replicas is above 5", { replicas: 6 }, /addons\.metricsServer\.replicas: got 6/],
    [
      "the memory limit is below the request",
      { resources: { memoryLimit: "100Mi" } },
      /addons\.metricsServer\.resources\.memoryLimit: memoryLimit "100Mi" is below memoryRequest "200Mi"/,
    ],
    [
      "a CPU request is malformed",
      { resources: { cpuRequest: "lots" } },
      /addons\.metricsServer\.resources\.cpuRequest: got "lots"; expected a CPU quantity/,
    ],
    [
      "the node pool name is not a name",
      { nodePool: "System Pool" },
      /addons\.metricsServer\.nodePool: got "System Pool"; expected a node pool name/,
    ],
    [
      "the chart version leaves the pin's minor",
      { helm: { chartVersion: "3.14.0" } },
      /addons\.metricsServer\.helm\.chartVersion: got "3\.14\.0"/,
    ],
  ];
  for (const [what, input, message] of fails) {
    it(`fails when ${what}`, () => {
      expect(() => metricsServerAddOn(input as never)).toThrow(message);
    });
  }

  it("fails when the node pool it runs on is not created by the platform, naming the pools that are", () => {
    expect(() => platform("minimal", { addons: { metricsServer: { nodePool: "ops" } } })).toThrow(
      /addons\.metricsServer\.nodePool: got "ops"; expected a node pool the platform creates \(system\)/,
    );
    expect(() => platform("minimal", { nodePools: { system: { create: false } } })).toThrow(
      /addons\.metricsServer\.nodePool: got "system"; expected a node pool the platform creates/,
    );
    // Switched off, its pool is not checked.
    expect(
      platform("minimal", { addons: { metricsServer: { enabled: false, nodePool: "ops" } } }).addons
        .metricsServer.nodePool,
    ).toBe("ops");
  });
});
