import { isPlainObject } from "./helm-values";

/**
 * Converts the synthesized Terraform JSON of typed kubernetes-provider resources (`kubernetes_namespace_v1`,
 * `kubernetes_deployment_v1`, …) to the Kubernetes object the provider will send, so the same core schemas
 * validate typed resources and `kubernetes_manifest` objects.
 *
 * Mapping: snake_case → camelCase; blocks that are single objects in Kubernetes but lists in the provider
 * (`metadata: [{…}]`, `label_selector`, `tcp_socket`, `pre_stop`, `projected`) become objects; repeated singular
 * blocks get their Kubernetes plural (`container` → `containers`, `rule` → `rules`); integers the provider
 * types as strings (`replicas`, `run_as_user`, octal `default_mode`) become numbers; Terraform meta arguments
 * and provider-only attributes (`wait_for_rollout`) are dropped. Map-valued fields (labels, data, …) keep their
 * keys. A provider block that holds several sources in one element (projected `sources`) is left as a list and
 * then fails validation: split it into one element per source.
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
  kubernetes_resource_quota_v1: { apiVersion: "v1", kind: "ResourceQuota" },
  kubernetes_limit_range_v1: { apiVersion: "v1", kind: "LimitRange" },
  kubernetes_role_v1: { apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role" },
  kubernetes_cluster_role_v1: { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole" },
  kubernetes_role_binding_v1: { apiVersion: "rbac.authorization.k8s.io/v1", kind: "RoleBinding" },
  kubernetes_cluster_role_binding_v1: {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRoleBinding",
  },
  kubernetes_priority_class_v1: { apiVersion: "scheduling.k8s.io/v1", kind: "PriorityClass" },
  kubernetes_pod_disruption_budget_v1: { apiVersion: "policy/v1", kind: "PodDisruptionBudget" },
  kubernetes_deployment_v1: { apiVersion: "apps/v1", kind: "Deployment" },
  kubernetes_stateful_set_v1: { apiVersion: "apps/v1", kind: "StatefulSet" },
  kubernetes_daemon_set_v1: { apiVersion: "apps/v1", kind: "DaemonSet" },
  kubernetes_job_v1: { apiVersion: "batch/v1", kind: "Job" },
  kubernetes_cron_job_v1: { apiVersion: "batch/v1", kind: "CronJob" },
};

/** Typed resources the walker knows but does not convert (reported as unchecked). */
export const UNCONVERTED_TYPED_KINDS: Readonly<Record<string, string>> = {
  kubernetes_horizontal_pod_autoscaler_v2: "HorizontalPodAutoscaler",
  kubernetes_ingress_v1: "Ingress",
  kubernetes_persistent_volume_claim_v1: "PersistentVolumeClaim",
};

// Terraform meta arguments and provider-only attributes (top level only: `lifecycle` is also a container field).
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
  "wait_for_rollout",
  "wait_for_completion",
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
  // ResourceQuota `hard` and LimitRange items: resource name → quantity.
  "hard",
  "default",
  "default_request",
  "max",
  "min",
  "max_limit_request_ratio",
]);

// Repeated blocks whose Kubernetes field is the plural.
const PLURAL: Readonly<Record<string, string>> = {
  container: "containers",
  init_container: "initContainers",
  ephemeral_container: "ephemeralContainers",
  volume: "volumes",
  volume_mount: "volumeMounts",
  volume_device: "volumeDevices",
  volume_claim_template: "volumeClaimTemplates",
  toleration: "tolerations",
  topology_spread_constraint: "topologySpreadConstraints",
  readiness_gate: "readinessGates",
  http_header: "httpHeaders",
  sysctl: "sysctls",
  node_selector_term: "nodeSelectorTerms",
  option: "options",
  rule: "rules",
  subject: "subjects",
  port: "ports",
  match_expressions: "matchExpressions",
  allowed_topologies: "allowedTopologies",
  match_label_expressions: "matchLabelExpressions",
  image_pull_secret: "imagePullSecrets",
  aggregation_rule: "aggregationRule",
  limit: "limits",
};

// Blocks with at most one element: a one-element list becomes the object.
const SINGLE_BLOCKS = new Set([
  "metadata",
  "spec",
  "template",
  "job_template",
  "strategy",
  "update_strategy",
  "rolling_update",
  "persistent_volume_claim_retention_policy",
  "affinity",
  "node_affinity",
  "pod_affinity",
  "pod_anti_affinity",
  "pod_affinity_term",
  "preference",
  "label_selector",
  "security_context",
  "capabilities",
  "seccomp_profile",
  "se_linux_options",
  "app_armor_profile",
  "resources",
  "liveness_probe",
  "readiness_probe",
  "startup_probe",
  "http_get",
  "tcp_socket",
  "grpc",
  "exec",
  "lifecycle",
  "pre_stop",
  "post_start",
  "value_from",
  "secret_key_ref",
  "config_map_key_ref",
  "field_ref",
  "resource_field_ref",
  "config_map_ref",
  "secret_ref",
  "empty_dir",
  "config_map",
  "secret",
  "persistent_volume_claim",
  "host_path",
  "csi",
  "projected",
  "service_account_token",
  "downward_api",
  "dns_config",
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

// Integers the provider types as strings; `default_mode`/`mode` are octal strings ("0644").
const INT_STRINGS = new Set(["replicas", "run_as_user", "run_as_group", "fs_group", "default_mode", "mode"]);

function toInt(key: string, value: unknown): unknown {
  if (typeof value !== "string" || !/^\d+$/.test(value)) return value;
  return (key === "default_mode" || key === "mode") && value.startsWith("0")
    ? Number.parseInt(value, 8)
    : Number(value);
}

function camel(key: string): string {
  return key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

function convertValue(key: string, value: unknown, unwrap: boolean): unknown {
  if (INT_STRINGS.has(key)) return toInt(key, value);
  if (MAP_FIELDS.has(key) && isPlainObject(value)) return { ...value };
  // A Service's `selector` is a label map, unlike the label-selector blocks of other kinds.
  if (key === "selector" && isPlainObject(value) && Object.values(value).every((v) => typeof v === "string"))
    return { ...value };
  if (Array.isArray(value)) {
    if (unwrap && SINGLE_BLOCKS.has(key) && value.length === 1 && isPlainObject(value[0]))
      return convertBlock(value[0]);
    return value.map((v) => (isPlainObject(v) ? convertBlock(v) : v));
  }
  if (isPlainObject(value)) return convertBlock(value);
  return value;
}

function convertBlock(
  block: Record<string, unknown>,
  renames: Readonly<Record<string, string>> = {},
  topLevel = false,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(block)) {
    if ((topLevel && DROP.has(key)) || key === "//" || value === undefined) continue;
    const renamed = renames[key];
    const target = renamed ?? (Array.isArray(value) && PLURAL[key] ? PLURAL[key] : camel(key));
    // A renamed attribute (ServiceAccount `secret` → `secrets`) is a list, never a single block.
    out[target] = convertValue(key, value, renamed === undefined);
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
  return {
    apiVersion: typed.apiVersion,
    kind: typed.kind,
    ...convertBlock(config, typed.topLevelRenames, true),
  };
}
