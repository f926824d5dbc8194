/**
 * The composable index template for container logs (`PUT _index_template/<name>`): ECS field types for what
 * the reference service and the collector write, so queries by level, service, trace or pod are exact-match
 * keyword queries instead of full-text searches over a message string.
 */
import type { LogBackendFlavor, ResolvedLogBackend } from "./options";

const keyword = { type: "keyword", ignore_above: 1024 } as const;
const text = { type: "text" } as const;
const long = { type: "long" } as const;

/** ECS fields, nested as the engines store them (`log.level` is `log: { level }`). */
const ECS_PROPERTIES = {
  "@timestamp": { type: "date" },
  message: text,
  tags: keyword,
  ecs: { properties: { version: keyword } },
  log: { properties: { level: keyword, logger: keyword } },
  service: { properties: { name: keyword, version: keyword, environment: keyword } },
  event: { properties: { dataset: keyword, duration: long } },
  trace: { properties: { id: keyword } },
  span: { properties: { id: keyword } },
  transaction: { properties: { id: keyword } },
  error: { properties: { type: keyword, message: text, stack_trace: { type: "text", index: false } } },
  http: {
    properties: {
      request: { properties: { id: keyword, method: keyword } },
      response: { properties: { status_code: long } },
    },
  },
  url: { properties: { path: keyword } },
  host: { properties: { hostname: keyword } },
  process: { properties: { pid: long } },
  container: { properties: { id: keyword, image: { properties: { name: keyword } } } },
  kubernetes: {
    properties: {
      namespace: keyword,
      node: { properties: { name: keyword } },
      pod: { properties: { name: keyword, uid: keyword } },
      container: { properties: { name: keyword } },
    },
  },
} as const;

/**
 * Body of `PUT _index_template/<name>`. The Elasticsearch flavor names its ILM policy in the settings; OpenSearch
 * rejects that setting, and its ISM policy attaches itself instead (lifecycle.ts).
 */
export function indexTemplate(backend: ResolvedLogBackend, flavor: LogBackendFlavor) {
  return {
    index_patterns: [backend.indexPattern],
    // Above Elasticsearch's built-in `logs-*-*` template (priority 100), which would make data streams instead.
    priority: 200,
    _meta: { managed_by: "mlops-platform-kit" },
    template: {
      settings: {
        "index.number_of_shards": backend.shards,
        "index.number_of_replicas": backend.replicas,
        // Every write is parsed, whatever the collector's own pipeline setting says.
        "index.default_pipeline": backend.name,
        ...(flavor === "elasticsearch" ? { "index.lifecycle.name": backend.name } : {}),
      },
      mappings: {
        // Labels (ECS `labels`, Kubernetes pod labels) are free-form keys with string values: exact match only.
        dynamic_templates: [
          { labels: { path_match: "labels.*", mapping: keyword } },
          { kubernetes_labels: { path_match: "kubernetes.labels.*", mapping: keyword } },
        ],
        properties: ECS_PROPERTIES,
      },
    },
  };
}
