/**
 * The model-serving dashboard against the real thing: a real Prometheus (Debian's package, on loopback) scrapes
 * the real reference service after some inference requests, as two targets of one deployment — a stable pod and
 * a candidate pod (the pod label `mlops.io/serving-track: candidate` as Kubernetes discovery would give it) in
 * the canary phase — through
 * the relabelings of the serving add-on's monitor (`servingPodMonitor`) beside the operator's namespace and pod
 * labels. Every query of the dashboard runs through Prometheus' query API with the dashboard's variables set.
 * All must be accepted; the panels the traffic feeds must show data, so a label name a panel groups or filters
 * by that the service does not expose (e.g. `model`, `code`) fails here; and those split by track must show the
 * canary beside the stable track.
 */
import { spawnSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildDashboard, dashboardExprs } from "../../../../../constructs/addons/monitoring/dashboards";
import { SERVING_DASHBOARD } from "../../../../../constructs/addons/monitoring/dashboards/serving";
import { SERVING_POD_LABELS, servingPodMonitor } from "../../../../../constructs/addons/monitoring/serving";
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
const DEPLOYMENT = "readmission";
/** Where the same service runs scraped without the serving monitor (no deployment or track label). */
const PLAIN_NAMESPACE = "models";
/** Panels (title [refId]) the inference traffic of this test feeds: each must return at least one series. */
const FED = [
  "Service targets up [A]",
  "Inference requests, per track and code [A]",
  "Inference errors (5xx) ratio, per track [A]",
  "Rows scored, per track and model version [A]",
  "Request latency (successful inference) [A]",
  "Request latency (successful inference) [C]",
  "Model run time (engine) [B]",
  "Version served, per track [A]",
  "Model loads, per track and result [A]",
  "Batch size (rows) [A]",
  "Queue depth (rows) [A]",
  "Workers busy [A]",
  "Tracks monitored for drift [A]",
  "variable namespace",
  "variable deployment",
  "variable model",
];

/** The monitor's relabelings as Prometheus' relabel_configs (the operator writes the same, snake_case). */
function relabelConfigs(): string {
  // The deployment is in its canary phase: the candidate's pods (track label `candidate`) are the canary.
  const monitor = servingPodMonitor({ deployment: DEPLOYMENT, candidate: "canary" }) as {
    spec: { podMetricsEndpoints: { relabelings: Record<string, unknown>[] }[] };
  };
  const rules = monitor.spec.podMetricsEndpoints[0]?.relabelings ?? [];
  const snake = (k: string) => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  return rules
    .map(
      (r) =>
        `      - ${JSON.stringify(Object.fromEntries(Object.entries(r).map(([k, v]) => [snake(k), v])))}`,
    )
    .join("\n");
}

/** Kubernetes discovery's name for the pod label that puts a pod on a track. */
const TRACK_META = `__meta_kubernetes_pod_label_${SERVING_POD_LABELS.track.replace(/[^a-zA-Z0-9_]/g, "_")}`;

type Series = { metric: Record<string, string> }[];

/** Labels the legend names (`{{label}}`) that a returned series lacks: a wrong `by` label shows as a blank legend. */
function legendProblems(where: string, legend: string | undefined, series: Series): string[] {
  return [...(legend ?? "").matchAll(/\{\{\s*(\w+)\s*\}\}/g)].flatMap(([, label]) =>
    series.some((s) => !((label as string) in s.metric))
      ? [`${where}: no label ${label} for its legend`]
      : [],
  );
}

/** The query as Grafana sends it with $namespace and $deployment chosen and $model = All (.*). */
function resolved(expr: string, namespace = NAMESPACE, deployment = DEPLOYMENT): string {
  return expr
    .replaceAll("$__rate_interval", "30s")
    .replaceAll("$namespace", namespace)
    .replaceAll("$deployment", deployment)
    .replaceAll("$model", ".*");
}

