import { parse as parseYaml } from "yaml";
import { externalSecretsAddOn } from "../../../../constructs/addons/external-secrets";
import { gp3StorageClassAddOn } from "../../../../constructs/addons/gp3-storage-class";
import {
  type EckLoggingOutputs,
  type LoggingConfigInput,
  loggingAddOn,
} from "../../../../constructs/addons/logging";
import type { AddOn, PlatformInfo } from "../../../../constructs/core";
import { controllerFor } from "../../../support/addons";
import { all, type Json } from "../../../support/manifests";
import { resourcesOf, type SynthJson } from "../../../support/synth";
import { synthAddOns } from "../external-secrets/support";

export { type Json, manifests } from "../external-secrets/support";

/** Storage class, ESO and logging (+ extra add-ons), synthesized. */
export function synthLogging(
  config: LoggingConfigInput = {},
  opts: { extra?: AddOn<unknown>[]; platform?: Partial<PlatformInfo> } = {},
): { json: SynthJson; outputs: EckLoggingOutputs } {
  const { json, outputs } = synthAddOns(
    [
      gp3StorageClassAddOn(),
      externalSecretsAddOn(),
      loggingAddOn(config),
      ...controllerFor(config.eck?.kibana?.ingress),
      ...(opts.extra ?? []),
    ],
    opts.platform,
  );
  return { json, outputs: outputs.get("logging") as EckLoggingOutputs };
}

export function eckRelease(json: SynthJson): Json {
  const found = all(json, "helm_release").filter((r) => r.chart === "eck-operator");
  if (found.length !== 1) throw new Error(`expected one eck-operator release, found ${found.length}`);
  return found[0];
}

export function eckValues(json: SynthJson): Json {
  return parseYaml(eckRelease(json).values[0]) as Json;
}

/** NetworkPolicies by `<namespace>/<name>` (the namespace reference resolved to its name). */
export function policies(json: SynthJson): Record<string, Json> {
  const namespaces = Object.entries(resourcesOf(json, "kubernetes_namespace_v1")).map(
    ([address, r]) => [address, (r as Json).metadata.name as string] as const,
  );
  const nsName = (ref: string) =>
    namespaces.find(([address]) => ref.includes(`kubernetes_namespace_v1.${address}.`))?.[1] ?? ref;
  return Object.fromEntries(
    all(json, "kubernetes_network_policy_v1").map((p) => [
      `${nsName(p.metadata.namespace)}/${p.metadata.name}`,
      p,
    ]),
  );
}
