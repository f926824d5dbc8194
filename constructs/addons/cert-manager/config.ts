import { z } from "zod";
import { addOnConfigSection, parseAddOnConfig } from "../../core/addon-definition";
import { CHARTS } from "../../core/charts";
import { helmConfigSchema } from "../../core/helm-config";
import { nodePoolField } from "../../core/node-placement";
import { boundedInt, containerResourcesSchema } from "../../primitives";

/**
 * Configuration of the cert-manager add-on (`addons.certManager`): the certificate controller that issues
 * the serving certificates of admission webhooks (KServe's) inside the cluster, so no private key ever passes
 * through Terraform.
 */

// cert-manager's scaling guide: the controller's memory grows with the TLS Secrets it caches; the kit issues a
// handful of webhook certificates. The CA injector watches the webhook configurations and the CA Secrets.
const CONTROLLER_RESOURCES = { cpuRequest: "50m", memoryRequest: "128Mi", memoryLimit: "512Mi" } as const;
const WEBHOOK_RESOURCES = { cpuRequest: "20m", memoryRequest: "64Mi", memoryLimit: "256Mi" } as const;
const CAINJECTOR_RESOURCES = { cpuRequest: "20m", memoryRequest: "128Mi", memoryLimit: "512Mi" } as const;

export const CertManagerConfigSchema = z
  .strictObject({
    enabled: z
      .boolean()
      .optional()
      .describe(
        "Install cert-manager. Unset: on when addons.serving runs the KServe engine (its chart issues the webhook certificate through cert-manager), off otherwise. false with KServe needs external: true.",
      ),
    external: z
      .boolean()
      .default(false)
      .describe(
        "The cluster already runs cert-manager (installed outside this kit, e.g. the EKS community add-on): the kit installs none and KServe's certificate is issued by that one. Use with enabled: false.",
      ),
    replicas: boundedInt("replicas", 1, 5)
      .default(2)
      .describe(
        "Replicas of the controller, the webhook and the CA injector each (PodDisruptionBudget minAvailable 1 from 2 on). The controller and the CA injector elect a leader; the API server calls the webhook on every cert-manager resource change, so 2 keep it answering through a node drain.",
      ),
    nodePool: nodePoolField(),
    resources: z
      .strictObject({
        controller: containerResourcesSchema(CONTROLLER_RESOURCES, " of the controller"),
        webhook: containerResourcesSchema(WEBHOOK_RESOURCES, " of the webhook"),
        cainjector: containerResourcesSchema(CAINJECTOR_RESOURCES, " of the CA injector"),
      })
      .prefault({})
      .describe(
        "Container resources per component (no CPU limits: throttling delays admission and issuance).",
      ),
    helm: helmConfigSchema(CHARTS.certManager, {
      valuesCheck:
        "The chart's own values.schema.json refuses unknown keys at install (../shared/schemas has no cert-manager data).",
    }),
  })
  .superRefine((c, ctx) => {
    if (c.external && c.enabled === true) {
      ctx.addIssue({
        code: "custom",
        path: ["external"],
        message:
          "got true with enabled: true; external says the cluster already runs cert-manager, and a second installation would fight the first over its CRDs and webhook: set enabled: false, or external: false",
        params: { formatted: true },
      });
    }
  })
  .describe("cert-manager: issues in-cluster certificates (KServe's webhook serving certificate).");

export type CertManagerConfigInput = z.input<typeof CertManagerConfigSchema>;
export type CertManagerConfig = z.output<typeof CertManagerConfigSchema>;

/** `addons.certManager`: the section the platform schema and the add-on's registry entry share. */
export const CERT_MANAGER_CONFIG = addOnConfigSection({
  key: "certManager",
  title: "cert-manager",
  schema: CertManagerConfigSchema,
});

/** Parses `addons.certManager`, listing every problem with its path and the value found. */
export function parseCertManagerConfig(input: CertManagerConfigInput | CertManagerConfig): CertManagerConfig {
  return parseAddOnConfig(CERT_MANAGER_CONFIG, input);
}
