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
  airflow: [
    {
      path: "config.*",
      reason:
        "airflow.cfg sections: values.schema.json allows any section and option (`additionalProperties`, scalar values); values.yaml lists only the options the chart sets",
    },
  ],
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
  // The chart's pod security contexts default to `{enabled: true}` with the fields shown commented out
  // (`# fsGroup: 2000`); the fields set below `enabled` are the pod securityContext.
  "external-secrets": [
    "podSecurityContext",
    "webhook.podSecurityContext",
    "certController.podSecurityContext",
  ].map((at) => ({
    path: `${at}.*`,
    reason:
      "pod securityContext fields beside `enabled` (values.yaml shows them commented out: `# fsGroup: 2000`)",
  })),
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

const SECURITY_CONTEXT_FIELDS = [
  "allowPrivilegeEscalation",
  "appArmorProfile",
  "capabilities",
  "privileged",
  "procMount",
  "readOnlyRootFilesystem",
  "runAsGroup",
  "runAsNonRoot",
  "runAsUser",
  "seLinuxOptions",
  "seccompProfile",
  "windowsOptions",
  "fsGroup",
  "fsGroupChangePolicy",
  "seLinuxChangePolicy",
  "supplementalGroups",
  "supplementalGroupsPolicy",
  "sysctls",
];
const STRING_MAP = "string-map";

/**
 * Keys whose value charts pass verbatim into a Kubernetes object (`toYaml .Values.<key>`): their content is a
 * Kubernetes type, not chart-defined keys, so the chart's example defaults do not bound what may be set. A key
 * is only treated so when its default really has that shape (every default key is a field of the type), because
 * some charts reuse the names for their own shapes (seldon-core-v2-setup `controller.resources: {cpu, memory}`).
 */
export const KUBERNETES_PASSTHROUGH: Readonly<Record<string, readonly string[] | typeof STRING_MAP>> = {
  resources: ["limits", "requests", "claims"],
  affinity: ["nodeAffinity", "podAffinity", "podAntiAffinity"],
  securityContext: SECURITY_CONTEXT_FIELDS,
  podSecurityContext: SECURITY_CONTEXT_FIELDS,
  containerSecurityContext: SECURITY_CONTEXT_FIELDS,
  nodeSelector: STRING_MAP,
  annotations: STRING_MAP,
  labels: STRING_MAP,
  podAnnotations: STRING_MAP,
  podLabels: STRING_MAP,
};

/** True when `key`'s default is a Kubernetes-typed value passed through verbatim (see KUBERNETES_PASSTHROUGH). */
export function isKubernetesPassthrough(key: string, defaults: Record<string, unknown>): boolean {
  const shape = KUBERNETES_PASSTHROUGH[key];
  if (!shape) return false;
  const entries = Object.entries(defaults);
  if (shape === STRING_MAP) return entries.every(([, v]) => typeof v === "string");
  return entries.every(([k]) => shape.includes(k));
}

function matches(pattern: string, segments: readonly string[]): boolean {
  const parts = pattern.split(".");
  if (parts.length !== segments.length) return false;
  return parts.every((p, i) => p === "*" || p === segments[i]);
}

/** The rule that opens `segments` in `chart`, if any. */
export function openPathFor(chart: string, segments: readonly string[]): OpenPath | undefined {
  return [...GLOBAL_OPEN_PATHS, ...(OPEN_PATHS[chart] ?? [])].find((o) => matches(o.path, segments));
}
