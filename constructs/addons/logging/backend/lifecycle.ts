/**
 * How long container logs live: hot, then deleted after `retentionInDays`. Two documents because the engines
 * disagree: Elasticsearch has index lifecycle management (ILM, `PUT _ilm/policy/<name>`, attached by the
 * index template's `index.lifecycle.name`), OpenSearch and Amazon OpenSearch Service have Index State
 * Management instead (ISM, `PUT _plugins/_ism/policies/<name>`, attached by the policy's own `ism_template`);
 * neither accepts the other's. The collector writes one index a day, so deleting by index age needs no rollover
 * alias or data stream, which would differ between the engines again.
 */
import type { ResolvedLogBackend } from "./options";

/** Body of `PUT _ilm/policy/<name>` (Elasticsearch, ECK mode). */
export function ilmPolicy(backend: ResolvedLogBackend) {
  return {
    policy: {
      _meta: { managed_by: "mlops-platform-kit", retention_in_days: backend.retentionInDays },
      phases: {
        hot: { min_age: "0ms", actions: { set_priority: { priority: 100 } } },
        delete: { min_age: `${backend.retentionInDays}d`, actions: { delete: {} } },
      },
    },
  };
}

/** Body of `PUT _plugins/_ism/policies/<name>` (OpenSearch, `opensearch-service` mode). */
export function ismPolicy(backend: ResolvedLogBackend) {
  return {
    policy: {
      description: `Container logs: hot, deleted after ${backend.retentionInDays} days (mlops-platform-kit)`,
      default_state: "hot",
      states: [
        {
          name: "hot",
          actions: [{ index_priority: { priority: 100 } }],
          transitions: [
            { state_name: "delete", conditions: { min_index_age: `${backend.retentionInDays}d` } },
          ],
        },
        { name: "delete", actions: [{ delete: {} }], transitions: [] },
      ],
      // Attaches the policy to every new log index, as index.lifecycle.name does for ILM.
      ism_template: [{ index_patterns: [backend.indexPattern], priority: 100 }],
    },
  };
}
