import { expect, it } from "vitest";
import { checkReferenceData, schemaStore } from "../../../constructs/validation";
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
});
