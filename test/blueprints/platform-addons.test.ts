import { Testing } from "cdktf";
import { describe, expect, it } from "vitest";
import { buildPlatform } from "../../blueprints/platform-blueprint";
import { type PlatformOptions, parsePlatformConfig } from "../../config";
import { configProblems } from "../support/errors";
import { resourcesOf, type SynthJson } from "../support/synth";
import { greeterDefinition } from "./stand-in-addon";

const options: PlatformOptions = { addOns: [greeterDefinition] };
const doc = (greeter: unknown, preset = "standard") => ({
  preset,
  name: "acme",
  environment: "dev",
  region: "eu-west-1",
  addons: { greeter },
});

describe("a team's own add-on, registered through the public options", () => {
  it("is validated with the platform, created from its parsed section and synthesized", () => {
    const config = parsePlatformConfig(doc({ enabled: true, greeting: "bonjour" }), "test", options);
    expect((config.addons as Record<string, unknown>).greeter).toEqual({
      enabled: true,
      greeting: "bonjour",
    });
    const app = Testing.app();
    const blueprint = buildPlatform(app, config, options);
    const platform = JSON.parse(Testing.synth(blueprint.platform)) as SynthJson;
    const maps = Object.entries(resourcesOf(platform, "kubernetes_config_map_v1")).filter(([key]) =>
      key.includes("greeter"),
    ) as [string, { data: Record<string, string> }][];
    expect(maps).toHaveLength(1);
    expect(maps[0][1].data).toEqual({ greeting: "bonjour" });
    // Its declared dependency orders it after External Secrets.
    const order = [...blueprint.platform.addOns.keys()];
    expect(order.indexOf("greeter")).toBeGreaterThan(order.indexOf("external-secrets"));
    expect(blueprint.notes[0]).toMatch(/Add-ons: .*external-secrets.*greeter/);
  });

  it("stays off by default (its section defaults like the kit's)", () => {
    const config = parsePlatformConfig(doc(undefined), "test", options);
    expect((config.addons as Record<string, unknown>).greeter).toEqual({ enabled: false, greeting: "hello" });
    const blueprint = buildPlatform(Testing.app(), config, options);
    expect(blueprint.platform.addOns.has("greeter")).toBe(false);
  });

  it("fails when its section is invalid, naming the path and the value", () => {
    const problems = configProblems(() =>
      parsePlatformConfig(doc({ enabled: "yes", greting: "hi" }), "test", options),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^addons\.greeter\.enabled: got "yes" \(string\); expected boolean/),
        expect.stringMatching(/^addons\.greeter\.greting: unknown key "greting"; did you mean "greeting"\?/),
      ]),
    );
  });

  it("fails when it is on and its dependency is off, saying what needs it", () => {
    const problems = configProblems(() =>
      parsePlatformConfig(doc({ enabled: true }, "minimal"), "test", options),
    );
    expect(problems).toEqual([
      expect.stringMatching(
        /^addons\.externalSecrets\.enabled: got false; greeter depends on it \(External Secrets Operator: .*\): set addons\.externalSecrets\.enabled: true$/,
      ),
    ]);
  });

  it("fails when the configuration names it but the loader was not told about it", () => {
    expect(configProblems(() => parsePlatformConfig(doc({ enabled: true }), "test"))).toEqual([
      expect.stringMatching(/^addons\.greeter: unknown key "greeter"/),
    ]);
  });

  it("fails when the blueprint is given other add-ons than the configuration was parsed with", () => {
    const withGreeter = parsePlatformConfig(doc({ enabled: true }), "test", options);
    expect(() => buildPlatform(Testing.app(), withGreeter)).toThrow(
      /addons\.greeter was parsed but no add-on given here has that key.*pass the same `addOns` option/,
    );
    const without = parsePlatformConfig({ ...doc(undefined), addons: {} }, "test");
    expect(() => buildPlatform(Testing.app(), without, options)).toThrow(/addons\.greeter was not parsed/);
  });

  it("fails when its id or key is already taken", () => {
    const twin = { ...greeterDefinition, id: "kafka" };
    expect(() => parsePlatformConfig(doc(undefined), "test", { addOns: [twin] })).toThrow(
      /add-on id "kafka" is registered twice/,
    );
    const sameKey = { ...greeterDefinition, config: { ...greeterDefinition.config, key: "mlflow" as const } };
    expect(() => parsePlatformConfig(doc(undefined), "test", { addOns: [sameKey] })).toThrow(
      /addons\.mlflow is registered by two add-ons/,
    );
  });
});
