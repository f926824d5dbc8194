import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import type { ITerraformDependable } from "cdktf";
import type { AddOn, AddOnContext } from "../../core/addon";
import type { AddOnDefinition } from "../../core/addon-definition";
import { AwsContext } from "../../core/aws-context";
import { CHARTS } from "../../core/charts";
import type { IServiceAccountRole } from "../../core/cluster-contract";
import { HelmAddOn, type HelmAddOnOutputs } from "../../core/helm-addon";
import type { PlatformNamespace } from "../../core/platform-namespace";
import { podMonitor } from "../../core/pod-monitor";
import {
  EXTERNAL_DNS_CONFIG,
  type ExternalDnsConfig,
  type ExternalDnsConfigInput,
  parseExternalDnsConfig,
} from "./config";
import {
  EXTERNAL_DNS_ADDON_ID,
  EXTERNAL_DNS_METRICS_PORT,
  EXTERNAL_DNS_NAMESPACE,
  EXTERNAL_DNS_POD_LABELS,
  EXTERNAL_DNS_RELEASE,
  EXTERNAL_DNS_SERVICE_ACCOUNT,
} from "./names";
import { externalDnsValues } from "./values";

export * from "./names";

const MISSING_ZONE =
  "addons.externalDns.hostedZoneId: required; expected the Route 53 hosted zone id ExternalDNS may change";

export interface ExternalDnsOutputs extends HelmAddOnOutputs {
  readonly role: IServiceAccountRole;
  readonly hostedZoneId: string;
}

/**
 * ExternalDNS for one Route 53 hosted zone: records for the hostnames of ingresses and services, owned through
 * TXT registry records, changed through an IRSA role that can touch that zone and nothing else.
 */
export class ExternalDnsAddOn extends HelmAddOn<ExternalDnsOutputs> {
  readonly id = EXTERNAL_DNS_ADDON_ID;
  protected readonly chart = CHARTS.externalDns;
  protected readonly defaultNamespace = EXTERNAL_DNS_NAMESPACE;
  protected readonly defaultReleaseName = EXTERNAL_DNS_RELEASE;
  private role?: IServiceAccountRole;

  constructor(readonly config: ExternalDnsConfig) {
    super(config.helm);
  }

  /** The zone; the section's schema requires it when enabled, the factory when built from code. */
  get hostedZoneId(): string {
    const id = this.config.hostedZoneId;
    if (!id) throw new Error(MISSING_ZONE);
    return id;
  }

  protected override beforeRelease(context: AddOnContext, namespace: PlatformNamespace): void {
    const aws = AwsContext.of(context.scope);
    const zoneArn = `arn:${aws.partition}:route53:::hostedzone/${this.hostedZoneId}`;
    const policy = new DataAwsIamPolicyDocument(context.scope, "Route53Policy", {
      statement: [
        {
          sid: "OneZoneRecords",
          effect: "Allow",
          actions: [
            "route53:ChangeResourceRecordSets",
            "route53:ListResourceRecordSets",
            "route53:ListTagsForResource",
          ],
          resources: [zoneArn],
        },
        {
          // ListHostedZones has no resource-level permissions in IAM: it takes "*" or nothing. It reveals zone
          // names and ids, not records; --zone-id-filter keeps ExternalDNS to the one zone above.
          sid: "ListZones",
          effect: "Allow",
          actions: ["route53:ListHostedZones"],
          resources: ["*"],
        },
      ],
    });
    this.role = context.cluster.serviceAccountRole("external-dns", {
      namespace: this.namespaceName,
      serviceAccount: EXTERNAL_DNS_SERVICE_ACCOUNT,
      mode: "irsa",
      inlinePolicies: { "external-dns-route53": policy.json },
    });
    // Route 53, STS and the Kubernetes API, all HTTPS; DNS comes with the namespace's default-deny policy.
    namespace.allowHttpsEgress("AwsAndApiServer", EXTERNAL_DNS_POD_LABELS);
    if (context.has("monitoring")) {
      namespace.allowMetricsScrape(EXTERNAL_DNS_METRICS_PORT, EXTERNAL_DNS_POD_LABELS);
    }
  }

  protected values(context: AddOnContext): Record<string, unknown> {
    return externalDnsValues({
      config: this.config,
      hostedZoneId: this.hostedZoneId,
      roleArn: (this.role as IServiceAccountRole).roleArn,
      region: context.platform.region,
      txtOwnerId: this.config.txtOwnerId ?? context.platform.prefix,
    });
  }

  // Records are written with the role's zone policy from the first sync on.
  protected override releaseDependsOn(): readonly ITerraformDependable[] {
    return this.role?.grants ?? [];
  }

  protected override afterRelease(context: AddOnContext, outputs: HelmAddOnOutputs): ExternalDnsOutputs {
    if (context.has("monitoring")) {
      context.manifest(
        "PodMonitor",
        podMonitor({
          name: "external-dns",
          namespace: this.namespaceName,
          selector: EXTERNAL_DNS_POD_LABELS,
          portNumber: EXTERNAL_DNS_METRICS_PORT,
        }),
      );
    }
    return { ...outputs, role: this.role as IServiceAccountRole, hostedZoneId: this.hostedZoneId };
  }
}

/** The ExternalDNS add-on (id `external-dns`); takes `addons.externalDns` (`hostedZoneId` required). */
export function externalDnsAddOn(
  config: ExternalDnsConfigInput | ExternalDnsConfig,
): AddOn<ExternalDnsOutputs> {
  const addOn = new ExternalDnsAddOn(parseExternalDnsConfig(config));
  if (!addOn.config.hostedZoneId) throw new Error(MISSING_ZONE);
  return addOn;
}

/** The registry entry: `addons.externalDns` switches it on (off by default, in every preset too). */
export const externalDnsDefinition = {
  id: EXTERNAL_DNS_ADDON_ID,
  config: EXTERNAL_DNS_CONFIG,
  create: (config: ExternalDnsConfig) => new ExternalDnsAddOn(config),
} satisfies AddOnDefinition<typeof EXTERNAL_DNS_CONFIG>;
