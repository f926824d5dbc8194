import { describe, expect, it } from "vitest";
import {
  allowedChartVersions,
  CHARTS,
  type ChartPin,
  chartVersionProblem,
} from "../../../constructs/core/charts";

const pin = (version: string, versionPolicy: ChartPin["versionPolicy"]): ChartPin => ({
  chart: "demo",
  repository: "https://charts.example.com",
  version,
  versionPolicy,
});

describe("chart pins and their version policy", () => {
  it("pins every chart to an exact version with an explicit policy", () => {
    for (const [key, p] of Object.entries(CHARTS)) {
      // KServe and Envoy Gateway publish their charts as v<semver>; the pin keeps the publisher's spelling.
      expect(p.version, key).toMatch(/^v?\d+\.\d+\.\d+$/);
      expect(["patch", "minor"], key).toContain(p.versionPolicy);
      expect(chartVersionProblem(p, p.version), key).toBeUndefined();
    }
  });

  it('allows the pin and later patches under "patch", later minors too under "minor"', () => {
    expect(allowedChartVersions(pin("1.11.5", "patch"))).toEqual({ min: "1.11.5", below: "1.12.0" });
    expect(allowedChartVersions(pin("0.20.0", "patch"))).toEqual({ min: "0.20.0", below: "0.21.0" });
    expect(allowedChartVersions(pin("1.11.5", "minor"))).toEqual({ min: "1.11.5", below: "2.0.0" });
    expect(chartVersionProblem(pin("1.11.5", "patch"), "1.11.9")).toBeUndefined();
    expect(chartVersionProblem(pin("1.11.5", "patch"), "1.11.10")).toBeUndefined();
    expect(chartVersionProblem(pin("1.11.5", "minor"), "1.40.0")).toBeUndefined();
  });

  it("keeps a v-prefixed pin's policy: KServe v0.20.0 allows v0.20.x, not v0.21.0", () => {
    const p = pin("v0.20.0", "patch");
    expect(chartVersionProblem(p, "v0.20.3")).toBeUndefined();
    expect(chartVersionProblem(p, "v0.21.0")).toMatch(/>=v0\.20\.0 <0\.21\.0/);
  });

  it("fails when a version is below the pin, past the policy or not exact, naming the allowed range", () => {
    const p = pin("1.11.5", "patch");
    for (const v of ["1.11.4", "1.12.0", "2.0.0", "1.11", "latest", "1.11.6-rc.1", "^1.11.5"]) {
      expect(chartVersionProblem(p, v), v).toBe(
        "expected an exact demo chart version >=1.11.5 <1.12.0 (the pin's major and minor); another version needs a new pin in constructs/core/charts.ts",
      );
    }
    expect(chartVersionProblem(pin("1.11.5", "minor"), "2.0.0")).toMatch(
      />=1\.11\.5 <2\.0\.0 \(the pin's major\)/,
    );
  });
});
