import { isPlainObject } from "./helm-values";

/**
 * Converts the synthesized Terraform JSON of typed kubernetes-provider resources (`kubernetes_namespace_v1`, …)
 * to the Kubernetes object the provider will send, so the same core schemas validate both typed resources and
 * `kubernetes_manifest` objects.
 *
 * Mapping: snake_case → camelCase; blocks the provider renders as one-element lists (`metadata: [{…}]`) become
 * objects; repeated singular blocks get their Kubernetes plural name (`rule` → `rules`); provider-only and
 * Terraform meta arguments are dropped. Map-valued fields (labels, data, parameters, …) keep their keys.
 * Workload kinds (Deployment, StatefulSet, DaemonSet, Job, CronJob, HPA) are not converted: their pod templates
 * have too many provider-specific renames to map faithfully, so the stack walker reports them as unchecked.
 */
export interface TypedKind {
  readonly apiVersion: string;
  readonly kind: string;
  /** Top-level attribute renames beyond snake_case → camelCase. */
  readonly topLevelRenames?: Readonly<Record<string, string>>;
}

export const TYPED_KINDS: Readonly<Record<string, TypedKind>> = {
  kubernetes_namespace_v1: { apiVersion: "v1", kind: "Namespace" },
  kubernetes_namespace: { apiVersion: "v1", kind: "Namespace" },
  kubernetes_service_account_v1: {
    apiVersion: "v1",
    kind: "ServiceAccount",
    topLevelRenames: { secret: "secrets", image_pull_secret: "imagePullSecrets" },
  },
  kubernetes_config_map_v1: { apiVersion: "v1", kind: "ConfigMap" },
  // The provider's `data` is plaintext (it base64-encodes on apply), which is Kubernetes `stringData`.
  kubernetes_secret_v1: { apiVersion: "v1", kind: "Secret", topLevelRenames: { data: "stringData" } },
  kubernetes_service_v1: { apiVersion: "v1", kind: "Service" },
  kubernetes_storage_class_v1: {
    apiVersion: "storage.k8s.io/v1",
    kind: "StorageClass",
    topLevelRenames: { storage_provisioner: "provisioner" },
  },
  kubernetes_network_policy_v1: { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy" },
  kubernetes_role_v1: { apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role" },
  kubernetes_cluster_role_v1: { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole" },
  kubernetes_role_binding_v1: { apiVersion: "rbac.authorization.k8s.io/v1", kind: "RoleBinding" },
  kubernetes_cluster_role_binding_v1: {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRoleBinding",
  },
  kubernetes_priority_class_v1: { apiVersion: "scheduling.k8s.io/v1", kind: "PriorityClass" },
  kubernetes_pod_disruption_budget_v1: { apiVersion: "policy/v1", kind: "PodDisruptionBudget" },
};

/** Typed workload resources the walker knows but does not convert (reported as unchecked). */
export const UNCONVERTED_TYPED_KINDS: Readonly<Record<string, string>> = {
  kubernetes_deployment_v1: "Deployment",
  kubernetes_stateful_set_v1: "StatefulSet",
  kubernetes_daemon_set_v1: "DaemonSet",
  kubernetes_job_v1: "Job",
  kubernetes_cron_job_v1: "CronJob",
  kubernetes_horizontal_pod_autoscaler_v2: "HorizontalPodAutoscaler",
};

// Terraform meta arguments and provider-only attributes (not part of the Kubernetes object).
const DROP = new Set([
  "//",
  "count",
  "for_each",
  "provider",
  "depends_on",
  "lifecycle",
  "connection",
  "provisioner",
  "timeouts",
  "wait_for_default_service_account",
  "wait_for_service_account_token",
  "wait_for_load_balancer",
]);

// Map-valued fields: their keys are user data (label keys, config file names), never renamed.
const MAP_FIELDS = new Set([
  "labels",
  "annotations",
  "data",
  "binary_data",
  "string_data",
  "parameters",
  "match_labels",
  "selector_map",
  "node_selector",
  "limits",
  "requests",
]);

// Repeated blocks whose Kubernetes field is the plural.
const PLURAL: Readonly<Record<string, string>> = {
  rule: "rules",
  subject: "subjects",
  port: "ports",
  match_expressions: "matchExpressions",
  allowed_topologies: "allowedTopologies",
  match_label_expressions: "matchLabelExpressions",
  image_pull_secret: "imagePullSecrets",
  aggregation_rule: "aggregationRule",
};

// Blocks with at most one element: a one-element list becomes the object.
const SINGLE_BLOCKS = new Set([
  "metadata",
  "spec",
  "selector",
  "pod_selector",
  "namespace_selector",
  "ip_block",
  "role_ref",
  "aggregation_rule",
  "cluster_role_selectors",
  "session_affinity_config",
  "client_ip",
]);

function camel(key: string): string {
  return key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

function convertValue(key: string, value: unknown): unknown {
  if (MAP_FIELDS.has(key) && isPlainObject(value)) return { ...value };
  // A Service's `selector` is a label map, unlike the label-selector blocks of other kinds.
  if (key === "selector" && isPlainObject(value) && Object.values(value).every((v) => typeof v === "string"))
    return { ...value };
  if (Array.isArray(value)) {
    if (SINGLE_BLOCKS.has(key) && value.length === 1 && isPlainObject(value[0]))
      return convertBlock(value[0]);
    return value.map((v) => (isPlainObject(v) ? convertBlock(v) : v));
  }
  if (isPlainObject(value)) return convertBlock(value);
  return value;
}

function convertBlock(
  block: Record<string, unknown>,
  renames: Readonly<Record<string, string>> = {},
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(block)) {
    if (DROP.has(key) || value === undefined) continue;
    const target = renames[key] ?? (Array.isArray(value) && PLURAL[key] ? PLURAL[key] : camel(key));
    out[target] = convertValue(key, value);
  }
  return out;
}

/** The Kubernetes object for a typed resource's Terraform JSON; `undefined` for types not in TYPED_KINDS. */
export function typedResourceToObject(
  resourceType: string,
  config: Record<string, unknown>,
): Record<string, unknown> | undefined {
  const typed = TYPED_KINDS[resourceType];
  if (!typed) return undefined;
  return { apiVersion: typed.apiVersion, kind: typed.kind, ...convertBlock(config, typed.topLevelRenames) };
}
