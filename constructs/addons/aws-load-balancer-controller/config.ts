import { z } from "zod";
import { addOnConfigSection, parseAddOnConfig } from "../../core/addon-definition";
import { CHARTS } from "../../core/charts";
import { helmConfigSchema } from "../../core/helm-config";
import { nodePoolField } from "../../core/node-placement";
import { containerResourcesSchema, positiveInt } from "../../primitives";

/** Configuration of the AWS Load Balancer Controller add-on (`addons.awsLoadBalancerController`). */

const DEFAULT_RESOURCES = { cpuRequest: "100m", memoryRequest: "256Mi", memoryLimit: "512Mi" };

export const AwsLoadBalancerControllerConfigSchema = z
  .strictObject({
    enabled: z
      .boolean()
      .default(false)
      .describe("Install the AWS Load Balancer Controller (every add-on's `ingress` needs it)."),
    replicas: positiveInt("replicas", 5)
      .default(2)
      .describe(
        "Controller replicas: one leads, all answer the webhooks the API server calls; two or more get a PodDisruptionBudget.",
      ),
    nodePool: nodePoolField(),
    resources: containerResourcesSchema(DEFAULT_RESOURCES, " per replica").describe(
      "Controller container resources.",
    ),
    helm: helmConfigSchema(CHARTS.awsLoadBalancerController, {
      valuesCheck: "Keys are checked against its values.yaml.",
    }),
  })
  .describe(
    "AWS Load Balancer Controller: makes the ALBs of the add-ons' `ingress` options (internal by default), through IRSA with AWS's published policy.",
  );

export type AwsLoadBalancerControllerConfigInput = z.input<typeof AwsLoadBalancerControllerConfigSchema>;
export type AwsLoadBalancerControllerConfig = z.output<typeof AwsLoadBalancerControllerConfigSchema>;

/** `addons.awsLoadBalancerController`: the section the platform schema and the registry entry share. */
export const AWS_LOAD_BALANCER_CONTROLLER_CONFIG = addOnConfigSection({
  key: "awsLoadBalancerController",
  title: "AWS Load Balancer Controller",
  schema: AwsLoadBalancerControllerConfigSchema,
});

/** Parses `addons.awsLoadBalancerController`, listing every problem with its path and the value found. */
export function parseAwsLoadBalancerControllerConfig(
  input: AwsLoadBalancerControllerConfigInput | AwsLoadBalancerControllerConfig,
): AwsLoadBalancerControllerConfig {
  return parseAddOnConfig(AWS_LOAD_BALANCER_CONTROLLER_CONFIG, input);
}
