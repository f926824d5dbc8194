/**
 * The team dashboard's queries on the real PromQL engine (`promtool test rules`, promql_expr_test): series in
 * the formats kube-state-metrics, cAdvisor and the DCGM exporter expose, for two team namespaces and a platform
 * namespace. With only another team's and the platform's series, no query of the team's dashboard shows a
 * non-zero value (it is limited to its namespace); with the team's own series, every query does (no metric or
 * label name is wrong); with both, the headline panels show exactly the team's figures.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, expect, it } from "vitest";
import { stringify } from "yaml";
import { buildDashboard, dashboardExprs } from "../../../constructs/addons/monitoring/dashboards";
import { teamDashboard } from "../../../constructs/teams/dashboard";
import { describeWithPromtool, promtool } from "../../support/promtool";
import { substituteVariables } from "../addons/monitoring/dashboards/support";

const GI = 1024 ** 3;

/** What one namespace runs: its quota and one pod's usage (`scale` tells namespaces apart in the results). */
interface Usage {
  readonly namespace: string;
  readonly cpuHard: number;
  readonly cpuUsed: number;
  /** Cores the pod's container burns (its cgroup counter grows by this × 60 each minute). */
  readonly cores: number;
  readonly memoryBytes: number;
  readonly gpusHard: number;
  readonly gpusAllocated: number;
  /** Container restarts per minute. */
  readonly restartsPerMinute: number;
}

const TEAM: Usage = {
  namespace: "team-fraud-dev",
  cpuHard: 16,
  cpuUsed: 4,
  cores: 0.5,
  memoryBytes: 3 * GI,
  gpusHard: 2,
  gpusAllocated: 1,
  restartsPerMinute: 1,
};
const OTHER_TEAM: Usage = {
  namespace: "team-risk-dev",
  cpuHard: 8,
  cpuUsed: 6,
  cores: 2,
  memoryBytes: 10 * GI,
  gpusHard: 4,
  gpusAllocated: 3,
  restartsPerMinute: 2,
};
const PLATFORM: Usage = { ...OTHER_TEAM, namespace: "mlflow", gpusHard: 0 };

const MINUTES = 120;
const constant = (v: number) => `${v}x${MINUTES}`;
const counter = (perMinute: number) => `0+${perMinute}x${MINUTES}`;

function inputSeries(u: Usage): { series: string; values: string }[] {
  const ns = `namespace="${u.namespace}"`;
  const pod = `${ns}, pod="worker-0"`;
  const quota = (resource: string, type: string, v: number) => ({
    series: `kube_resourcequota{${ns}, resourcequota="team", resource="${resource}", type="${type}"}`,
    values: constant(v),
  });
  const quotas: [string, number, number][] = [
    ["requests.cpu", u.cpuHard, u.cpuUsed],
    ["requests.memory", 64 * GI, 8 * GI],
    ["requests.storage", 500 * GI, 20 * GI],
    ["persistentvolumeclaims", 10, 1],
    ["pods", 50, 2],
    ["requests.nvidia.com/gpu", u.gpusHard, u.gpusAllocated],
  ];
  return [
    ...quotas.flatMap(([r, hard, used]) => [quota(r, "hard", hard), quota(r, "used", used)]),
    // The container's cgroup, and the pod's own (container="") which sums its containers: counting both doubles.
    {
      series: `container_cpu_usage_seconds_total{${pod}, container="main"}`,
      values: counter(u.cores * 60),
    },
    { series: `container_cpu_usage_seconds_total{${pod}, container=""}`, values: counter(u.cores * 60) },
    {
      series: `container_memory_working_set_bytes{${pod}, container="main"}`,
      values: constant(u.memoryBytes),
    },
    { series: `container_memory_working_set_bytes{${pod}, container=""}`, values: constant(u.memoryBytes) },
    {
      series: `kube_pod_container_resource_requests{${pod}, container="main", node="n1", resource="nvidia_com_gpu", unit="integer"}`,
      values: constant(u.gpusAllocated),
    },
    {
      series: `DCGM_FI_DEV_GPU_UTIL{namespace="gpu-operator", pod="dcgm-exporter-x", exported_namespace="${u.namespace}", exported_pod="worker-0", gpu="0", Hostname="n1"}`,
      values: constant(70),
    },
    { series: `kube_pod_status_phase{${pod}, phase="Running"}`, values: constant(1) },
    { series: `kube_pod_status_phase{${pod}, phase="Pending"}`, values: constant(0) },
    {
      series: `kube_pod_container_status_restarts_total{${pod}, container="main"}`,
      values: counter(u.restartsPerMinute),
    },
    {
      series: `kube_pod_container_status_waiting_reason{${pod}, container="main", reason="CrashLoopBackOff"}`,
      values: constant(1),
    },
  ];
}

