/**
 * The real service process as Seldon Core 2's agent meets it (README "Running under Seldon Core v2"):
 * MODEL_CONTROL=explicit on an empty MODEL_REPOSITORY, the agent's directory layout written after start,
 * loads and unloads by the versioned name `<model>_<n>`, inference on the rewritten path, readiness throughout.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ServiceProcess, spawnService } from "./service-process";

const MODELS_DIR = fileURLToPath(new URL("../../models", import.meta.url));
let repo: string;
let service: ServiceProcess;

beforeAll(async () => {
  repo = await mkdtemp(path.join(os.tmpdir(), "seldon-agent-models-"));
  service = await spawnService({
    MODEL_CONTROL: "explicit",
    MODEL_REPOSITORY: repo,
    INFERENCE_WORKERS: "1",
    MODEL_POLL_INTERVAL_MS: "0",
  });
});
afterAll(async () => {
  service?.child.kill("SIGTERM");
  await service?.exited;
  await rm(repo, { recursive: true, force: true });
});

/** What the agent (SELDON_SERVER_TYPE=triton) leaves for Model `readmission` generation `n`. */
async function agentWrites(n: number, modelVersion: string): Promise<string> {
  const name = `readmission_${n}`;
  await cp(path.join(MODELS_DIR, "readmission", modelVersion), path.join(repo, name, String(n)), {
    recursive: true,
  });
  await writeFile(path.join(repo, name, "config.pbtxt"), `name: "${name}"\n`);
  return name;
}

async function example(modelVersion: string) {
  const raw = JSON.parse(
    await readFile(path.join(MODELS_DIR, "readmission", modelVersion, "example.json"), "utf8"),
  );
  const inputs = Object.entries(raw.inputs as Record<string, (number | string)[]>).map(([name, data]) => ({
    name,
    shape: [data.length, 1],
    datatype: typeof data[0] === "string" ? "BYTES" : "FP32",
    data,
  }));
  return {
    body: JSON.stringify({ inputs }),
    outputs: raw.outputs as { label: number[]; probabilities: number[][] },
  };
}

const post = (p: string, body?: string) =>
  fetch(`${service.url}${p}`, {
    method: "POST",
    ...(body === undefined ? {} : { body, headers: { "content-type": "application/json" } }),
  });

describe("the service under Seldon Core 2's agent (explicit model control)", () => {
  it("is live and ready with an empty repository and lists no model", async () => {
    expect((await fetch(`${service.url}/v2/health/live`)).status).toBe(200);
    expect((await fetch(`${service.url}/v2/health/ready`)).status).toBe(200);
    expect(await (await post("/v2/repository/index")).json()).toEqual([]);
  });

  it("answers 404 for a model the agent has not written yet (the agent then loads and retries)", async () => {
    expect((await post("/v2/models/readmission_1/infer", "{}")).status).toBe(404);
    expect((await post("/v2/repository/models/readmission_1/load")).status).toBe(404);
  });

  it("loads the versioned name after the agent wrote it, and answers as the training pipeline's ONNX Runtime", async () => {
    const name = await agentWrites(1, "2");
    const load = await post(`/v2/repository/models/${name}/load`);
    expect(load.status).toBe(200);
    const index = await (await post("/v2/repository/index", '{"ready": true}')).json();
    expect(index).toEqual([{ name, version: "1", state: "READY", reason: "" }]);
    const { body, outputs } = await example("2");
    const res = await post(`/v2/models/${name}/infer`, body);
    expect(res.status).toBe(200);
    const answer = (await res.json()) as {
      model_name: string;
      model_version: string;
      outputs: { name: string; data: number[] }[];
    };
    expect(answer.model_name).toBe(name);
    expect(answer.model_version).toBe("1");
    expect(answer.outputs.find((o) => o.name === "label")?.data).toEqual(outputs.label);
    const probs = answer.outputs.find((o) => o.name === "probabilities")?.data as number[];
    outputs.probabilities.flat().forEach((p, i) => {
      expect(probs[i]).toBeCloseTo(p, 6);
    });
  });

  it("unloads on request and stays ready; the next generation loads beside it", async () => {
    expect((await post("/v2/repository/models/readmission_1/unload")).status).toBe(200);
    expect((await fetch(`${service.url}/v2/health/ready`)).status).toBe(200);
    expect((await post("/v2/models/readmission_1/infer", (await example("2")).body)).status).toBe(503);
    await rm(path.join(repo, "readmission_1"), { recursive: true });
    const next = await agentWrites(2, "1");
    expect((await post(`/v2/repository/models/${next}/load`)).status).toBe(200);
    const res = await post(`/v2/models/${next}/infer`, (await example("1")).body);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { model_version: string }).model_version).toBe("2");
  });
});
