/**
 * The real service as a Seldon Core 2 server (README "Running under Seldon Core v2"): MODEL_CONTROL=explicit on
 * an empty MODEL_REPOSITORY and GRPC_PORT, driven by seldon_agent.py the way the v2.10 agent drives a server —
 * the gRPC control plane through Triton's own gRPC client (so the protocol messages are checked by a real
 * implementation), the agent's directory layout written between calls, REST inference on the versioned name
 * compared with ONNX Runtime.
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, type ServiceProcess, spawnService } from "../ops/service-process";
import { clientsMissing, type DriverRun, itReportsEveryCase, runDriver } from "./driver";

const MODELS = fileURLToPath(new URL("../../models", import.meta.url));
const missing = clientsMissing("Seldon agent contract (gRPC control plane)");

const CASES = [
  "agent: ServerLive, ServerReady, empty RepositoryIndex",
  "agent: RepositoryModelLoad before the files exist is NOT_FOUND",
  "agent: RepositoryModelLoad of <model>_<n> after the agent wrote it",
  "agent proxy: REST inference on the versioned name matches ONNX Runtime",
  "agent: a repeated RepositoryModelLoad keeps serving",
  "agent: RepositoryModelUnload, server stays ready, files removed",
  "agent: next generation loads and serves",
  "agent: ModelMetadata errors as gRPC status codes",
];

describe.skipIf(missing)("Seldon Core 2 agent contract against the real service", () => {
  let service: ServiceProcess;
  let repository: string;
  let grpcPort: number;
  let run: DriverRun;

  beforeAll(async () => {
    repository = await mkdtemp(path.join(os.tmpdir(), "seldon-agent-"));
    grpcPort = await freePort();
    service = await spawnService({
      MODEL_CONTROL: "explicit",
      MODEL_REPOSITORY: repository,
      GRPC_PORT: String(grpcPort),
      INFERENCE_WORKERS: "1",
      MODEL_POLL_INTERVAL_MS: "0",
    });
    run = await runDriver("./seldon_agent.py", [
      "--grpc",
      `127.0.0.1:${grpcPort}`,
      "--http",
      service.url,
      "--repository",
      repository,
      "--models",
      MODELS,
    ]);
  }, 180_000);

  afterAll(async () => {
    service?.child.kill("SIGTERM");
    await service?.exited;
    await rm(repository, { recursive: true, force: true });
  });

  itReportsEveryCase(() => run, CASES);

  it("logs the gRPC address and shuts both listeners down on SIGTERM with exit 0", async () => {
    expect(service.lines.some((l) => l.includes(`gRPC server listening at 127.0.0.1:${grpcPort}`))).toBe(
      true,
    );
    service.child.kill("SIGTERM");
    expect(await service.exited).toBe(0);
  });
});
