/**
 * The real service, started as one process on the bundled model repository, driven by the standard Open
 * Inference Protocol Python clients from PyPI — Triton's `tritonclient` over REST and gRPC and KServe's
 * `InferenceRESTClient` — with JSON and binary tensors, with and without request/response compression. The
 * Python driver (standard_clients.py) compares every answer with ONNX Runtime run directly on the model file of
 * the version the service served, and reports one line per case; each becomes a test here.
 */
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, type ServiceProcess, spawnService } from "../ops/service-process";
import { clientsMissing, type DriverRun, itReportsEveryCase, runDriver } from "./driver";

const REPOSITORY = fileURLToPath(new URL("../../models", import.meta.url));
const MODEL = "readmission";
const missing = clientsMissing("standard Open Inference Protocol clients");

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
  "triton grpc: health, metadata",
  "triton grpc: infer (raw tensors)",
  "triton grpc: infer, gzip message compression",
  "triton grpc: client error is INVALID_ARGUMENT, service keeps serving",
  "kserve: JSON tensors, gzip response (httpx default)",
  "kserve: binary tensors, gzip response",
  "kserve: JSON tensors, no compression",
  "kserve: binary tensors, deflate response",
  "kserve: client error is 400 with a message, service keeps serving",
];

describe.skipIf(missing)("standard Open Inference Protocol clients against the real service", () => {
  let service: ServiceProcess;
  let run: DriverRun;

  beforeAll(async () => {
    const grpcPort = await freePort();
    service = await spawnService({
      GRPC_PORT: String(grpcPort),
      MODEL_REPOSITORY: REPOSITORY,
      MODELS: MODEL,
      INFERENCE_WORKERS: "1",
    });
    const deadline = Date.now() + 60_000;
    while ((await fetch(`${service.url}/v2/health/ready`).catch(() => undefined))?.status !== 200) {
      if (Date.now() > deadline) throw new Error(`service not ready: ${service.stderr.join("")}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const common = ["--url", service.url, "--repository", REPOSITORY, "--model", MODEL];
    // Two processes: Triton's gRPC client and KServe's SDK both register the protocol's messages (package
    // `inference`) in Python's one protobuf descriptor pool, which refuses the second.
    const triton = await runDriver("./standard_clients.py", [
      ...common,
      "--only",
      "triton",
      "--grpc",
      `127.0.0.1:${grpcPort}`,
    ]);
    const kserve = await runDriver("./standard_clients.py", [...common, "--only", "kserve"]);
    run = {
      results: [...triton.results, ...kserve.results],
      stderr: triton.stderr + kserve.stderr,
      code: triton.code === 0 ? kserve.code : triton.code,
    };
  }, 180_000);

  afterAll(async () => {
    service?.child.kill("SIGTERM");
    await service?.exited;
  });

  itReportsEveryCase(() => run, CASES);

  it("the service kept serving through the client errors and shut down cleanly", async () => {
    expect((await fetch(`${service.url}/v2/health/ready`)).status).toBe(200);
    service.child.kill("SIGTERM");
    expect(await service.exited).toBe(0);
  });
});
