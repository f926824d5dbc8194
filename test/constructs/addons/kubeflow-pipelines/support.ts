import {
  type KubeflowPipelinesOutputs,
  kubeflowPipelinesAddOn,
} from "../../../../constructs/addons/kubeflow-pipelines/addon";
import type { KubeflowPipelinesConfigInput } from "../../../../constructs/addons/kubeflow-pipelines/config";
import type { AddOn, PlatformInfo } from "../../../../constructs/core";
import { externalSecretsStub, synthAddOns } from "../../../support/addons";
import type { SynthJson } from "../../../support/synth";

export { externalSecretsStub, monitoringStub } from "../../../support/addons";
export { all, type Json, manifests, named } from "../../../support/manifests";

export interface KfpSynth {
  readonly json: SynthJson;
  readonly outputs: KubeflowPipelinesOutputs;
}

/** Deploys the add-on (with the external-secrets stand-in and `extra`) into a synthesized scope. */
export function synthKfp(
  config: KubeflowPipelinesConfigInput = {},
  extra: AddOn<unknown>[] = [],
  platform: Partial<PlatformInfo> = {},
): KfpSynth {
  const { json, outputs } = synthAddOns(
    [externalSecretsStub, kubeflowPipelinesAddOn(config), ...extra],
    platform,
  );
  return { json, outputs: outputs.get("kubeflow-pipelines") as KubeflowPipelinesOutputs };
}
