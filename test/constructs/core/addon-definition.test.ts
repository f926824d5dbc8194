import { describe, expect, it } from "vitest";
import { PLATFORM_ADD_ONS } from "../../../constructs/addons";
import { KAFKA_CONFIG } from "../../../constructs/addons/kafka";
import { nvidiaDevicePluginDefinition } from "../../../constructs/addons/nvidia-device-plugin";
import { parseAddOnConfig, selectAddOns } from "../../../constructs/core/addon-definition";

const pools = (gpu: boolean) => ({ system: { create: true, gpu: false }, accel: { create: true, gpu } });

describe("add-on definitions", () => {
  it("parses a section given in code once, naming problems by their config path", () => {
    expect(parseAddOnConfig(KAFKA_CONFIG, {}).mode).toBe("strimzi");
    expect(() => parseAddOnConfig(KAFKA_CONFIG, { mode: "confluent" })).toThrow(
      /^invalid Kafka configuration: 1 problem\n {2}- addons\.kafka\.mode: got "confluent"/,
    );
  });

  it("selects add-ons by their section's enabled, and derived ones by the platform", () => {
    const addons = { kafka: parseAddOnConfig(KAFKA_CONFIG, { enabled: true }), mlflow: { enabled: false } };
    const ids = (gpu: boolean) =>
      selectAddOns(
        PLATFORM_ADD_ONS.filter((d) => !("config" in d) || d.config.key in addons),
        { addons, nodePools: pools(gpu) },
      ).map((s) => s.addOn.id);
    expect(ids(false)).toEqual(["storage", "kafka"]);
    expect(ids(true)).toEqual(["storage", "nvidia-device-plugin", "kafka"]);
    expect(
      nvidiaDevicePluginDefinition.enabled({ addons: {}, nodePools: { g: { create: false, gpu: true } } }),
    ).toBe(false);
  });

  it("lets a sectioned definition's enabled() decide only while the section leaves enabled unset", () => {
    // An add-on another needs (cert-manager for KServe): on by itself when wanted, an explicit value wins.
    const wanted = (platform: { addons: Record<string, unknown> }) => platform.addons.wanted === true;
    const helper = {
      id: "helper",
      config: { key: "helper", title: "helper", schema: {} as never },
      enabled: wanted,
      create: () => ({ id: "helper", deploy: () => ({}) }),
    };
    const on = (helperSection: unknown, want: boolean) =>
      selectAddOns([helper], { addons: { helper: helperSection, wanted: want }, nodePools: {} }).length === 1;
    expect([on({}, true), on({}, false)]).toEqual([true, false]);
    expect([on({ enabled: false }, true), on({ enabled: true }, false)]).toEqual([false, true]);
    expect(on(undefined, true)).toBe(true);
  });

  it("fails when a definition creates an add-on with another id", () => {
    const liar = { id: "greeter", create: () => ({ id: "other", deploy: () => ({}) }) };
    expect(() => selectAddOns([liar], { addons: {}, nodePools: {} })).toThrow(
      /add-on definition "greeter" created an add-on with id "other"; they must match/,
    );
  });
});
