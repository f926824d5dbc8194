/**
 * The ingest pipeline (`PUT _ingest/pipeline/<name>`) that turns a container log record into ECS fields. The
 * collector ships each line as-is in `message`, with Kubernetes metadata beside it; a line that is a JSON
 * object (the reference service logs ECS JSON) is merged into the document, so `message` becomes the line's
 * own message and `log.level`, `service.name`, `trace.id`… become fields. Any other line is kept whole in
 * `message` and tagged, never dropped. Only processors of the ingest-common module, no scripts (`if`
 * conditions need Painless), so the same body runs on Elasticsearch and OpenSearch.
 */
import type { ResolvedLogBackend } from "./options";

/** Tag on a record whose line was not a JSON object. */
export const NOT_JSON_TAG = "log_not_json";
/** Tag on a record whose `@timestamp` could not be parsed (the field is removed; the index date stays). */
export const BAD_TIMESTAMP_TAG = "log_timestamp_unparsed";

/** Holds the raw line while it is parsed; removed before the document is stored. */
const RAW = "_raw_line";

/** Dotted keys that ECS JSON loggers (pino's ECS format among them) write flat and the pipeline reads. */
const DOTTED = ["log.level"] as const;

/** Body of `PUT _ingest/pipeline/<name>`. */
export function ingestPipeline(backend: ResolvedLogBackend) {
  return {
    description: `Container logs into ECS fields (${backend.name}, mlops-platform-kit)`,
    processors: [
      { rename: { field: "message", target_field: RAW, ignore_missing: true } },
      {
        json: {
          field: RAW,
          add_to_root: true,
          on_failure: [
            { rename: { field: RAW, target_field: "message", ignore_missing: true } },
            { append: { field: "tags", value: [NOT_JSON_TAG] } },
          ],
        },
      },
      { remove: { field: RAW, ignore_missing: true } },
      ...DOTTED.map((field) => ({ dot_expander: { field } })),
      { lowercase: { field: "log.level", ignore_missing: true } },
      {
        date: {
          field: "@timestamp",
          target_field: "@timestamp",
          formats: ["ISO8601", "UNIX_MS"],
          on_failure: [
            { remove: { field: "@timestamp", ignore_missing: true } },
            { append: { field: "tags", value: [BAD_TIMESTAMP_TAG] } },
          ],
        },
      },
    ],
    // A record the processors above cannot handle is still stored rather than lost.
    on_failure: [{ append: { field: "tags", value: ["log_pipeline_failed"] } }],
  };
}
