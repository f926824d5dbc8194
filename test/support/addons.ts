import { Construct } from "constructs";
import { awsLoadBalancerControllerAddOn } from "../../constructs/addons/aws-load-balancer-controller";
import { type AddOn, type AddOnContext, deployAddOns, type PlatformInfo } from "../../constructs/core";
import { baseAddOnContext } from "./cluster";
import { type SynthJson, synthScope } from "./synth";

/** Stand-ins for add-ons whose presence is all the add-on under test needs. */
export const externalSecretsStub: AddOn<unknown> = { id: "external-secrets", deploy: () => ({}) };
export const monitoringStub: AddOn<unknown> = { id: "monitoring", deploy: () => ({}) };

/** The real load balancer controller, when the add-on under test has an ingress (it depends on it then). */
export function controllerFor(ingress: unknown): AddOn<unknown>[] {
  return ingress ? [awsLoadBalancerControllerAddOn()] : [];
}

/** An add-on that runs `use` with its context (to exercise helpers such as `syncSecret`). */
export function probeAddOn(
  id: string,
  dependsOn: string[],
  use: (c: AddOnContext) => unknown,
): AddOn<unknown> {
  return { id, dependsOn, deploy: (c) => use(c) };
}

/**
 * Deploys add-ons (under the construct "AddOns") into a synthesized scope with the test cluster's context,
 * `platform` overriding its platform values; returns the JSON and every add-on's outputs by id.
 */
export function synthAddOns(
  addOns: AddOn<unknown>[],
  platform: Partial<PlatformInfo> = {},
): { json: SynthJson; outputs: Map<string, unknown> } {
  const outputs = new Map<string, unknown>();
  const json = synthScope((scope) => {
    const base = baseAddOnContext(scope);
    const context = { ...base, platform: { ...base.platform, ...platform } };
    const deployed = deployAddOns(new Construct(scope, "AddOns"), context, addOns);
    for (const [id, d] of deployed) outputs.set(id, d.outputs);
  });
  return { json, outputs };
}
