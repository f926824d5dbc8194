import { z } from "zod";
import { addOnConfigSection, parseAddOnConfig } from "../../core/addon-definition";
import { CHARTS } from "../../core/charts";
import { helmConfigSchema } from "../../core/helm-config";
import { nodePoolField } from "../../core/node-placement";
import { boundedInt, containerResourcesSchema } from "../../primitives";

/**
 * Configuration of the metrics-server add-on (`addons.metricsServer`): the resource metrics API
 * (`metrics.k8s.io`) that HorizontalPodAutoscalers and `kubectl top` read.
 */

// metrics-server's own sizing guide: 100m CPU and 200Mi serve up to ~100 nodes at a 15 s resolution
// (github.com/kubernetes-sigs/metrics-server#scaling); the kit's presets stay well below that.
const DEFAULT_RESOURCES = { cpuRequest: "100m", memoryRequest: "200Mi", memoryLimit: "400Mi" } as const;

export const MetricsServerConfigSchema = z
  .strictObject({
    enabled: z
      .boolean()
      .default(false)
      .describe(
        "Install metrics-server (on in every preset: HorizontalPodAutoscalers and `kubectl top` need the metrics API).",
      ),
    replicas: boundedInt("replicas", 1, 5)
      .default(2)
      .describe(
        "Replicas, spread over nodes (required anti-affinity) and zones; 2 or more keeps the metrics API up through a node drain (PodDisruptionBudget minAvailable 1).",
      ),
    nodePool: nodePoolField(),
    resources: containerResourcesSchema(DEFAULT_RESOURCES, " per replica").describe(
      "metrics-server container resources (no CPU limit: throttling would delay the metrics API).",
    ),
    helm: helmConfigSchema(CHARTS.metricsServer, {
      valuesCheck: "Keys are checked against its values.yaml.",
    }),
  })
  .describe("metrics-server: the resource metrics API for HorizontalPodAutoscalers and `kubectl top`.");

export type MetricsServerConfigInput = z.input<typeof MetricsServerConfigSchema>;
export type MetricsServerConfig = z.output<typeof MetricsServerConfigSchema>;

/** `addons.metricsServer`: the section the platform schema and the add-on's registry entry share. */
export const METRICS_SERVER_CONFIG = addOnConfigSection({
  key: "metricsServer",
  title: "metrics-server",
  schema: MetricsServerConfigSchema,
});

/** Parses `addons.metricsServer`, listing every problem with its path and the value found. */
export function parseMetricsServerConfig(
  input: MetricsServerConfigInput | MetricsServerConfig,
): MetricsServerConfig {
  return parseAddOnConfig(METRICS_SERVER_CONFIG, input);
}
