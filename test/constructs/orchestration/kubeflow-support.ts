import { Construct } from "constructs";
import { type AddOn, deployAddOns, type PlatformInfo } from "../../../constructs/core";
import {
  type KubeflowPipelinesOutputs,
  kubeflowPipelinesAddOn,
} from "../../../constructs/orchestration/kubeflow-addon";
import type { KubeflowPipelinesConfigInput } from "../../../constructs/orchestration/kubeflow-config";
import { baseAddOnContext } from "../../support/cluster";
import { type SynthJson, synthScope } from "../../support/synth";

export { all, type Json, manifests, named } from "../../support/manifests";

/** Stand-ins: only the presence of these add-ons matters to Kubeflow Pipelines. */
export const externalSecretsStub: AddOn<unknown> = { id: "external-secrets", deploy: () => ({}) };
export const monitoringStub: AddOn<unknown> = { id: "monitoring", deploy: () => ({}) };

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
  let outputs: KubeflowPipelinesOutputs | undefined;
  const json = synthScope((scope) => {
    const base = baseAddOnContext(scope);
    const context = { ...base, platform: { ...base.platform, ...platform } };
    const deployed = deployAddOns(new Construct(scope, "AddOns"), context, [
      externalSecretsStub,
      kubeflowPipelinesAddOn(config),
      ...extra,
    ]);
    outputs = deployed.get("kubeflow-pipelines")?.outputs as KubeflowPipelinesOutputs;
  });
  return { json, outputs: outputs as KubeflowPipelinesOutputs };
}
