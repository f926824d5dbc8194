import { z } from "zod";
import { addOnConfigSection, parseAddOnConfig } from "../../core/addon-definition";
import { CHARTS } from "../../core/charts";
import { helmConfigSchema } from "../../core/helm-config";
import { containerResourcesSchema } from "../../primitives";

/**
 * Configuration of the ExternalDNS add-on (`addons.externalDns`): Route 53 records for the platform's ingresses
 * and services, in one hosted zone.
 */

/** A Route 53 hosted zone id as the console and `aws route53 list-hosted-zones` show it, without `/hostedzone/`. */
export const HOSTED_ZONE_ID = /^Z[A-Z0-9]{1,31}$/;
export const EXTERNAL_DNS_POLICIES = ["upsert-only", "sync"] as const;
export const EXTERNAL_DNS_SOURCES = ["ingress", "service"] as const;
export const EXTERNAL_DNS_ZONE_TYPES = ["private", "public"] as const;

const DOMAIN = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)+[a-z]{2,}$/;
const DEFAULT_RESOURCES = { cpuRequest: "50m", memoryRequest: "64Mi", memoryLimit: "256Mi" } as const;

export const ExternalDnsConfigSchema = z
  .strictObject({
    enabled: z.boolean().default(false).describe("Install ExternalDNS (needs hostedZoneId)."),
    hostedZoneId: z
      .string()
      .regex(
        HOSTED_ZONE_ID,
        'expected a Route 53 hosted zone id like "Z0123456789ABCDEFGHIJ" (no /hostedzone/ prefix)',
      )
      .optional()
      .describe(
        "The one Route 53 hosted zone ExternalDNS may change (its IAM role names only this zone). Required when enabled.",
      ),
    zoneType: z
      .enum(EXTERNAL_DNS_ZONE_TYPES)
      .optional()
      .describe("Only zones of this type (`--aws-zone-type`). Default: the zone's own type."),
    domainFilters: z
      .array(z.string().regex(DOMAIN, "expected a domain name like internal.example.com"))
      .default([])
      .describe("Only records under these domains (`--domain-filter`). Default: the whole zone."),
    policy: z
      .enum(EXTERNAL_DNS_POLICIES)
      .default("upsert-only")
      .describe(
        '"upsert-only": create and update, never delete; "sync": also delete the records it owns once their source is gone.',
      ),
    txtOwnerId: z
      .string()
      .regex(/^[A-Za-z0-9][-A-Za-z0-9_.]{0,62}$/, "expected an owner id (letters, digits, '-', '_', '.')")
      .optional()
      .describe(
        "Owner recorded in the TXT registry records: ExternalDNS only changes records with its own. Default: the platform prefix (<name>-<environment>).",
      ),
    sources: z
      .array(z.enum(EXTERNAL_DNS_SOURCES))
      .min(1, { error: "expected at least one source" })
      .refine((s) => new Set(s).size === s.length, { error: "expected each source once" })
      .default(["ingress", "service"])
      .describe("Kubernetes resources whose hostnames become records."),
    resources: containerResourcesSchema(DEFAULT_RESOURCES).describe("ExternalDNS container resources."),
    helm: helmConfigSchema(CHARTS.externalDns, {
      valuesCheck: "Keys are checked against its values.yaml and values.schema.json.",
    }),
  })
  .superRefine((c, ctx) => {
    if (c.enabled && c.hostedZoneId === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["hostedZoneId"],
        message: "required when enabled: the Route 53 hosted zone id ExternalDNS may change",
        params: { formatted: true },
      });
    }
  })
  .describe("ExternalDNS: Route 53 records for ingresses and services, in one hosted zone (opt-in).");

export type ExternalDnsConfigInput = z.input<typeof ExternalDnsConfigSchema>;
export type ExternalDnsConfig = z.output<typeof ExternalDnsConfigSchema>;

/** `addons.externalDns`: the section the platform schema and the add-on's registry entry share. */
export const EXTERNAL_DNS_CONFIG = addOnConfigSection({
  key: "externalDns",
  title: "ExternalDNS",
  schema: ExternalDnsConfigSchema,
});

/** Parses `addons.externalDns`, listing every problem with its path and the value found. */
export function parseExternalDnsConfig(input: ExternalDnsConfigInput | ExternalDnsConfig): ExternalDnsConfig {
  return parseAddOnConfig(EXTERNAL_DNS_CONFIG, input);
}
