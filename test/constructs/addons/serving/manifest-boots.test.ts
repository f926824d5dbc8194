/**
 * Contract test: the manifest boots the service. The container the add-on synthesizes for the default
 * deployment (registry model `readmission`, alias champion, on KServe) is started as the real service process
 * with exactly its env, on its declared port, with the cluster's MLflow URL replaced by a real MLflow on loopback
 * holding `readmission` version 1 under `champion`. Every probe path of the container must answer 200 on the port
 * the probes name, and an inference on the served model name must succeed. A variable or port renamed on either
 * side (the add-on's env, the service's config, the probes' paths) fails here.
 *
 * Not covered: Kafka (the feedback loop's variables come from the access wiring and need the platform Kafka;
 * service/test/feedback runs them against a real TLS/SCRAM broker) — the deployment here runs without it.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadExample, MODEL, profileFile } from "../../../../service/test/inference/helpers";
import { MlflowRegistry, startMlflow } from "../../../../service/test/inference/mlflow-server";
import { type RunningServer, requireServerBin } from "../../../../service/test/inference/servers";
import { freePort, type ServiceProcess, spawnService } from "../../../../service/test/ops/service-process";
import type { Json } from "../../../support/manifests";
import { byName, MLFLOW_URI, predictorContainer, servingWith, synthServing } from "./support";

const SUITE = "serving manifest boots the service";
const MLFLOW = requireServerBin("MLFLOW_BIN", "mlflow", SUITE, "mlflow (pip mlflow)");

/** The default deployment's server container, as synthesized. */
function defaultContainer(): Json {
  const { json } = synthServing(servingWith({}));
  return predictorContainer(byName(json, "InferenceService").readmission as Json);
}

describe.skipIf(!MLFLOW)(SUITE, () => {
  const container = defaultContainer();
  const env = Object.fromEntries((container.env as Json[]).map((e) => [e.name as string, e.value as string]));
  const port = container.ports[0] as Json;
  let dir: string;
  let mlflow: RunningServer;
  let service: ServiceProcess | undefined;
  let base: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "serving-boots-"));
    mlflow = await startMlflow(MLFLOW as string, dir);
    const registry = new MlflowRegistry(mlflow.url);
    await registry.call("POST", "registered-models/create", { name: MODEL });
    const version = await registry.registerVersion(MODEL, "1", {
      "profile.json": await readFile(profileFile("1")),
    });
    await registry.call("POST", "registered-models/alias", { name: MODEL, alias: "champion", version });
    // The container's settings, with the cluster's addresses on loopback: MLflow's URL, and the listen address
    // and port (the declared containerPort may be taken on a shared machine; the probes name the port by name).
    expect(env.MLFLOW_TRACKING_URI).toBe(MLFLOW_URI);
    expect(env.PORT).toBe(String(port.containerPort));
    const listen = await freePort();
    service = await spawnService({
      ...env,
      HOST: "127.0.0.1",
      PORT: String(listen),
      MLFLOW_TRACKING_URI: mlflow.url,
      // Where the pod mounts its emptyDir: the model cache goes to the test's temp dir instead.
      TMPDIR: dir,
    });
    base = service.url;
  }, 240_000);

  afterAll(async () => {
    service?.child.kill("SIGTERM");
    await service?.exited;
    await mlflow?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("declares its probes on the port it listens on, named as the probes name it", () => {
    for (const probe of ["readinessProbe", "livenessProbe", "startupProbe"]) {
      expect(container[probe].httpGet.port, probe).toBe(port.name);
    }
    expect(env.MODEL_SOURCES).toBe("readmission=models:/readmission@champion");
  });

  it("answers every probe path with 200 once the model is loaded from the registry", async () => {
    const paths = new Set(
      ["startupProbe", "readinessProbe", "livenessProbe"].map((p) => container[p].httpGet.path as string),
    );
    expect([...paths].sort()).toEqual(["/v2/health/live", "/v2/health/ready"]);
    const deadline = Date.now() + 120_000;
    for (const p of paths) {
      let status = 0;
      while (Date.now() < deadline) {
        status = (await fetch(`${base}${p}`)).status;
        if (status === 200) break;
        await new Promise((r) => setTimeout(r, 250));
      }
      expect(status, p).toBe(200);
    }
  });

  it("serves an inference under the model's name with the champion's version", async () => {
    const example = loadExample("1");
    const inputs = Object.entries(example.inputs).map(([name, data]) => ({
      name,
      shape: [(data as unknown[]).length, 1],
      datatype: typeof (data as unknown[])[0] === "string" ? "BYTES" : "FP32",
      data,
    }));
    const res = await fetch(`${base}/v2/models/readmission/infer`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ inputs }),
    });
    const body = (await res.json()) as Json;
    expect(res.status, JSON.stringify(body)).toBe(200);
    expect(body.model_name).toBe("readmission");
    expect(body.model_version).toBe("1");
    const label = (body.outputs as Json[]).find((o) => o.name === "label");
    expect(label?.data).toEqual(example.label);
  });
});
