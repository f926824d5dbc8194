/**
 * The team log space's bootstrap script (the real POSIX sh + curl the Job runs) against a real OpenSearch 2.19
 * node on loopback for its Elasticsearch half: `_aliases` with a filter is the same API in both engines, so the
 * alias is created, limited to the team's namespace, tolerated before any log index exists and extended to a
 * new daily index by the next (scheduled) run. Kibana itself cannot run here (no registry ships it or
 * OpenSearch Dashboards), so its half goes to a loopback stand-in that answers as Kibana's spaces and data views
 * APIs document (create 200 then 409, update 404 until created, data views only inside an existing space) and
 * records what it got: the `elastic` user's basic auth, `kbn-xsrf`, JSON bodies equal to the requests.
 */
import { execFile, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { indexTemplate, ingestPipeline, resolveLogBackend } from "../../../constructs/addons/logging/backend";
import {
  LOG_SPACE_SCRIPT,
  logSpaceRequestFiles,
  teamLogSpaceNames,
  teamLogSpaceRequests,
} from "../../../constructs/teams/log-space";
import {
  OPENSEARCH_INSTALL_HINT,
  OpenSearchTestNode,
  openSearchUnavailableReason,
} from "../../../scripts/opensearch/node";

/** The script needs curl >= 7.71 (--retry-all-errors), as in the Job's image. */
function curlMissing(): string | undefined {
  const v = /^curl (\d+)\.(\d+)/.exec(spawnSync("curl", ["--version"], { encoding: "utf8" }).stdout ?? "");
  return v && Number(v[1]) * 100 + Number(v[2]) >= 771 ? undefined : "no curl >= 7.71 on PATH";
}
const unavailable = openSearchUnavailableReason() ?? curlMissing();
if (unavailable)
  console.warn(
    `\n${"#".repeat(100)}\n# SKIPPING the team log space script on a real OpenSearch node: ${unavailable}\n#   install with: ${OPENSEARCH_INSTALL_HINT}\n${"#".repeat(100)}\n`,
  );
describe.runIf(unavailable !== undefined && process.env.OPENSEARCH_REQUIRED === "1")(
  "OpenSearch node",
  () => {
    it("fails when OPENSEARCH_REQUIRED=1 and no node can run here", () => {
      throw new Error(`OPENSEARCH_REQUIRED=1 (CI) but ${unavailable}`);
    });
  },
);

const TEAM = { team: "fraud", environment: "dev", namespace: "team-fraud-dev" } as const;
const PASSWORD = "not-a-real-secret";
const names = teamLogSpaceNames(TEAM.team, TEAM.environment);

interface Received {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage["headers"];
  readonly body: unknown;
}

/** Kibana's spaces and data views APIs as documented, in memory; `failOn` answers 400 to one path. */
function kibanaStandIn(state: { failOn?: string }) {
  const received: Received[] = [];
  const spaces = new Set<string>();
  const views = new Map<string, unknown>();
  const server = createServer((req, res) => {
    let text = "";
    req.on("data", (c) => {
      text += c;
    });
    req.on("end", () => {
      const body = text ? JSON.parse(text) : undefined;
      received.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body });
      const reply = (status: number, answer: unknown = {}) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(answer));
      };
      const auth = `Basic ${Buffer.from(`elastic:${PASSWORD}`).toString("base64")}`;
      if (req.headers.authorization !== auth) return reply(401);
      if (req.headers["kbn-xsrf"] === undefined) return reply(400, { message: "missing kbn-xsrf header" });
      if (req.url === state.failOn) return reply(400, { message: "bad request" });
      const url = req.url ?? "";
      if (req.method === "POST" && url === "/api/spaces/space") {
        if (spaces.has(body.id)) return reply(409, { message: "space exists" });
        spaces.add(body.id);
        return reply(200, body);
      }
      const update = /^\/api\/spaces\/space\/([^/]+)$/.exec(url);
      if (req.method === "PUT" && update) return reply(spaces.has(update[1] as string) ? 200 : 404, body);
      const inSpace = /^\/s\/([^/]+)\/api\/data_views\/(data_view|default)$/.exec(url);
      if (req.method === "POST" && inSpace) {
        if (!spaces.has(inSpace[1] as string)) return reply(404, { message: "space not found" });
        if (inSpace[2] === "data_view") {
          const id = body.data_view.id as string;
          if (views.has(id) && body.override !== true) return reply(400, { message: "duplicate" });
          views.set(id, body.data_view);
          return reply(200, { data_view: body.data_view });
        }
        return reply(views.has(body.data_view_id) ? 200 : 404, { acknowledged: true });
      }
      return reply(404, { message: `no route ${req.method} ${url}` });
    });
  });
  return { server, received, spaces, views };
}

