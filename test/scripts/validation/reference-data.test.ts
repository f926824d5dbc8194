import { expect, it } from "vitest";
import { CHARTS, type ChartPin } from "../../../constructs/core/charts";
import { checkReferenceData, schemaStore } from "../../../scripts/validation";
import { countKind, describeWithSchemas } from "../../support/schemas";

describeWithSchemas("reference data", () => {
  it("compiles every CRD schema (RE2 patterns included) and accepts every chart's own defaults", () => {
    const check = checkReferenceData();
    expect(check.errors).toEqual([]);
    const store = schemaStore();
    expect(check.crds).toBe(store.crds().length);
    expect(check.charts).toBe(store.charts().filter((c) => c.hasValues).length);
    expect(check.crds).toBeGreaterThan(0);
    countKind("CRD schema", check.crds);
    countKind("chart values", check.charts);
  });

  it("has reference data at the pinned version (or the declared older one) for every chart pin with a schemaDir", () => {
    const store = schemaStore();
    const pins = Object.values(CHARTS as Record<string, ChartPin>);
    const mismatches = pins
      .filter((p) => p.schemaDir)
      .flatMap((p) => {
        const entry = store.charts().find((c) => c.dir === `charts/${p.schemaDir}`);
        if (!entry) return [`${p.chart}: no charts/${p.schemaDir} in the reference data`];
        const data = entry.version.replace(/^v/, "");
        if (p.referenceVersion && data === p.version.replace(/^v/, ""))
          return [`${p.chart}: the data now has the pinned ${p.version}; drop referenceVersion`];
        return data === (p.referenceVersion ?? p.version).replace(/^v/, "")
          ? []
          : [`${p.chart}: pinned ${p.version}, reference data ${entry.version}`];
      });
    expect(mismatches).toEqual([]);
    const withoutData = pins.filter((p) => !p.schemaDir).map((p) => p.chart);
    if (withoutData.length)
      console.warn(`[schemas] chart pins without reference data (unchecked): ${withoutData.join(", ")}`);
    for (const p of pins.filter((x) => x.referenceVersion))
      console.warn(
        `[schemas] ${p.chart} pinned ${p.version}, validated against reference data ${p.referenceVersion}`,
      );
    countKind("chart pin", pins.length);
  });
});
