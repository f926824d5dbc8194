import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from "../../core/pod-security";
import type { LoggingConfig } from "./config";
import { LOGGING_POD_LABELS, LOGGING_PORTS } from "./names";

export interface EckOperatorValuesProps {
  readonly config: LoggingConfig;
  /** The only namespace the operator manages (Elasticsearch, Kibana). */
  readonly managedNamespace: string;
}

/** Typed values of the eck-operator chart (validated against its values.yaml in tests). */
export function eckOperatorValues(props: EckOperatorValuesProps): Record<string, unknown> {
  const r = props.config.eck.operator.resources;
  return {
    // Watches only the logging namespace: a stray Elasticsearch elsewhere is not reconciled with its rights.
    managedNamespaces: [props.managedNamespace],
    installCRDs: true,
    replicaCount: 1,
    podLabels: LOGGING_POD_LABELS.operator,
    resources: { requests: { cpu: r.cpu, memory: r.memory }, limits: { memory: r.memory } },
    podSecurityContext: restrictedPodSecurityContext(),
    securityContext: restrictedContainerSecurityContext(),
    webhook: { enabled: true, port: LOGGING_PORTS.operatorWebhook },
    // No usage reports into Kibana's telemetry, and no ServiceMonitor for a metrics port the kit leaves off.
    telemetry: { disabled: true },
    serviceMonitor: { enabled: false },
  };
}