interface ExprTest {
  readonly expr: string;
  readonly exp_samples: { labels: string; value: number }[];
}

function testFile(inputs: readonly Usage[], tests: readonly ExprTest[]): string {
  return stringify({
    rule_files: [],
    evaluation_interval: "1m",
    tests: [
      {
        interval: "1m",
        input_series: inputs.flatMap(inputSeries),
        promql_expr_test: tests.map((t) => ({ ...t, eval_time: `${MINUTES}m` })),
      },
    ],
  });
}

const queries = dashboardExprs(
  buildDashboard(teamDashboard({ team: "fraud", environment: "dev", namespace: TEAM.namespace, gpus: true })),
);
const plain = (expr: string) => substituteVariables(expr);
/** One sample `{} 1` when the query returns any non-zero value, none otherwise. */
const anyNonZero = (expr: string) => `clamp_max(count((${plain(expr)}) != 0), 1)`;

describeWithPromtool("team dashboard queries on the PromQL engine", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "team-dashboard-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const run = (name: string, inputs: readonly Usage[], tests: readonly ExprTest[]) => {
    writeFileSync(path.join(dir, name), testFile(inputs, tests));
    return promtool(["test", "rules", name], dir);
  };

  it("shows nothing of another team's or the platform's namespace", () => {
    const r = run(
      "isolation.yaml",
      [OTHER_TEAM, PLATFORM],
      queries.map((q) => ({ expr: anyNonZero(q.expr), exp_samples: [] })),
    );
    expect(r.status, r.output).toBe(0);
  });

  it("shows data in every panel from the team's own series", () => {
    const r = run(
      "own.yaml",
      [TEAM],
      queries.map((q) => ({ expr: anyNonZero(q.expr), exp_samples: [{ labels: "{}", value: 1 }] })),
    );
    expect(r.status, r.output).toBe(0);
  });

  it("shows the team's figures beside the other namespaces' (CPU, quota share, memory, GPUs, restarts)", () => {
    const find = (where: string) => {
      const q = queries.find((x) => x.where === where);
      if (!q) throw new Error(`no query ${where} in ${queries.map((x) => x.where).join(", ")}`);
      return plain(q.expr);
    };
    const one = (expr: string, value: number, labels = "{}") => ({ expr, exp_samples: [{ labels, value }] });
    const r = run(
      "figures.yaml",
      [TEAM, OTHER_TEAM, PLATFORM],
      [
        one(find("CPU (cores): used, requested, quota [A]"), TEAM.cores),
        one(find("CPU (cores): used, requested, quota [B]"), TEAM.cpuUsed),
        one(find("CPU (cores): used, requested, quota [C]"), TEAM.cpuHard),
        one(find("CPU requested / quota [A]"), TEAM.cpuUsed / TEAM.cpuHard),
        one(find("Memory: working set, requested, quota [A]"), TEAM.memoryBytes),
        one(find("GPUs: allocated, quota [A]"), TEAM.gpusAllocated),
        one(find("GPUs requested / quota [A]"), TEAM.gpusAllocated / TEAM.gpusHard),
        one(find("Container restarts (1h), per pod [A]"), TEAM.restartsPerMinute * 60, '{pod="worker-0"}'),
        one(find("GPU utilization per pod [A]"), 70, '{exported_pod="worker-0"}'),
      ],
    );
    expect(r.status, r.output).toBe(0);
  });

  it("fails when a query is not limited to the namespace (the isolation check can fail)", () => {
    const r = run(
      "leak.yaml",
      [OTHER_TEAM, PLATFORM],
      [
        {
          expr: anyNonZero('sum(rate(container_cpu_usage_seconds_total{container!=""}[5m]))'),
          exp_samples: [],
        },
      ],
    );
    expect(r.status).not.toBe(0);
    expect(r.output).toMatch(/FAILED/);
  });
});
