import { ConfigMapV1 } from "@cdktf/provider-kubernetes/lib/config-map-v1";
import { z } from "zod";
import type { AddOn } from "../../../constructs/core/addon";
import { type AddOnDefinition, addOnConfigSection } from "../../../constructs/core/addon-definition";

/**
 * A stand-in for a team's own add-on: this folder is all it takes (a schema, a section and a definition), plus
 * the `addOns` option of the loader and the blueprint. Nothing in the kit is edited.
 */
export const GreeterConfigSchema = z
  .strictObject({
    enabled: z.boolean().default(false).describe("Install the greeter."),
    greeting: z.string().min(1).default("hello").describe("What the ConfigMap says."),
  })
  .describe("A stand-in add-on: one ConfigMap.");

export const GREETER_CONFIG = addOnConfigSection({
  key: "greeter",
  title: "Greeter",
  schema: GreeterConfigSchema,
});

export const greeterDefinition = {
  id: "greeter",
  config: GREETER_CONFIG,
  create: (config: z.output<typeof GreeterConfigSchema>): AddOn<{ name: string }> => ({
    id: "greeter",
    // A real dependency, so the test sees the configuration check and the ordering take it from here.
    dependsOn: ["external-secrets"],
    deploy: (context) => {
      const map = new ConfigMapV1(context.scope, "Greeting", {
        provider: context.cluster.kubernetesProvider,
        metadata: { name: "greeting", namespace: "default" },
        data: { greeting: config.greeting },
      });
      return { name: map.metadata.name };
    },
  }),
} satisfies AddOnDefinition<typeof GREETER_CONFIG>;
