import { describe, expect, it } from "vitest";
import { certManagerAddOn } from "../../../../constructs/addons/cert-manager";
import { servingAddOn } from "../../../../constructs/addons/serving";
import { externalSecretsStub, synthAddOns } from "../../../support/addons";
import type { Json } from "../../../support/manifests";
import { releaseOf, valuesOf } from "../cert-manager/support";
import { mlflowStub, POOLS, servingWith } from "./support";

/** The serving add-on with the real cert-manager add-on beside it when asked. */
function synth(engine: "kserve" | "seldon", certManager: boolean) {
  const serving = servingAddOn(servingWith({}, { engine }), POOLS, { certManager });
  return synthAddOns([mlflowStub, externalSecretsStub, ...(certManager ? [certManagerAddOn()] : []), serving])
    .json;
}

const addressOf = (json: Json, chart: string) => {
  const [id] = Object.entries(json.resource.helm_release).find(([, r]) => (r as Json).chart === chart) ?? [];
  return `helm_release.${id}`;
};

describe("serving add-on: KServe and cert-manager", () => {
  it("installs KServe's CRDs and controller after cert-manager, and asks the chart for its Issuer", () => {
    const json = synth("kserve", true);
    const certManager = addressOf(json, "cert-manager");
    for (const chart of ["kserve-crd", "kserve-resources"]) {
      expect(releaseOf(json, chart).depends_on, chart).toContain(certManager);
    }
    // The chart renders the Certificate and the inject-ca-from annotations anyway; the Issuer needs this.
    expect(valuesOf(releaseOf(json, "kserve-resources")).kserve.certManager).toEqual({ enabled: true });
  });

  it("depends on no cert-manager add-on when the platform has none (one runs outside the kit)", () => {
    const json = synth("kserve", false);
    const deps = releaseOf(json, "kserve-resources").depends_on as string[];
    expect(deps.filter((d) => d.includes("cert-manager"))).toEqual([]);
    expect(valuesOf(releaseOf(json, "kserve-resources")).kserve.certManager).toEqual({ enabled: true });
  });

  it("does not make Seldon wait for cert-manager", () => {
    const addOn = servingAddOn(servingWith({}, { engine: "seldon" }), POOLS, { certManager: true });
    expect(addOn.dependsOn).not.toContain("cert-manager");
  });
});
