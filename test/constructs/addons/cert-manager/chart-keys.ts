/**
 * The keys of the cert-manager chart's values that the kit sets, as the chart documents them: its values.yaml
 * and values.schema.json (cert-manager/cert-manager, deploy/charts/cert-manager), read upstream for this pin
 * because ../shared/schemas holds no cert-manager data. The schema refuses unknown keys at install
 * (`additionalProperties: false`), so a key outside this list would fail `helm install`; every one below has
 * been documented since v1.15 and is in the pinned v1.21 line. Refresh it when the pin moves.
 *
 * `OPAQUE` keys take a Kubernetes object as it is (resources, security contexts, selectors, tolerations,
 * spread constraints): the path ends there.
 */
const COMPONENT_KEYS = [
  "replicaCount",
  "podDisruptionBudget.enabled",
  "podDisruptionBudget.minAvailable",
  "podDisruptionBudget.maxUnavailable",
  "strategy",
  "featureGates",
  "extraArgs",
  "extraEnv",
  "podLabels",
  "volumes",
  "volumeMounts",
  "enableServiceLinks",
] as const;

const OPAQUE_COMPONENT_KEYS = [
  "resources",
  "securityContext",
  "containerSecurityContext",
  "nodeSelector",
  "affinity",
  "tolerations",
  "topologySpreadConstraints",
] as const;

const under = (prefix: string, keys: readonly string[]) => keys.map((k) => (prefix ? `${prefix}.${k}` : k));

/** Scalar (or list) keys: a value path must equal one. */
export const CERT_MANAGER_DOCUMENTED_KEYS: readonly string[] = [
  "installCRDs",
  "crds.enabled",
  "crds.keep",
  "global.priorityClassName",
  "global.revisionHistoryLimit",
  "global.logLevel",
  "global.leaderElection.namespace",
  "global.rbac.create",
  "prometheus.enabled",
  "prometheus.servicemonitor.enabled",
  "prometheus.podmonitor.enabled",
  "enableCertificateOwnerRef",
  ...COMPONENT_KEYS,
  ...under("webhook", [
    ...COMPONENT_KEYS,
    "securePort",
    "hostNetwork",
    "timeoutSeconds",
    "networkPolicy.enabled",
  ]),
  ...under("cainjector", ["enabled", ...COMPONENT_KEYS]),
  ...under("startupapicheck", ["enabled", "timeout", "backoffLimit", "extraArgs", "extraEnv", "podLabels"]),
];

/** Object keys whose content is Kubernetes' own: a value path may go below them. */
export const CERT_MANAGER_OPAQUE_KEYS: readonly string[] = [
  ...OPAQUE_COMPONENT_KEYS,
  ...under("webhook", OPAQUE_COMPONENT_KEYS),
  ...under("cainjector", OPAQUE_COMPONENT_KEYS),
  ...under(
    "startupapicheck",
    OPAQUE_COMPONENT_KEYS.filter((k) => k !== "topologySpreadConstraints"),
  ),
];

/** Every container resources knob of the chart: the controller, the webhook, the CA injector, the startup check. */
export const CERT_MANAGER_RESOURCE_KNOBS: readonly string[] = CERT_MANAGER_OPAQUE_KEYS.filter((k) =>
  k.endsWith("resources"),
);

/** The value paths of `values` that are neither documented keys nor inside an opaque one. */
export function undocumentedPaths(values: unknown, prefix = ""): string[] {
  if (CERT_MANAGER_OPAQUE_KEYS.includes(prefix)) return [];
  if (typeof values !== "object" || values === null || Array.isArray(values)) {
    return CERT_MANAGER_DOCUMENTED_KEYS.includes(prefix) ? [] : [prefix];
  }
  return Object.entries(values).flatMap(([k, v]) => undocumentedPaths(v, prefix ? `${prefix}.${k}` : k));
}
