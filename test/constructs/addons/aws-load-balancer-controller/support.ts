import { parse as parseYaml } from "yaml";
import {
  type AwsLoadBalancerControllerConfigInput,
  type AwsLoadBalancerControllerOutputs,
  awsLoadBalancerControllerAddOn,
} from "../../../../constructs/addons/aws-load-balancer-controller";
import type { AddOn } from "../../../../constructs/core";
import type { SynthJson } from "../../../support/synth";
import { type Json, monitoringStub, synthAddOns } from "../external-secrets/support";

export { type Json, manifests } from "../external-secrets/support";

/** The controller (+ monitoring stub when asked), synthesized. */
export function synthController(
  config: AwsLoadBalancerControllerConfigInput = {},
  opts: {
    monitoring?: boolean;
    extra?: AddOn<unknown>[];
  } = {},
): { json: SynthJson; outputs: AwsLoadBalancerControllerOutputs } {
  const { json, outputs } = synthAddOns([
    awsLoadBalancerControllerAddOn(config),
    ...(opts.monitoring ? [monitoringStub] : []),
    ...(opts.extra ?? []),
  ]);
  return { json, outputs: outputs.get("aws-load-balancer-controller") as AwsLoadBalancerControllerOutputs };
}

/** The controller's release. */
export function controllerRelease(json: SynthJson): Json {
  const found = (Object.values(json.resource?.helm_release ?? {}) as Json[]).filter(
    (r) => r.chart === "aws-load-balancer-controller",
  );
  if (found.length !== 1) throw new Error(`expected one controller release, found ${found.length}`);
  return found[0];
}

export function controllerValues(json: SynthJson): Json {
  return parseYaml(controllerRelease(json).values[0]) as Json;
}
