import { parse as parseYaml } from "yaml";
import { type CertManagerConfigInput, certManagerAddOn } from "../../../../constructs/addons/cert-manager";
import { monitoringStub, synthAddOns } from "../../../support/addons";
import type { Json } from "../../../support/manifests";
import type { SynthJson } from "../../../support/synth";

/** cert-manager (with a monitoring stand-in when asked), synthesized. */
export function synthCertManager(
  config: CertManagerConfigInput = {},
  opts: { monitoring?: boolean } = {},
): SynthJson {
  return synthAddOns([certManagerAddOn(config), ...(opts.monitoring ? [monitoringStub] : [])]).json;
}

/** The helm_release of a chart in a synthesized stack (exactly one). */
export function releaseOf(json: SynthJson, chart: string): Json {
  const found = (Object.values(json.resource?.helm_release ?? {}) as Json[]).filter((r) => r.chart === chart);
  if (found.length !== 1) throw new Error(`expected one ${chart} release, found ${found.length}`);
  return found[0];
}

/** A release's values, parsed. */
export const valuesOf = (release: Json): Json => parseYaml(release.values[0]) as Json;
