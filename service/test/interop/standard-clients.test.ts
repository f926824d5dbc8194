/**
 * The real service, started as one process on the bundled model repository, driven by the standard Open
 * Inference Protocol Python clients from PyPI — Triton's `tritonclient[http]` and KServe's
 * `InferenceRESTClient` — with JSON and binary tensors, with and without request/response compression. The
 * Python driver (standard_clients.py) compares every answer with ONNX Runtime run directly on the model file of
 * the version the service served, and reports one line per case; each becomes a test here.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { failWhenMissingInCi } from "../../../test/support/ci";
import { type ServiceProcess, spawnService } from "../ops/service-process";

const PYTHON = process.env.INTEROP_PYTHON ?? "/opt/mlops-kit/interop-clients-venv/bin/python";
const DRIVER = fileURLToPath(new URL("./standard_clients.py", import.meta.url));
const REPOSITORY = fileURLToPath(new URL("../../models", import.meta.url));
const MODEL = "readmission";
const missing = !existsSync(PYTHON);
if (missing) {
  console.warn(
    `\n${"!".repeat(78)}\n! SKIPPING standard-client tests: ${PYTHON} not found\n! install: bash .ci/steps/interop-clients.sh (or set INTEROP_PYTHON)\n${"!".repeat(78)}\n`,
  );
}
failWhenMissingInCi(
  "standard Open Inference Protocol clients",
  missing && `${PYTHON} not found (bash .ci/steps/interop-clients.sh)`,
);

interface CaseResult {
  readonly case: string;
  readonly ok: boolean;
  readonly detail: string;
}

/** Every case the driver runs; a case it stops reporting fails here instead of vanishing. */
const CASES = [
  "triton: health, metadata",
  "triton: JSON tensors",
  "triton: binary tensors",
  "triton: JSON, gzip request and response",
  "triton: binary, deflate request and response",
  "triton: binary, gzip request only",
  "triton: JSON, deflate response only",
  "triton: repository index and load",
  "triton: client error is a message, service keeps serving",
  "kserve: JSON tensors, gzip response (httpx default)",
  "kserve: binary tensors, gzip response",
  "kserve: JSON tensors, no compression",
  "kserve: binary tensors, deflate response",
  "kserve: client error is 400 with a message, service keeps serving",
];

function runDriver(url: string): Promise<{ results: CaseResult[]; stderr: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, [DRIVER, "--url", url, "--repository", REPOSITORY, "--model", MODEL], {
      stdio: ["ignore", "pipe", "pipe"],
      // One thread each: the machine is shared, and ORT/numpy would otherwise start a pool per core.
      env: { ...process.env, OMP_NUM_THREADS: "1", OPENBLAS_NUM_THREADS: "1" },
    });
    let out = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => {
      out += c.toString("utf8");
    });
    child.stderr.on("data", (c: Buffer) => {
      stderr += c.toString("utf8");
    });
    child.on("error", reject);
    child.on("exit", (code) => {
      const results = out
        .split("\n")
        .filter((l) => l.startsWith("{"))
        .map((l) => JSON.parse(l) as CaseResult);
      resolve({ results, stderr, code });
    });
  });
}

describe.skipIf(missing)("standard Open Inference Protocol clients against the real service", () => {
  let service: ServiceProcess;
  let run: Awaited<ReturnType<typeof runDriver>>;

  beforeAll(async () => {
    service = await spawnService({
      MODEL_REPOSITORY: REPOSITORY,
      MODELS: MODEL,
      INFERENCE_WORKERS: "1",
    });
    const deadline = Date.now() + 60_000;
    while ((await fetch(`${service.url}/v2/health/ready`).catch(() => undefined))?.status !== 200) {
      if (Date.now() > deadline) throw new Error(`service not ready: ${service.stderr.join("")}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    run = await runDriver(service.url);
  }, 180_000);

  afterAll(async () => {
    service?.child.kill("SIGTERM");
    await service?.exited;
  });

  it("the driver ran to the end and reported every case", () => {
    expect(run.code, run.stderr).toBe(0);
    expect(run.results.map((r) => r.case)).toEqual(CASES);
  });

  for (const name of CASES) {
    it(name, () => {
      const r = run.results.find((x) => x.case === name);
      expect(r, `no result for '${name}'; driver stderr: ${run.stderr}`).toBeDefined();
      expect(r?.ok, r?.detail).toBe(true);
    });
  }

  it("the service kept serving through the client errors and shut down cleanly", async () => {
    expect((await fetch(`${service.url}/v2/health/ready`)).status).toBe(200);
    service.child.kill("SIGTERM");
    expect(await service.exited).toBe(0);
  });
});
