import { z } from "zod";
import { KafkaConfigSchema } from "../constructs/streaming/kafka-config";

/**
 * In-cluster and managed services, each switched on and configured through its own schema, owned by the
 * construct that builds it. The platform schema only assembles them and checks what spans several add-ons.
 */
export const AddOnsSchema = z
  .strictObject({
    kafka: KafkaConfigSchema.prefault({}),
  })
  .describe("Platform services (add-ons), each with `enabled`.");

export type AddOnsConfig = z.output<typeof AddOnsSchema>;
