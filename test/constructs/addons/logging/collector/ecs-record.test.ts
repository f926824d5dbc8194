/**
 * The collector's Lua filter in real LuaJIT (the Lua Fluent Bit embeds), on records shaped as Fluent Bit's cri
 * parser and kubernetes filter leave them; then its output indexed into a real OpenSearch 2.19 node through the
 * log backend's own template and ingest pipeline, as the es/opensearch output ships it (`@timestamp` added,
 * `?pipeline=`), and found again by ECS field. This is the check that collector and backend agree on where the
 * line is parsed. No Fluent Bit binary can be had from the package registries here, so the plugins themselves
 * are not run: the tail/cri/kubernetes records are written by hand after Fluent Bit's documented field names.
 */
import type { DestinationStream } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  indexTemplate,
  ingestPipeline,
  NOT_JSON_TAG,
  resolveLogBackend,
} from "../../../../../constructs/addons/logging/backend";
import { ECS_RECORD_FUNCTION, ECS_RECORD_LUA } from "../../../../../constructs/addons/logging/collector";
import {
  OPENSEARCH_INSTALL_HINT,
  OpenSearchTestNode,
  openSearchUnavailableReason,
} from "../../../../../scripts/opensearch/node";
import { createLogger } from "../../../../../service/src/logging";
import { failWhenMissingInCi } from "../../../../support/ci";
import { type LuaFilterResult, luajitUnavailableReason, runLuaFilter } from "./lua";

const noLua = luajitUnavailableReason();
const noOpenSearch = openSearchUnavailableReason();
for (const [what, reason, hint] of [
  ["the collector's Lua filter in LuaJIT", noLua, "apt-get install luajit (.ci/steps/luajit.sh)"],
  ["the collector's records through a real OpenSearch node", noOpenSearch, OPENSEARCH_INSTALL_HINT],
] as const) {
  if (reason)
    console.warn(
      `\n${"#".repeat(100)}\n# SKIPPING ${what}:\n#   ${reason}\n#   install: ${hint}\n${"#".repeat(100)}\n`,
    );
}
failWhenMissingInCi("log collector Lua filter (LuaJIT)", noLua);
failWhenMissingInCi("log collector records in OpenSearch", noOpenSearch ?? noLua);

/** Lines written by the reference service's real logger (pino + ECS format). */
function serviceLines(requestId: string): string[] {
  const lines: string[] = [];
  const sink: DestinationStream = { write: (line: string) => void lines.push(line.trimEnd()) };
  const logger = createLogger({ level: "info", serviceVersion: "1.0.0" }, sink);
  logger.info({ http: { request: { id: requestId } } }, "prediction served");
  logger.warn("drift above threshold");
  return lines;
}

/** What tail (cri parser) and the kubernetes filter hand to the Lua filter for one line. */
const fluentBitRecord = (line: string, labels: Record<string, string> = {}) => ({
  log: line,
  stream: "stdout",
  _p: "F",
  kubernetes: {
    pod_name: "inference-service-5d9c-abcde",
    namespace_name: "serving",
    pod_id: "3f0c2b8e-1111-2222-3333-444455556666",
    labels,
    host: "ip-10-0-1-23.eu-west-1.compute.internal",
    container_name: "inference",
    docker_id: "0123456789abcdef",
    container_hash: "registry/inference@sha256:abc",
    container_image: "registry/inference:1.0.0",
  },
});

const LABELS = { app: "inference-service", "app.kubernetes.io/name": "inference-service", team: "ml" };

