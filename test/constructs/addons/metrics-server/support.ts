import { parse as parseYaml } from "yaml";
import {
  type MetricsServerConfigInput,
  metricsServerAddOn,
} from "../../../../constructs/addons/metrics-server";
import { monitoringStub, synthAddOns } from "../../../support/addons";
import type { Json } from "../../../support/manifests";
import type { SynthJson } from "../../../support/synth";

/** metrics-server (with a monitoring stand-in when asked), synthesized. */
export function synthMetricsServer(
  config: MetricsServerConfigInput = {},
  opts: { monitoring?: boolean } = {},
): SynthJson {
  return synthAddOns([metricsServerAddOn(config), ...(opts.monitoring ? [monitoringStub] : [])]).json;
}

/** The metrics-server release's values, parsed. */
export function metricsServerValuesOf(json: SynthJson): Json {
  const releases = Object.values(json.resource?.helm_release ?? {}) as Json[];
  const found = releases.filter((r) => r.chart === "metrics-server");
  if (found.length !== 1) throw new Error(`expected one metrics-server release, found ${found.length}`);
  return parseYaml(found[0].values[0]) as Json;
}
