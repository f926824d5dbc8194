/**
 * Values paths that are open (anything may be set below them) although the chart's `values.yaml` does not
 * show them. Everything else the kit sets must exist in `values.yaml`, because Helm silently ignores keys a
 * chart's templates never read. Keep every exception here, with the reason.
 *
 * Paths are dotted segments; `*` matches one segment. An entry opens the path itself and all below it.
 */
export interface OpenPath {
  readonly path: string;
  readonly reason: string;
}

/** Per chart (name as in its Chart.yaml / index.json). */
export const OPEN_PATHS: Readonly<Record<string, readonly OpenPath[]>> = {
  "nvidia-device-plugin": [
    {
      path: "devicePlugin.enableHostNetwork",
      reason: "documented commented-out in values.yaml (`# enableHostNetwork: false`)",
    },
    {
      path: "gfd.enableHostNetwork",
      reason: "documented commented-out in values.yaml (`# enableHostNetwork: false`)",
    },
    {
      path: "mps.enableHostNetwork",
      reason: "documented commented-out in values.yaml (`# enableHostNetwork: false`)",
    },
  ],
  "strimzi-kafka-operator": [
    {
      path: "image.imagePullSecrets",
      reason: "documented commented-out under image (`# imagePullSecrets:`)",
    },
  ],
};

/**
 * Chart-independent rules. `global` is passed by Helm to every subchart, so charts read keys there that the
 * parent's values.yaml need not list.
 */
export const GLOBAL_OPEN_PATHS: readonly OpenPath[] = [
  {
    path: "global",
    reason: "Helm passes `global` to every subchart; subcharts read keys the parent does not list",
  },
];

/**
 * Keys whose value charts pass verbatim into a Kubernetes object (`toYaml .Values.<key>`): their content is a
 * Kubernetes type (ResourceRequirements, Affinity, SecurityContext, label maps), not chart-defined keys, so the
 * chart's example defaults do not bound them.
 */
export const KUBERNETES_PASSTHROUGH_KEYS: ReadonlySet<string> = new Set([
  "resources",
  "affinity",
  "securityContext",
  "podSecurityContext",
  "containerSecurityContext",
  "nodeSelector",
  "tolerations",
  "annotations",
  "labels",
  "podAnnotations",
  "podLabels",
]);

function matches(pattern: string, segments: readonly string[]): boolean {
  const parts = pattern.split(".");
  if (parts.length !== segments.length) return false;
  return parts.every((p, i) => p === "*" || p === segments[i]);
}

/** The rule that opens `segments` in `chart`, if any. */
export function openPathFor(chart: string, segments: readonly string[]): OpenPath | undefined {
  return [...GLOBAL_OPEN_PATHS, ...(OPEN_PATHS[chart] ?? [])].find((o) => matches(o.path, segments));
}
