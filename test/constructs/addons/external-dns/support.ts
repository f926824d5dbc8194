import { parse as parseYaml } from "yaml";
import { type ExternalDnsConfigInput, externalDnsAddOn } from "../../../../constructs/addons/external-dns";
import { monitoringStub, synthAddOns } from "../../../support/addons";
import type { Json } from "../../../support/manifests";
import type { SynthJson } from "../../../support/synth";

export const ZONE = "Z0123456789ABCDEFGHIJ";

/** ExternalDNS for the test zone (with a monitoring stand-in when asked), synthesized. */
export function synthExternalDns(
  config: Partial<ExternalDnsConfigInput> = {},
  opts: { monitoring?: boolean } = {},
): SynthJson {
  return synthAddOns([
    externalDnsAddOn({ hostedZoneId: ZONE, ...config }),
    ...(opts.monitoring ? [monitoringStub] : []),
  ]).json;
}

/** The external-dns release's values, parsed. */
export function externalDnsValuesOf(json: SynthJson): Json {
  const releases = Object.values(json.resource?.helm_release ?? {}) as Json[];
  const found = releases.filter((r) => r.chart === "external-dns");
  if (found.length !== 1) throw new Error(`expected one external-dns release, found ${found.length}`);
  return parseYaml(found[0].values[0]) as Json;
}
