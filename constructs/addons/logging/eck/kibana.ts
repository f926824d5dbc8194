import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from "../../../core/pod-security";
import type { LoggingConfig } from "../config";
import { ELASTICSEARCH_NAME, KIBANA_NAME } from "../names";

export const KIBANA_API = "kibana.k8s.elastic.co/v1";
/** The user and group of the Kibana image. */
const KIBANA_UID = 1000;

export interface KibanaProps {
  readonly config: LoggingConfig;
  readonly namespace: string;
  /** Whether the platform environment is production (2 replicas unless configured). */
  readonly production: boolean;
  /** @default KIBANA_NAME */
  readonly name?: string;
  /** @default ELASTICSEARCH_NAME */
  readonly elasticsearchName?: string;
}

/**
 * The `Kibana` custom resource: connected to the kit's Elasticsearch by ECK (`elasticsearchRef`: ECK creates
 * Kibana's own service user and trusts the cluster's CA), login only through the basic provider against
 * Elasticsearch's realms (the `elastic` user), no anonymous provider; TLS with ECK's self-signed certificate.
 */
export function kibanaResource(props: KibanaProps): Record<string, unknown> {
  const k = props.config.eck.kibana;
  const r = k.resources;
  return {
    apiVersion: KIBANA_API,
    kind: "Kibana",
    metadata: { name: props.name ?? KIBANA_NAME, namespace: props.namespace },
    spec: {
      version: props.config.eck.version,
      count: k.replicas ?? (props.production ? 2 : 1),
      elasticsearchRef: { name: props.elasticsearchName ?? ELASTICSEARCH_NAME },
      http: { tls: { selfSignedCertificate: { disabled: false } } },
      config: {
        // Only username/password against Elasticsearch: listing the providers leaves out `anonymous`.
        "xpack.security.authc.providers": { basic: { basic1: { order: 0 } } },
        "telemetry.optIn": false,
        "telemetry.allowChangingOptInStatus": false,
        // Links and redirects Kibana writes use the address users reach it at.
        ...(k.ingress ? { "server.publicBaseUrl": `https://${k.ingress.host}` } : {}),
      },
      podTemplate: {
        spec: {
          automountServiceAccountToken: false,
          securityContext: restrictedPodSecurityContext({
            runAsUser: KIBANA_UID,
            runAsGroup: KIBANA_UID,
            fsGroup: KIBANA_UID,
          }),
          containers: [
            {
              name: "kibana",
              resources: { requests: { cpu: r.cpu, memory: r.memory }, limits: { memory: r.memory } },
              // Kibana writes its optimizer cache below its install directory: the image decides.
              securityContext: restrictedContainerSecurityContext({
                runAsUser: KIBANA_UID,
                runAsGroup: KIBANA_UID,
                readOnlyRootFilesystem: "unset",
              }),
            },
          ],
        },
      },
    },
  };
}
