import { parse as parseYaml } from "yaml";
import { externalSecretsAddOn } from "../../../../constructs/addons/external-secrets";
import {
  type MlflowConfigInput,
  type MlflowOutputs,
  mlflowAddOn,
} from "../../../../constructs/addons/mlflow";
import type { AddOn, PlatformInfo } from "../../../../constructs/core";
import { controllerFor } from "../../../support/addons";
import { onlyResource, type SynthJson } from "../../../support/synth";
import { type Json, monitoringStub, synthAddOns } from "../external-secrets/support";

export { type Json, manifests, monitoringStub } from "../external-secrets/support";

/** ESO + MLflow (+ monitoring stub when asked), synthesized. */
export function synthMlflow(
  config: MlflowConfigInput = {},
  opts: { monitoring?: boolean; extra?: AddOn<unknown>[]; platform?: Partial<PlatformInfo> } = {},
): { json: SynthJson; outputs: MlflowOutputs } {
  const { json, outputs } = synthAddOns(
    [
      externalSecretsAddOn(),
      mlflowAddOn(config),
      ...controllerFor(config.ingress),
      ...(opts.monitoring ? [monitoringStub] : []),
      ...(opts.extra ?? []),
    ],
    opts.platform,
  );
  return { json, outputs: outputs.get("mlflow") as MlflowOutputs };
}

/** The MLflow release (not the operator's). */
export function mlflowRelease(json: SynthJson): Json {
  const releases = Object.values(json.resource?.helm_release ?? {}) as Json[];
  const found = releases.filter((r) => r.chart === "mlflow");
  if (found.length !== 1) throw new Error(`expected one mlflow release, found ${found.length}`);
  return found[0];
}

export function mlflowValues(json: SynthJson): Json {
  return parseYaml(mlflowRelease(json).values[0]) as Json;
}

export { onlyResource };
