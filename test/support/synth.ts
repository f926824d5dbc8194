import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { App, TerraformStack, Testing } from "cdktf";
import type { Construct } from "constructs";

/** A synthesized stack's Terraform JSON. */
export interface SynthJson {
  resource?: Record<string, Record<string, Record<string, unknown>>>;
  data?: Record<string, Record<string, Record<string, unknown>>>;
  output?: Record<string, unknown>;
  provider?: Record<string, unknown[]>;
  terraform?: Record<string, unknown>;
  locals?: Record<string, unknown>;
}

/** Builds a stack with an AWS provider, lets `build` add constructs, and returns the parsed JSON. */
export function synthStack(build: (stack: TerraformStack) => void): SynthJson {
  const app = Testing.app();
  const stack = new TerraformStack(app, "test");
  new AwsProvider(stack, "aws", { region: "eu-west-1" });
  build(stack);
  return JSON.parse(Testing.synth(stack)) as SynthJson;
}

/** Synthesizes one construct scope (for constructs that are not stacks). */
export function synthScope(build: (scope: Construct) => void): SynthJson {
  return JSON.parse(
    Testing.synthScope((scope) => {
      new AwsProvider(scope, "aws", { region: "eu-west-1" });
      build(scope);
    }),
  ) as SynthJson;
}

/** Every resource of one Terraform type, keyed by logical id. */
export function resourcesOf(json: SynthJson, type: string): Record<string, Record<string, unknown>> {
  return json.resource?.[type] ?? {};
}

/** The single resource of a type; fails the test when there is not exactly one. */
export function onlyResource(json: SynthJson, type: string): Record<string, unknown> {
  const all = Object.values(resourcesOf(json, type));
  if (all.length !== 1) throw new Error(`expected exactly one ${type}, found ${all.length}`);
  return all[0] as Record<string, unknown>;
}

export function dataOf(json: SynthJson, type: string): Record<string, Record<string, unknown>> {
  return json.data?.[type] ?? {};
}

/** Parses an IAM policy document that cdktf rendered as a JSON string or as a data source reference. */
export function parsePolicy(value: unknown): { Statement: Record<string, unknown>[] } {
  if (typeof value !== "string") throw new Error(`policy is not a string: ${JSON.stringify(value)}`);
  return JSON.parse(value) as { Statement: Record<string, unknown>[] };
}

export { App };
