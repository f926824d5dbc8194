/**
 * The real service serving a model from the real MLflow registry (models:/readmission@champion), with the
 * drift profile published beside the model in the version's artifacts: seeded in-distribution traffic raises
 * no drift, seeded skewed traffic does, and alias moves to versions with a malformed, a missing and another
 * valid profile switch what the drift endpoint reports.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { events } from "../drift/stream";
import { brokenProfile, MODEL, profileFile } from "../inference/helpers";
import { MlflowRegistry, startMlflow } from "../inference/mlflow-server";
import { type RunningServer, requireServerBin } from "../inference/servers";
import { expectMatchesOpenApi } from "./helpers";
import { type StartedService, startRealService } from "./real-service";

const MLFLOW = requireServerBin("MLFLOW_BIN", "mlflow", "service drift from MLflow", "mlflow (pip mlflow)");

interface Status {
  monitored: boolean;
  version: string | null;
  profileLocation: string | null;
  reason?: string;
  profileVersion?: string;
  rowsSeen?: number;
  evaluations?: number;
  lastEvaluation?: { windowRows: number } | null;
  drifted?: boolean;
  driftedFeatures?: string[];
  features?: Record<string, { psi: number; drifted: boolean }>;
}

const ARTIFACT_PROFILE = /^mlflow-artifacts:\/.+\/model\/profile\.json$/;

describe.skipIf(!MLFLOW)("service drift for a model served from MLflow (real MLflow server)", () => {
  let dir: string;
  let server: RunningServer;
  let mlflow: MlflowRegistry;
  let service: StartedService;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "service-mlflow-drift-"));
    server = await startMlflow(MLFLOW as string, dir);
    mlflow = new MlflowRegistry(server.url);
    await mlflow.call("POST", "registered-models/create", { name: MODEL });
    const profile = async (v: string) => ({ "profile.json": await readFile(profileFile(v)) });
    expect(await mlflow.registerVersion(MODEL, "1", await profile("1"))).toBe("1");
    expect(await mlflow.registerVersion(MODEL, "2", { "profile.json": brokenProfile("2") })).toBe("2");
    expect(await mlflow.registerVersion(MODEL, "2")).toBe("3");
    expect(await mlflow.registerVersion(MODEL, "2", await profile("2"))).toBe("4");
    await mlflow.setAlias(MODEL, "champion", "1");
    process.env.MLFLOW_TRACKING_URI = server.url;
    service = await startRealService({
      MODEL_SOURCES: `${MODEL}=models:/${MODEL}@champion`,
      MODEL_POLL_INTERVAL_MS: "200",
      DRIFT_WINDOW_SIZE: "1000",
      DRIFT_EVALUATE_EVERY_ROWS: "500",
      DRIFT_INTERVAL_MS: "0",
    });
  });

  afterAll(async () => {
    await service?.shutdown("test done");
    await server?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function status(): Promise<Status> {
    const res = await fetch(`${service.url}/v2/models/${MODEL}/drift`);
    const body = (await res.json()) as Status;
    expect(res.status).toBe(200);
    expectMatchesOpenApi("GET", "/v2/models/{name}/drift", 200, body);
    return body;
  }

  /** Sends rows [from, to) of a seeded stream (pipelines/drift_fixtures.py) in 50-row requests. */
  async function send(which: "unshifted" | "shifted", from: number, to: number): Promise<string> {
    let version = "";
    for (const e of events(which, from, to, 50)) {
      const inputs = Object.entries(e.features).map(([name, data]) => ({
        name,
        shape: [data.length, 1],
        datatype: typeof data[0] === "string" ? "BYTES" : "FP32",
        data: Array.from(data),
      }));
      const res = await fetch(`${service.url}/v2/models/${MODEL}/infer`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ inputs }),
      });
      expect(res.status).toBe(200);
      version = ((await res.json()) as { model_version: string }).model_version;
    }
    return version;
  }

  async function moveAlias(version: string): Promise<void> {
    await mlflow.setAlias(MODEL, "champion", version);
    await expect.poll(async () => (await status()).version, { timeout: 30_000, interval: 100 }).toBe(version);
  }

  it("monitors the MLflow version against the profile published with it: no drift in distribution, drift on skew", async () => {
    expect(await status()).toMatchObject({
      monitored: true,
      version: "1",
      profileVersion: "1",
      profileLocation: expect.stringMatching(ARTIFACT_PROFILE),
      rowsSeen: 0,
    });

    expect(await send("unshifted", 0, 1000)).toBe("1");
    await expect.poll(async () => (await status()).evaluations, { timeout: 10_000 }).toBe(2);
    const calm = await status();
    expect(calm).toMatchObject({ rowsSeen: 1000, lastEvaluation: { windowRows: 1000 }, drifted: false });
    expect(calm.driftedFeatures).toEqual([]);
    for (const [name, f] of Object.entries(calm.features ?? {})) expect(f.psi, name).toBeLessThan(0.1);

    await send("shifted", 0, 1000);
    await expect.poll(async () => (await status()).evaluations, { timeout: 10_000 }).toBe(4);
    const skewed = await status();
    expect(skewed).toMatchObject({ rowsSeen: 2000, drifted: true });
    expect(skewed.driftedFeatures).toEqual(expect.arrayContaining(["age", "hba1c", "admission_type"]));
    const metrics = await (await fetch(`${service.url}/metrics`)).text();
    expect(metrics).toMatch(/^drift_detected\{model="readmission",feature="age"\} 1$/m);
    expect(metrics).toMatch(/^drift_monitored\{model="readmission"\} 1$/m);
    expect(service.logs.some((l) => l.includes("feature drift detected"))).toBe(true);
  });

  it("warns when the new version's profile is malformed: still served, the drift endpoint says why", async () => {
    await moveAlias("2");
    const s = await status();
    expect(s).toMatchObject({
      monitored: false,
      version: "2",
      profileLocation: expect.stringMatching(ARTIFACT_PROFILE),
      reason: expect.stringMatching(
        /^drift profile invalid: features\.age\.binFrequencies: expected to sum to 1/,
      ),
    });
    expect(await send("shifted", 0, 100)).toBe("2");
    const warning = service.logs.find((l) => l.includes(`drift not monitored for model ${MODEL} version 2`));
    expect(warning).toContain(s.profileLocation as string);
    expect(JSON.parse(warning as string)).toMatchObject({ "log.level": "warn", version: "2" });
    const metrics = await (await fetch(`${service.url}/metrics`)).text();
    expect(metrics).toMatch(/^drift_monitored\{model="readmission"\} 0$/m);
    expect(metrics).not.toMatch(/^drift_detected\{/m);
  });

  it("warns when the new version has no profile.json in its artifacts", async () => {
    await moveAlias("3");
    expect(await status()).toMatchObject({
      monitored: false,
      version: "3",
      profileLocation: expect.stringMatching(ARTIFACT_PROFILE),
      reason: "drift profile missing: no profile.json next to the model",
    });
    expect(await send("unshifted", 0, 50)).toBe("3");
    expect(service.logs.some((l) => l.includes(`drift not monitored for model ${MODEL} version 3`))).toBe(
      true,
    );
  });

  it("swaps to the next version's own profile", async () => {
    await moveAlias("4");
    expect(await status()).toMatchObject({ monitored: true, version: "4", profileVersion: "2", rowsSeen: 0 });
    expect(await send("unshifted", 0, 500)).toBe("4");
    await expect.poll(async () => (await status()).evaluations, { timeout: 10_000 }).toBe(1);
    expect(await status()).toMatchObject({ rowsSeen: 500, lastEvaluation: { windowRows: 500 } });
    const all = (await (await fetch(`${service.url}/drift`)).json()) as { models: Record<string, Status> };
    expect(all.models[MODEL]).toMatchObject({ monitored: true, version: "4" });
  });
});
