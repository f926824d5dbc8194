/**
 * The model-serving dashboard against the real thing: a real Prometheus (Debian's package, on loopback) scrapes
 * the real reference service after some inference requests, with the target labels the kit's monitors give
 * (namespace, pod), and every query of the dashboard runs through Prometheus' query API with the dashboard's
 * variables set. All must be accepted; the panels the traffic feeds must show data, so a label name a panel
 * groups or filters by that the service does not expose (e.g. `model`, `code`) fails here.
 */
import { spawnSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildDashboard, dashboardExprs } from "../../../../../constructs/addons/monitoring/dashboards";
import { SERVING_DASHBOARD } from "../../../../../constructs/addons/monitoring/dashboards/serving";
import {
  exampleRows,
  inferBody,
  type StartedService,
  startRealService,
} from "../../../../../service/test/http/real-service";
import { freePort, type RunningServer, startServer } from "../../../../../service/test/inference/servers";
import { failWhenMissingInCi } from "../../../../support/ci";

const PROMETHEUS =
  process.env.PROMETHEUS_BIN ??
  (spawnSync("sh", ["-c", "command -v prometheus"], { encoding: "utf8" }).stdout.trim() || undefined);
const SUITE = "serving dashboard on a real Prometheus";
if (!PROMETHEUS)
  console.warn(
    `\n${"!".repeat(100)}\n!! SKIPPING ${SUITE}: prometheus not found (bash .ci/steps/prometheus.sh)\n${"!".repeat(100)}\n`,
  );
failWhenMissingInCi(SUITE, !PROMETHEUS && "prometheus not found (bash .ci/steps/prometheus.sh)");

const NAMESPACE = "serving";
/** Panels (title [refId]) the inference traffic of this test feeds: each must return at least one series. */
const FED = [
  "Service targets up [A]",
  "Inference requests, per model and code [A]",
  "Inference errors (5xx) ratio [A]",
  "Rows scored, per model version [A]",
  "Request latency (HTTP, successful) [A]",
  "Request latency (HTTP, successful) [C]",
  "Model run time (engine) [B]",
  "Batch size (rows) [A]",
  "Queue depth (rows) [A]",
  "Workers busy [A]",
  "Models monitored for drift [A]",
  "variable namespace",
  "variable model",
];

type Series = { metric: Record<string, string> }[];

/** Labels the legend names (`{{label}}`) that a returned series lacks: a wrong `by` label shows as a blank legend. */
function legendProblems(where: string, legend: string | undefined, series: Series): string[] {
  return [...(legend ?? "").matchAll(/\{\{\s*(\w+)\s*\}\}/g)].flatMap(([, label]) =>
    series.some((s) => !((label as string) in s.metric))
      ? [`${where}: no label ${label} for its legend`]
      : [],
  );
}

/** The query as Grafana sends it with $namespace = the test's namespace and $model = All (.*). */
function resolved(expr: string): string {
  return expr
    .replaceAll("$__rate_interval", "30s")
    .replaceAll("$namespace", NAMESPACE)
    .replaceAll("$model", ".*");
}

describe.skipIf(!PROMETHEUS)(SUITE, () => {
  let service: StartedService;
  let prometheus: RunningServer | undefined;
  let dir: string;

  const infer = async (n: number) => {
    for (let i = 0; i < n; i++)
      await fetch(`${service.url}/v2/models/readmission/infer`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(inferBody(exampleRows())),
      });
  };
  const query = async (q: string) => {
    const res = await fetch(`${prometheus?.url}/api/v1/query?query=${encodeURIComponent(q)}`);
    return (await res.json()) as { status: string; error?: string; data?: { result: unknown[] } };
  };

  beforeAll(async () => {
    service = await startRealService();
    dir = await mkdtemp(path.join(os.tmpdir(), "serving-dashboard-"));
    const target = new URL(service.url).host;
    await writeFile(
      path.join(dir, "prometheus.yml"),
      `global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: inference-service\n    static_configs:\n      - targets: ["${target}"]\n        labels: { namespace: ${NAMESPACE}, pod: inference-0 }\n`,
    );
    const port = await freePort();
    prometheus = await startServer(
      PROMETHEUS as string,
      [
        `--config.file=${path.join(dir, "prometheus.yml")}`,
        `--storage.tsdb.path=${path.join(dir, "data")}`,
        `--web.listen-address=127.0.0.1:${port}`,
      ],
      port,
      "/-/ready",
    );
    // Traffic spread over scrapes until rate() over the window sees it (bounded; slow on a loaded machine).
    const deadline = Date.now() + 60_000;
    for (;;) {
      await infer(3);
      await new Promise((r) => setTimeout(r, 1000));
      const r = await query(
        resolved('rate(inference_requests_total{namespace="$namespace"}[$__rate_interval]) > 0'),
      );
      if ((r.data?.result.length ?? 0) > 0) break;
      if (Date.now() > deadline) throw new Error("Prometheus saw no inference traffic within 60 s");
    }
    await infer(3);
    await new Promise((r) => setTimeout(r, 2000));
  }, 120_000);

  afterAll(async () => {
    await prometheus?.stop();
    await service?.shutdown("test done");
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("accepts every query; the panels the traffic feeds show data, with the labels their legends name", async () => {
    const queries = dashboardExprs(buildDashboard(SERVING_DASHBOARD));
    expect(queries.map((q) => q.where)).toEqual(expect.arrayContaining(FED));
    const empty: string[] = [];
    const problems: string[] = [];
    for (const q of queries) {
      const r = await query(resolved(q.expr));
      expect(r.status, `${q.where}: ${r.error}`).toBe("success");
      const series = (r.data?.result ?? []) as Series;
      if (series.length === 0) empty.push(q.where);
      problems.push(...legendProblems(q.where, q.legend, series));
    }
    expect(problems).toEqual([]);
    expect(FED.filter((w) => empty.includes(w))).toEqual([]);
  });

  it("fails when a legend names a label the series do not carry", async () => {
    const r = await query(
      resolved(
        'sum by (model_name) (rate(inference_requests_total{namespace="$namespace"}[$__rate_interval]))',
      ),
    );
    expect(legendProblems("typo", "{{model_name}}", (r.data?.result ?? []) as Series)).toEqual([
      "typo: no label model_name for its legend",
    ]);
    // A filter on a label the service does not have leaves the panel empty, which the list of fed panels catches.
    const filtered = await query(
      resolved('sum(rate(inference_requests_total{namespace="$namespace", status="200"}[$__rate_interval]))'),
    );
    expect(filtered.data?.result).toEqual([]);
  });
});
