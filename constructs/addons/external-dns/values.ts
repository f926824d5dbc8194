import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from "../../core/pod-security";
import type { ExternalDnsConfig } from "./config";
import { EXTERNAL_DNS_SERVICE_ACCOUNT } from "./names";

export interface ExternalDnsValuesProps {
  readonly config: ExternalDnsConfig;
  readonly hostedZoneId: string;
  readonly roleArn: string;
  readonly region: string;
  /** TXT registry owner. */
  readonly txtOwnerId: string;
}

/**
 * The external-dns chart values the kit sets (chart 1.21.1; checked against its values.yaml and
 * values.schema.json). Route 53 through the IRSA role, limited to one zone by both the role and the flags.
 */
export function externalDnsValues(p: ExternalDnsValuesProps): Record<string, unknown> {
  const c = p.config;
  return {
    provider: { name: "aws" },
    sources: [...c.sources],
    policy: c.policy,
    registry: "txt",
    txtOwnerId: p.txtOwnerId,
    domainFilters: [...c.domainFilters],
    // The flags keep ExternalDNS to the zone its role may change; without them it would list every zone of
    // the account and fail on the others' records.
    extraArgs: [
      `--zone-id-filter=${p.hostedZoneId}`,
      ...(c.zoneType ? [`--aws-zone-type=${c.zoneType}`] : []),
    ],
    env: [{ name: "AWS_DEFAULT_REGION", value: p.region }],
    serviceAccount: {
      create: true,
      name: EXTERNAL_DNS_SERVICE_ACCOUNT,
      annotations: { "eks.amazonaws.com/role-arn": p.roleArn },
    },
    podSecurityContext: restrictedPodSecurityContext({ fsGroup: 65534 }),
    securityContext: restrictedContainerSecurityContext({
      runAsUser: 65532,
      runAsGroup: 65532,
      privileged: false,
    }),
    resources: {
      requests: { cpu: c.resources.cpuRequest, memory: c.resources.memoryRequest },
      limits: { memory: c.resources.memoryLimit },
    },
    // The kit's PodMonitor instead: the chart's ServiceMonitor needs the CRD at install time.
    serviceMonitor: { enabled: false },
  };
}
