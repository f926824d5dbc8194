/**
 * A real Prometheus (Debian package, run directly on loopback with a temp config and TSDB) scrapes the running
 * service; the test reads the service's series back through Prometheus' HTTP API. `promtool check metrics`
 * must accept the service's /metrics output.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { failWhenMissingInCi } from "../../../test/support/ci";
import { exampleRows, inferBody, type StartedService, startRealService } from "../http/real-service";
import { freePort } from "./service-process";

function which(bin: string, envVar: string): string | undefined {
  const given = process.env[envVar];
  if (given) return given;
  const r = spawnSync("sh", ["-c", `command -v ${bin}`], { encoding: "utf8" });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

const PROMETHEUS = which("prometheus", "PROMETHEUS_BIN");
const PROMTOOL = which("promtool", "PROMTOOL_BIN");
const missing = PROMETHEUS === undefined || PROMTOOL === undefined;
if (missing) {
  console.warn(
    `\n${"!".repeat(78)}\n! SKIPPING Prometheus tests: prometheus/promtool not found on PATH\n! install: bash .ci/steps/prometheus.sh\n${"!".repeat(78)}\n`,
  );
}

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}: ${String(last)}`);
}

failWhenMissingInCi(
  "Prometheus scraping the service",
  missing && "prometheus/promtool not found (bash .ci/steps/prometheus.sh)",
);

describe.skipIf(missing)("Prometheus scraping the service", () => {
  let service: StartedService;
  let prometheus: ChildProcess | undefined;
  let promUrl: string;
  let dir: string;
  const promLog: string[] = [];

  beforeAll(async () => {
    service = await startRealService();
    for (let i = 0; i < 5; i++) {
      await fetch(`${service.url}/v2/models/readmission/infer`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(inferBody(exampleRows())),
      });
    }
    dir = await mkdtemp(path.join(os.tmpdir(), "prometheus-test-"));
    const target = new URL(service.url).host;
    await writeFile(
      path.join(dir, "prometheus.yml"),
      `global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n  - job_name: inference-service\n    metrics_path: /metrics\n    static_configs:\n      - targets: ["${target}"]\n`,
    );
    const port = await freePort();
    promUrl = `http://127.0.0.1:${port}`;
    prometheus = spawn(
      PROMETHEUS as string,
      [
        `--config.file=${path.join(dir, "prometheus.yml")}`,
        `--storage.tsdb.path=${path.join(dir, "data")}`,
        `--web.listen-address=127.0.0.1:${port}`,
        "--web.console.templates=/nonexistent",
        "--web.console.libraries=/nonexistent",
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    prometheus.stderr?.on("data", (c: Buffer) => promLog.push(c.toString("utf8")));
    await until("Prometheus ready", 60_000, async () =>
      (await fetch(`${promUrl}/-/ready`)).ok ? true : undefined,
    );
  });

  afterAll(async () => {
    if (prometheus && prometheus.exitCode === null) {
      const exited = new Promise((r) => prometheus?.once("exit", r));
      prometheus.kill("SIGTERM");
      await exited;
    }
    await service?.shutdown("test done");
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function query(q: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
    const res = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(q)}`);
    const body = (await res.json()) as {
      status: string;
      data: { result: { metric: Record<string, string>; value: [number, string] }[] };
    };
    expect(body.status).toBe("success");
    return body.data.result;
  }

  it("scrapes the target as up", async () => {
    const up = await until("target up", 30_000, async () => {
      const r = await query('up{job="inference-service"}');
      return r[0]?.value[1] === "1" ? r : undefined;
    }).catch((err: Error) => {
      throw new Error(`${err.message}\nprometheus log:\n${promLog.join("").slice(-2000)}`);
    });
    expect(up).toHaveLength(1);
  });

  it("stores the service's inference request counter by model, version and code", async () => {
    const series = await until("inference_requests_total", 30_000, async () => {
      const r = await query('inference_requests_total{job="inference-service",model="readmission"}');
      return r.length > 0 ? r : undefined;
    });
    expect(series[0]?.metric).toMatchObject({ model: "readmission", version: "2", code: "200" });
    expect(Number(series[0]?.value[1])).toBeGreaterThanOrEqual(5);
  });

  it("stores the latency histogram and the engine's batch-size histogram from the same registry", async () => {
    const latency = await until("latency histogram", 30_000, async () => {
      const r = await query('inference_request_duration_seconds_count{job="inference-service"}');
      return r.length > 0 ? r : undefined;
    });
    expect(Number(latency[0]?.value[1])).toBeGreaterThanOrEqual(5);
    const batch = await query('inference_batch_size_rows_count{job="inference-service"}');
    expect(Number(batch[0]?.value[1])).toBeGreaterThanOrEqual(1);
  });

  it("passes promtool check metrics", async () => {
    const text = await (await fetch(`${service.url}/metrics`)).text();
    const r = spawnSync(PROMTOOL as string, ["check", "metrics"], { input: text, encoding: "utf8" });
    expect(`${r.stdout}${r.stderr}`).toBe("");
    expect(r.status).toBe(0);
  });
});
