export { monitoringStub, probeAddOn, synthAddOns } from "../../../support/addons";
export { type Json, manifests } from "../../../support/manifests";

/** API groups of the External Secrets resources the kit writes (validated against the reference CRDs). */
export const ESO_GROUPS = ["external-secrets.io", "generators.external-secrets.io"];
