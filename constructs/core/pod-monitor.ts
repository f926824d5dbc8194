/**
 * A Prometheus Operator `PodMonitor` for pods of one namespace, scraped on a container port by its number.
 *
 * Add-ons emit these through `context.manifest`, so they are applied in the manifests stack, after the
 * monitoring chart has installed the CRD. Charts' own monitors are rendered when their release installs and
 * most skip themselves when the CRD is not there yet (`.Capabilities.APIVersions.Has`), which on a new platform
 * silently drops the monitor of every release that happens to install before kube-prometheus-stack.
 */
/** One Prometheus relabeling of a scrape target (`relabel_configs`), as the operator's CRD spells it. */
export interface PodMonitorRelabeling {
  readonly sourceLabels?: readonly string[];
  readonly regex?: string;
  readonly targetLabel: string;
  readonly replacement: string;
  /** @default "replace" (the key is left out) */
  readonly action?: "replace";
}

export interface PodMonitorProps {
  readonly name: string;
  readonly namespace: string;
  /** Labels the pods carry (all must match). */
  readonly selector: Readonly<Record<string, string>>;
  /** The container port; the pod must declare it, or Prometheus drops the target. */
  readonly portNumber: number;
  /** @default "/metrics" */
  readonly path?: string;
  /** @default "30s" */
  readonly interval?: string;
  /** @default - http (the key is left out) */
  readonly scheme?: "https";
  /** Accept a self-signed serving certificate (https only). @default false */
  readonly insecureSkipVerify?: boolean;
  /** Target relabelings after the operator's own (namespace, pod, container, job). @default - none (key left out) */
  readonly relabelings?: readonly PodMonitorRelabeling[];
}

export function podMonitor(p: PodMonitorProps): Record<string, unknown> {
  return {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "PodMonitor",
    metadata: { name: p.name, namespace: p.namespace },
    spec: {
      selector: { matchLabels: { ...p.selector } },
      namespaceSelector: { matchNames: [p.namespace] },
      podMetricsEndpoints: [
        {
          portNumber: p.portNumber,
          path: p.path ?? "/metrics",
          interval: p.interval ?? "30s",
          ...(p.scheme ? { scheme: p.scheme } : {}),
          ...(p.insecureSkipVerify ? { tlsConfig: { insecureSkipVerify: true } } : {}),
          ...(p.relabelings?.length ? { relabelings: p.relabelings.map((r) => ({ ...r })) } : {}),
        },
      ],
    },
  };
}
