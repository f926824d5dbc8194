/**
 * The log backend's documents in a real OpenSearch 2.19 node (Maven Central jars, 127.0.0.1): the index template
 * and ingest pipeline load, an ECS line written by the reference service's own logger is indexed as a collector
 * ships it (the line in `message`, Kubernetes metadata beside it) and found again by field; a plain-text line is
 * kept and tagged. Not loaded: the ISM policy (the index-management plugin is not on Maven Central) and the
 * Elasticsearch ILM policy (OpenSearch has no ILM); options.test.ts checks their shape. Skips loudly when the
 * node cannot run here; fails instead when OPENSEARCH_REQUIRED=1 (CI).
 */
import type { DestinationStream } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  indexTemplate,
  ingestPipeline,
  NOT_JSON_TAG,
  resolveLogBackend,
} from "../../../../../constructs/addons/logging/backend";
import {
  OPENSEARCH_INSTALL_HINT,
  OpenSearchTestNode,
  openSearchUnavailableReason,
} from "../../../../../scripts/opensearch/node";
import { createLogger } from "../../../../../service/src/logging";

const unavailable = openSearchUnavailableReason();
if (unavailable) {
  console.warn(
    [
      "",
      "#".repeat(100),
      "# SKIPPING the log backend round trip through a real OpenSearch node:",
      `#   ${unavailable}`,
      `#   install with: ${OPENSEARCH_INSTALL_HINT}`,
      "#".repeat(100),
      "",
    ].join("\n"),
  );
}

describe.runIf(unavailable !== undefined && process.env.OPENSEARCH_REQUIRED === "1")(
  "OpenSearch node for tests",
  () => {
    it("fails when OPENSEARCH_REQUIRED=1 and no node can run here", () => {
      throw new Error(`OPENSEARCH_REQUIRED=1 but ${unavailable}; install with: ${OPENSEARCH_INSTALL_HINT}`);
    });
  },
);

type Hit = { _source: Record<string, unknown> & { tags?: string[]; message?: string } };
type Search = { hits: { hits: Hit[] } };

describe.skipIf(unavailable !== undefined)("log backend on a real OpenSearch node", () => {
  const backend = resolveLogBackend({ retentionInDays: 7, replicas: 0 });
  const index = `${backend.indexPrefix}-2026.12.02`;
  const requestId = "req-7f3a";
  let node: OpenSearchTestNode;
  let serviceLines: string[];

  /** One container log record as Fluent Bit or Filebeat ships it: the raw line in `message`, metadata beside. */
  const record = (line: string, pod = "inference-service-5d9c-abcde") => ({
    "@timestamp": "2026-12-02T10:00:00.000Z",
    message: line,
    stream: "stdout",
    kubernetes: {
      namespace: "serving",
      pod: { name: pod },
      container: { name: "inference" },
      labels: { app: "inference-service" },
    },
    container: { image: { name: "inference-service:1.0.0" } },
  });

  const search = (query: unknown) =>
    node.request<Search>("POST", `/${backend.indexPattern}/_search`, { query });

  beforeAll(async () => {
    node = await OpenSearchTestNode.create();
    await node.request("PUT", `/_ingest/pipeline/${backend.name}`, ingestPipeline(backend));
    await node.request("PUT", `/_index_template/${backend.name}`, indexTemplate(backend, "opensearch"));

    // The reference service's real logger (pino + ECS format), writing into memory instead of stdout.
    serviceLines = [];
    const sink: DestinationStream = { write: (line: string) => void serviceLines.push(line.trimEnd()) };
    const logger = createLogger({ level: "info", serviceVersion: "1.0.0" }, sink);
    logger.info({ http: { request: { id: requestId } }, labels: { model: "churn" } }, "prediction served");
    logger.error({ err: new TypeError("feature vector has 3 values, expected 4") }, "prediction failed");
    logger.debug("below the level: never written");
    expect(serviceLines).toHaveLength(2);

    const lines = [...serviceLines, "panic: plain text from some other container", "[1, 2, 3]"];
    for (const line of lines) {
      // No ?pipeline=: the template's index.default_pipeline must apply it, as it will for the collector.
      await node.request("POST", `/${index}/_doc`, record(line));
    }
    await node.request("POST", `/${index}/_refresh`);
  });

  afterAll(async () => {
    await node?.destroy();
  });

  it("finds the service's line by request id, with its ECS fields parsed out of the message", async () => {
    const { hits } = await search({ term: { "http.request.id": requestId } });
    expect(hits.hits).toHaveLength(1);
    const source = hits.hits[0]?._source ?? {};
    const emitted = JSON.parse(serviceLines[0] ?? "{}") as Record<string, unknown>;
    expect(source.message).toBe("prediction served");
    expect(source.log).toEqual({ level: "info" });
    // Flat ECS keys other than the ones the pipeline expands stay as written; the mapping still nests them.
    expect(source["service.name"]).toBe("inference-service");
    // The event time is the service's, not the collector's.
    expect(source["@timestamp"]).toBe(emitted["@timestamp"]);
    expect(source.tags).toBeUndefined();
    expect(source).not.toHaveProperty("_raw_line");
    expect((source.kubernetes as { namespace: string }).namespace).toBe("serving");
  });

  it("finds lines by level, service and pod as exact keyword matches", async () => {
    const { hits } = await search({
      bool: {
        filter: [
          { term: { "log.level": "error" } },
          { term: { "service.name": "inference-service" } },
          { term: { "kubernetes.pod.name": "inference-service-5d9c-abcde" } },
        ],
      },
    });
    expect(hits.hits).toHaveLength(1);
    const source = hits.hits[0]?._source ?? {};
    expect(source.message).toBe("prediction failed");
    expect((source.error as { type: string }).type).toBe("TypeError");
    // A keyword field does not match part of a value.
    expect((await search({ term: { "service.name": "inference" } })).hits.hits).toHaveLength(0);
  });

  it("keeps a line that is not a JSON object whole in message, tagged", async () => {
    const { hits } = await search({ term: { tags: NOT_JSON_TAG } });
    const messages = hits.hits.map((h) => h._source.message).sort();
    expect(messages).toEqual(["[1, 2, 3]", "panic: plain text from some other container"]);
    for (const hit of hits.hits) expect(hit._source["@timestamp"]).toBe("2026-12-02T10:00:00.000Z");
    // Full-text search still works on the kept line.
    expect((await search({ match: { message: "panic" } })).hits.hits).toHaveLength(1);
  });

  it("maps ECS fields and labels as the template says", async () => {
    type Props = Record<string, { type?: string; properties?: Props }>;
    const mapping = await node.request<Record<string, { mappings: { properties: Props } }>>(
      "GET",
      `/${index}/_mapping`,
    );
    const props = mapping[index]?.mappings.properties ?? {};
    expect(props.log?.properties?.level?.type).toBe("keyword");
    expect(props.service?.properties?.name?.type).toBe("keyword");
    expect(props["@timestamp"]?.type).toBe("date");
    expect(props.labels?.properties?.model?.type).toBe("keyword");
    expect(props.kubernetes?.properties?.labels?.properties?.app?.type).toBe("keyword");
  });

  it("fails when the Elasticsearch flavor of the template is sent to OpenSearch (why there are two)", async () => {
    await expect(
      node.request("PUT", "/_index_template/es-flavor", {
        ...indexTemplate(backend, "elasticsearch"),
        index_patterns: ["es-flavor-*"],
      }),
    ).rejects.toThrow(/index\.lifecycle\.name/);
  });
});