/** A query split by track whose series lack the stable or the canary track. */
function trackProblems(where: string, legend: string | undefined, series: Series): string[] {
  if (!legend?.includes("{{track}}") || series.length === 0) return [];
  const tracks = new Set(series.map((s) => s.metric.track));
  return ["stable", "canary"].filter((t) => !tracks.has(t)).map((t) => `${where}: no ${t} series`);
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
      [
        "global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: inference-service\n    static_configs:",
        `      - targets: ["${target}"]\n        labels: { namespace: ${NAMESPACE}, pod: ${DEPLOYMENT}-0 }`,
        // The same service as a second target: the canary pod, told apart only by its track label.
        `      - targets: ["${target}"]\n        labels: { namespace: ${NAMESPACE}, pod: ${DEPLOYMENT}-canary-0, ${TRACK_META}: candidate }`,
        "    relabel_configs:",
        relabelConfigs(),
        // The service deployed some other way (no serving add-on): scraped without the serving monitor's labels.
        "  - job_name: plain\n    static_configs:",
        `      - targets: ["${target}"]\n        labels: { namespace: ${PLAIN_NAMESPACE}, pod: inference-0 }`,
        "",
      ].join("\n"),
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
    let splitByTrack = 0;
    for (const q of queries) {
      const r = await query(resolved(q.expr));
      expect(r.status, `${q.where}: ${r.error}`).toBe("success");
      const series = (r.data?.result ?? []) as Series;
      if (series.length === 0) empty.push(q.where);
      problems.push(...legendProblems(q.where, q.legend, series));
      problems.push(...trackProblems(q.where, q.legend, series));
      if (series.length > 0 && q.legend?.includes("{{track}}")) splitByTrack++;
    }
    expect(problems).toEqual([]);
    expect(FED.filter((w) => empty.includes(w))).toEqual([]);
    // Canary beside stable: every fed panel but the target and drift-monitoring stats is split by track.
    expect(splitByTrack).toBeGreaterThanOrEqual(FED.length - 6);
  });

  it("shows the same panels for the service scraped without the serving add-on's monitor (Deployment = All)", async () => {
    const empty: string[] = [];
    for (const q of dashboardExprs(buildDashboard(SERVING_DASHBOARD))) {
      if (q.where === "variable deployment") continue;
      const r = await query(resolved(q.expr, PLAIN_NAMESPACE, ".*"));
      expect(r.status, `${q.where}: ${r.error}`).toBe("success");
      const series = (r.data?.result ?? []) as Series;
      if (series.length === 0) empty.push(q.where);
      // The namespace variable lists every namespace (the serving one too); the panels see only the plain one.
      if (q.where !== "variable namespace")
        expect(
          series.filter((x) => "deployment" in x.metric || "track" in x.metric),
          q.where,
        ).toEqual([]);
    }
    // Only the deployment variable has no values there (Grafana still offers All).
    expect(FED.filter((w) => w !== "variable deployment" && empty.includes(w))).toEqual([]);
    const values = await query(
      `group by (deployment) (inference_requests_total{namespace="${PLAIN_NAMESPACE}"})`,
    );
    expect(values.data?.result).toEqual([{ metric: {}, value: expect.anything() }]);
  });

  it("labels the targets as the serving monitor says: the deployment, stable by default, canary from the pod label", async () => {
    const r = await query(`up{namespace="${NAMESPACE}"}`);
    const targets = ((r.data?.result ?? []) as Series).map((s) => [
      s.metric.pod,
      s.metric.deployment,
      s.metric.track,
    ]);
    expect(targets.sort()).toEqual([
      [`${DEPLOYMENT}-0`, DEPLOYMENT, "stable"],
      [`${DEPLOYMENT}-canary-0`, DEPLOYMENT, "canary"],
    ]);
    expect(trackProblems("one track", "{{track}}", [{ metric: { track: "stable" } }])).toEqual([
      "one track: no canary series",
    ]);
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
