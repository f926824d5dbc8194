import { TerraformOutput } from "cdktf";
import { Construct } from "constructs";
import { type KafkaConfigInput, type KafkaOutputs, kafkaAddOn } from "../../../../constructs/addons/kafka";
import { type AddOn, deployAddOns } from "../../../../constructs/core";
import { baseAddOnContext } from "../../../support/cluster";
import type { Json } from "../../../support/manifests";
import { type SynthJson, synthScope } from "../../../support/synth";

export { monitoringStub } from "../../../support/addons";
export { type Json, manifestNamed, manifests } from "../../../support/manifests";

export interface KafkaSynth {
  readonly json: SynthJson;
  readonly outputs: KafkaOutputs;
}

/**
 * Deploys the Kafka add-on (plus `extra` add-ons) into a synthesized scope. `use` runs inside the scope with
 * the outputs, so tests can turn tokens into Terraform outputs or resources and read them from the JSON.
 */
export function synthKafka(
  config: KafkaConfigInput,
  extra: AddOn<unknown>[] = [],
  use?: (scope: Construct, outputs: KafkaOutputs) => void,
): KafkaSynth {
  let outputs: KafkaOutputs | undefined;
  const json = synthScope((scope) => {
    const deployed = deployAddOns(new Construct(scope, "AddOns"), baseAddOnContext(scope), [
      kafkaAddOn(config),
      ...extra,
    ]);
    outputs = deployed.get("kafka")?.outputs as KafkaOutputs;
    new TerraformOutput(scope, "bootstrap", { value: outputs.bootstrapServers });
    use?.(scope, outputs);
  });
  return { json, outputs: outputs as KafkaOutputs };
}

type Schema = Json;

/**
 * Fields the Kubernetes API server would silently prune: keys an object sets where its structural schema
 * lists `properties` without that key, has no `additionalProperties` and does not preserve unknown fields.
 * The reference CRD schemas are not closed (`additionalProperties: false` is never set), so plain JSON
 * Schema validation accepts a misspelt field that the API server would then drop.
 */
export function prunedFields(schema: Schema | undefined, value: unknown, path = ""): string[] {
  if (!schema || schema["x-kubernetes-preserve-unknown-fields"] === true) return [];
  if (Array.isArray(value)) {
    return schema.items ? value.flatMap((v, i) => prunedFields(schema.items, v, `${path}[${i}]`)) : [];
  }
  if (value === null || typeof value !== "object") return [];
  const out: string[] = [];
  for (const [k, v] of Object.entries(value)) {
    const here = path ? `${path}.${k}` : k;
    if (schema.properties && k in schema.properties) out.push(...prunedFields(schema.properties[k], v, here));
    else if (schema.additionalProperties && typeof schema.additionalProperties === "object") {
      out.push(...prunedFields(schema.additionalProperties, v, here));
    } else if (schema.properties && !schema.additionalProperties) out.push(here);
  }
  return out;
}