describe.skipIf(unavailable !== undefined)("team log space script on a real OpenSearch node", () => {
  const backend = resolveLogBackend({ retentionInDays: 7, replicas: 0 });
  const dir = mkdtempSync(path.join(os.tmpdir(), "team-log-space-"));
  const state: { failOn?: string } = {};
  const kibana = kibanaStandIn(state);
  let node: OpenSearchTestNode;
  let kibanaUrl: string;

  const run = async () => {
    const files = { "bootstrap.sh": LOG_SPACE_SCRIPT, ...logSpaceRequestFiles(teamLogSpaceRequests(TEAM)) };
    for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
    writeFileSync(path.join(dir, "password"), PASSWORD);
    // TLS is off on loopback; curl reads --cacert only for https.
    writeFileSync(path.join(dir, "ca.crt"), "");
    try {
      const r = await promisify(execFile)("/bin/sh", [path.join(dir, "bootstrap.sh")], {
        env: {
          PATH: process.env.PATH,
          REQUESTS_DIR: dir,
          ELASTIC_PASSWORD_FILE: path.join(dir, "password"),
          ELASTICSEARCH_URL: node.url,
          KIBANA_URL: kibanaUrl,
          ELASTICSEARCH_CA: path.join(dir, "ca.crt"),
          KIBANA_CA: path.join(dir, "ca.crt"),
          CURL_RETRIES: "0",
        },
        timeout: 60_000,
      });
      return { status: 0, stdout: r.stdout, stderr: r.stderr };
    } catch (e) {
      const err = e as { code: number; stdout: string; stderr: string };
      return { status: err.code, stdout: err.stdout, stderr: err.stderr };
    }
  };
  const doc = (namespace: string, message: string) => ({
    "@timestamp": "2026-12-02T10:00:00.000Z",
    message,
    kubernetes: { namespace, pod: { name: `${namespace}-pod` } },
  });
  const index = async (name: string, docs: [string, string][]) => {
    for (const [ns, msg] of docs) await node.request("POST", `/${name}/_doc`, doc(ns, msg));
    await node.request("POST", `/${name}/_refresh`);
  };
  const aliasMessages = async () => {
    const r = await node.request<{ hits: { hits: { _source: { message: string } }[] } }>(
      "POST",
      `/${names.alias}/_search`,
      { size: 100, query: { match_all: {} } },
    );
    return r.hits.hits.map((h) => h._source.message).sort();
  };

  beforeAll(async () => {
    node = await OpenSearchTestNode.create();
    await node.request("PUT", `/_ingest/pipeline/${backend.name}`, ingestPipeline(backend));
    await node.request("PUT", `/_index_template/${backend.name}`, indexTemplate(backend, "opensearch"));
    await new Promise<void>((resolve) => kibana.server.listen(0, "127.0.0.1", resolve));
    kibanaUrl = `http://127.0.0.1:${(kibana.server.address() as AddressInfo).port}`;
  }, 180_000);

  afterAll(async () => {
    await node?.destroy();
    await new Promise((resolve) => (kibana.server as Server).close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  it("succeeds before any log index exists, and sets up the space and its default data view", async () => {
    const r = await run();
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain("applied 5 request(s)");
    expect([...kibana.spaces]).toEqual([names.space]);
    expect(kibana.views.get(names.dataView)).toMatchObject({
      title: names.alias,
      timeFieldName: "@timestamp",
    });
  });

  it("limits the alias to the team's namespace once the logs are there", async () => {
    await index(`${backend.indexPrefix}-2026.12.01`, [
      ["team-fraud-dev", "fraud dev 1"],
      ["team-fraud-dev", "fraud dev 2"],
      ["team-fraud-prod", "fraud prod"],
      ["team-risk-dev", "risk dev"],
      ["mlflow", "platform"],
    ]);
    const r = await run();
    expect(r.status, r.stderr).toBe(0);
    expect(await aliasMessages()).toEqual(["fraud dev 1", "fraud dev 2"]);
  });

  it("covers a new daily index from the next run on (why it runs on a schedule), idempotently", async () => {
    await index(`${backend.indexPrefix}-2026.12.02`, [
      ["team-fraud-dev", "fraud dev next day"],
      ["team-risk-dev", "risk next day"],
    ]);
    expect(await aliasMessages()).toEqual(["fraud dev 1", "fraud dev 2"]);
    const r = await run();
    expect(r.status, r.stderr).toBe(0);
    expect(await aliasMessages()).toEqual(["fraud dev 1", "fraud dev 2", "fraud dev next day"]);
  });

  it("sent Kibana what the documented APIs take: basic auth as elastic, kbn-xsrf, the request bodies", () => {
    const requests = teamLogSpaceRequests(TEAM).filter((r) => r.target === "kibana");
    // Three runs, each with every Kibana request in order.
    expect(kibana.received.map((r) => `${r.method} ${r.url}`)).toEqual(
      Array.from({ length: 3 }, () => requests.map((r) => `${r.method} ${r.path}`)).flat(),
    );
    for (const got of kibana.received) {
      expect(got.headers["content-type"]).toBe("application/json");
      expect(got.headers["kbn-xsrf"]).toBeDefined();
      const sent = requests.find((r) => r.path === got.url && r.method === got.method);
      expect(got.body).toEqual(sent?.body);
    }
  });

  it("fails when Kibana refuses a request, naming it (the Job then retries)", async () => {
    state.failOn = `/s/${names.space}/api/data_views/data_view`;
    const r = await run();
    state.failOn = undefined;
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(
      `HTTP 400 for POST /s/${names.space}/api/data_views/data_view; expected one of: 200`,
    );
    expect(r.stdout).not.toContain(PASSWORD);
  });
});
