/** Drift status through HTTP on the real service: predictions reach the monitor, and a shifted stream drifts. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectMatchesOpenApi } from "./helpers";
import { exampleRows, inferBody, type Row, type StartedService, startRealService } from "./real-service";

interface Status {
  rowsSeen: number;
  evaluations: number;
  drifted: boolean;
  driftedFeatures: string[];
  lastSeenVersion: string | null;
  monitored: boolean;
  version: string;
  profileVersion: string;
  profileLocation: string;
}

async function send(url: string, rows: Row[], times: number) {
  for (let i = 0; i < times; i++) {
    const res = await fetch(`${url}/v2/models/readmission/infer`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(inferBody(rows)),
    });
    expect(res.status).toBe(200);
  }
}

async function status(url: string): Promise<Status> {
  const res = await fetch(`${url}/v2/models/readmission/drift`);
  const body = (await res.json()) as Status;
  expect(res.status).toBe(200);
  expectMatchesOpenApi("GET", "/v2/models/{name}/drift", 200, body);
  return body;
}

describe("drift endpoint on the real service", () => {
  let service: StartedService;
  beforeAll(async () => {
    service = await startRealService({ DRIFT_WINDOW_SIZE: "100" });
  });
  afterAll(async () => service?.shutdown("test done"));

  it("serves the status before the first prediction", async () => {
    const s = await status(service.url);
    expect(s.rowsSeen).toBe(0);
    expect(s.drifted).toBe(false);
    // The profile came with the served version, from beside its model.onnx.
    expect(s).toMatchObject({ monitored: true, version: "2", profileVersion: "2" });
    expect(s.profileLocation).toMatch(/readmission\/2\/profile\.json$/);
  });

  it("counts served rows and flags a shifted stream as drifted", async () => {
    const shifted = exampleRows().map((r) => ({
      ...r,
      age: 95,
      admission_type: "trauma",
      num_prior_admissions: 12,
    }));
    await send(service.url, shifted, 30);
    await expect
      .poll(async () => (await status(service.url)).evaluations, { timeout: 10_000 })
      .toBeGreaterThan(0);
    const s = await status(service.url);
    expect(s.rowsSeen).toBe(150);
    expect(s.lastSeenVersion).toBe("2");
    expect(s.drifted).toBe(true);
    expect(s.driftedFeatures).toEqual(expect.arrayContaining(["age", "admission_type"]));
    const all = (await (await fetch(`${service.url}/drift`)).json()) as { models: Record<string, Status> };
    expect(all.models.readmission?.rowsSeen).toBe(150);
    const metrics = await (await fetch(`${service.url}/metrics`)).text();
    expect(metrics).toMatch(/^drift_/m);
  });

  it("answers 404 for the drift of an unknown model", async () => {
    const res = await fetch(`${service.url}/v2/models/nope/drift`);
    expect(res.status).toBe(404);
    expectMatchesOpenApi("GET", "/v2/models/{name}/drift", 404, await res.json());
  });
});

describe("drift disabled", () => {
  let service: StartedService;
  beforeAll(async () => {
    service = await startRealService({ DRIFT_ENABLED: "false" });
  });
  afterAll(async () => service?.shutdown("test done"));

  it("answers 404 naming the switch", async () => {
    const res = await fetch(`${service.url}/drift`);
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: string }).error).toMatch(/DRIFT_ENABLED=false/);
  });
});