describe.skipIf(noLua !== undefined)("ECS record filter in LuaJIT", () => {
  it("moves the line to message untouched and the metadata to ECS fields; annotations and cri fields go", () => {
    const [line] = serviceLines("req-1");
    const [out] = runLuaFilter(ECS_RECORD_LUA, ECS_RECORD_FUNCTION, [
      fluentBitRecord(line as string, LABELS),
    ]);
    expect(out?.code).toBe(2);
    expect(out?.ts).toBe(1764669600.5);
    expect(out?.record).toEqual({
      message: line,
      stream: "stdout",
      kubernetes: {
        namespace: "serving",
        pod: { name: "inference-service-5d9c-abcde", uid: "3f0c2b8e-1111-2222-3333-444455556666" },
        container: { name: "inference" },
        node: { name: "ip-10-0-1-23.eu-west-1.compute.internal" },
        labels: { app: "inference-service", "app_kubernetes_io/name": "inference-service", team: "ml" },
      },
      container: { id: "0123456789abcdef", image: { name: "registry/inference:1.0.0" } },
    });
  });

  it("leaves out what the metadata lacks instead of writing empty objects", () => {
    const bare = { log: "plain", stream: "stderr", kubernetes: { namespace_name: "x", labels: {} } };
    const [out] = runLuaFilter(ECS_RECORD_LUA, ECS_RECORD_FUNCTION, [bare, { log: "no metadata" }]).map(
      (r: LuaFilterResult) => r.record,
    );
    expect(out).toEqual({ message: "plain", stream: "stderr", kubernetes: { namespace: "x" } });
  });

  it("keeps a record without a log line as it is (code 0)", () => {
    const results = runLuaFilter(ECS_RECORD_LUA, ECS_RECORD_FUNCTION, [{ log: "x" }, { other: "kept" }]);
    expect(results.map((r) => r.code)).toEqual([2, 0]);
    expect(results[0]?.record).toEqual({ message: "x" });
    expect(results[1]?.record).toEqual({ other: "kept" });
  });
});

type Hit = { _source: Record<string, unknown> & { tags?: string[]; message?: string } };
type Search = { hits: { hits: Hit[] } };

describe.skipIf(noLua !== undefined || noOpenSearch !== undefined)(
  "collector records through the backend's pipeline on a real OpenSearch node",
  () => {
    const backend = resolveLogBackend({ retentionInDays: 7, replicas: 0 });
    const index = `${backend.indexPrefix}-2026.12.02`;
    let node: OpenSearchTestNode;
    let lines: string[];
    const search = (query: unknown) =>
      node.request<Search>("POST", `/${backend.indexPattern}/_search`, { query });

    beforeAll(async () => {
      node = await OpenSearchTestNode.create();
      await node.request("PUT", `/_ingest/pipeline/${backend.name}`, ingestPipeline(backend));
      await node.request("PUT", `/_index_template/${backend.name}`, indexTemplate(backend, "opensearch"));
      lines = serviceLines("req-42");
      const records = [...lines, "panic: plain text"].map((l) => fluentBitRecord(l, LABELS));
      const shaped = runLuaFilter(ECS_RECORD_LUA, ECS_RECORD_FUNCTION, records);
      for (const { record } of shaped) {
        // What the es/opensearch output adds: the record time under Time_Key, and the Pipeline parameter.
        await node.request("POST", `/${index}/_doc?pipeline=${backend.name}`, {
          "@timestamp": "2026-12-02T10:00:00.000Z",
          ...record,
        });
      }
      // The record Merge_Log On would have produced: the line's keys merged, `log` dropped (Keep_Log Off).
      const merged = { ...JSON.parse(lines[1] as string), kubernetes: { namespace: "merged" } };
      await node.request("POST", `/${index}/_doc?pipeline=${backend.name}`, merged);
      await node.request("POST", `/${index}/_refresh`);
    });

    afterAll(async () => {
      await node?.destroy();
    });

    it("finds the service's line by its ECS fields and by pod, label and node", async () => {
      const { hits } = await search({
        bool: {
          filter: [
            { term: { "http.request.id": "req-42" } },
            { term: { "kubernetes.pod.name": "inference-service-5d9c-abcde" } },
            { term: { "kubernetes.labels.app_kubernetes_io/name": "inference-service" } },
            { term: { "kubernetes.node.name": "ip-10-0-1-23.eu-west-1.compute.internal" } },
            { term: { "log.level": "info" } },
          ],
        },
      });
      expect(hits.hits).toHaveLength(1);
      const source = hits.hits[0]?._source ?? {};
      expect(source.message).toBe("prediction served");
      expect(source.tags).toBeUndefined();
      expect(source["@timestamp"]).toBe(JSON.parse(lines[0] as string)["@timestamp"]);
    });

    it("keeps a plain-text line whole, tagged, with the collector's time", async () => {
      const { hits } = await search({ term: { tags: NOT_JSON_TAG } });
      const plain = hits.hits.filter((h) => h._source.message === "panic: plain text");
      expect(plain).toHaveLength(1);
      expect(plain[0]?._source["@timestamp"]).toBe("2026-12-02T10:00:00.000Z");
    });

    it("would mis-tag a record merged in Fluent Bit (why Merge_Log is Off)", async () => {
      const { hits } = await search({ term: { "kubernetes.namespace": "merged" } });
      expect(hits.hits).toHaveLength(1);
      expect(hits.hits[0]?._source.tags).toEqual([NOT_JSON_TAG]);
    });
  },
);
