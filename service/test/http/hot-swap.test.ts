/**
 * Hot swap under load through HTTP: a new version directory appears in a local repository while clients
 * keep sending; every request is answered 200 by exactly one version, matching that version's ONNX file.
 */
import { cp, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  exampleRows,
  inferBody,
  MODELS_DIR,
  type Reference,
  referenceModel,
  type StartedService,
  startRealService,
} from "./real-service";

let repo: string;
let service: StartedService;
let v1: Reference;
let v2: Reference;

beforeAll(async () => {
  repo = await mkdtemp(path.join(os.tmpdir(), "hot-swap-"));
  await cp(path.join(MODELS_DIR, "readmission", "1"), path.join(repo, "readmission", "1"), {
    recursive: true,
  });
  service = await startRealService({ MODEL_REPOSITORY: repo, MODEL_POLL_INTERVAL_MS: "200" });
  v1 = await referenceModel("1");
  v2 = await referenceModel("2");
});
afterAll(async () => {
  await service?.shutdown("test done");
  await rm(repo, { recursive: true, force: true });
});

describe("hot swap through HTTP", () => {
  it("swaps to a new version under load without failing a request", async () => {
    const rows = exampleRows();
    const want = { "1": await v1.predict(rows), "2": await v2.predict(rows) };
    expect(want["1"].probabilities).not.toEqual(want["2"].probabilities);
    const body = JSON.stringify(inferBody(rows));
    const seen: { status: number; version?: string; probabilities?: number[] }[] = [];
    let stop = false;
    const client = async () => {
      while (!stop) {
        const res = await fetch(`${service.url}/v2/models/readmission/infer`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body,
        });
        const b = (await res.json()) as {
          model_version?: string;
          outputs?: { name: string; data: number[] }[];
        };
        seen.push({
          status: res.status,
          version: b.model_version,
          probabilities: b.outputs?.find((o: { name: string }) => o.name === "probabilities")?.data,
        });
      }
    };
    const clients = Array.from({ length: 4 }, client);
    await new Promise((r) => setTimeout(r, 300));
    await cp(path.join(MODELS_DIR, "readmission", "2"), path.join(repo, "readmission", "2"), {
      recursive: true,
    });
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline && !seen.slice(-20).every((s) => s.version === "2"))
      await new Promise((r) => setTimeout(r, 100));
    stop = true;
    await Promise.all(clients);

    expect(seen.filter((s) => s.status !== 200)).toEqual([]);
    expect(seen.some((s) => s.version === "1")).toBe(true);
    expect(seen.at(-1)?.version).toBe("2");
    for (const s of seen) {
      const w = want[s.version as "1" | "2"];
      s.probabilities?.forEach((p, i) => {
        expect(Math.abs(p - (w.probabilities[i] as number))).toBeLessThan(1e-6);
      });
    }
    const metrics = await (await fetch(`${service.url}/metrics`)).text();
    expect(metrics).toMatch(/^inference_requests_total\{model="readmission",version="2",code="200"\} [1-9]/m);
  });
});
