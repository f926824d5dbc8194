import { readFile } from "node:fs/promises";
import { CreateBucketCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { Registry } from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { InferenceEngine } from "../../src/contracts";
import { createEngine } from "../../src/inference";
import {
  brokenProfile,
  loadExample,
  MODEL,
  metricValue,
  modelFile,
  output,
  profileFile,
  toTensors,
  waitFor,
} from "./helpers";
import { freePort, type RunningServer, requireServerBin, startServer } from "./servers";

const MOTO = requireServerBin(
  "MOTO_BIN",
  "moto_server",
  "s3:// model source tests",
  "moto_server (pip moto[server])",
);

async function expectExample(engine: InferenceEngine, version: string) {
  const example = loadExample(version);
  const r = await engine.infer({ model: MODEL, inputs: toTensors(example.inputs) });
  expect(r.version).toBe(version);
  expect(Array.from(output(r.outputs, "label").data as BigInt64Array).map(Number)).toEqual(example.label);
  const want = example.probabilities.flat();
  for (const [j, p] of (output(r.outputs, "probabilities").data as Float32Array).entries()) {
    expect(p).toBeCloseTo(want[j] as number, 5);
  }
}

describe.skipIf(!MOTO)("engine with an s3:// model source (moto S3 server on loopback)", () => {
  let server: RunningServer;
  let s3: S3Client;
  const engines: InferenceEngine[] = [];

  beforeAll(async () => {
    const port = await freePort();
    server = await startServer(MOTO as string, ["-H", "127.0.0.1", "-p", String(port)], port, "/");
    // Dummy credentials for the loopback server only; config files pointed away so no real profile is read.
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_S3: server.url,
      AWS_ACCESS_KEY_ID: "test-dummy-key",
      AWS_SECRET_ACCESS_KEY: "test-dummy-secret",
      AWS_REGION: "us-east-1",
      AWS_CONFIG_FILE: "/nonexistent/aws-config",
      AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/aws-credentials",
      AWS_EC2_METADATA_DISABLED: "true",
    });
    s3 = new S3Client({
      endpoint: server.url,
      forcePathStyle: true,
      region: "us-east-1",
      credentials: { accessKeyId: "test-dummy-key", secretAccessKey: "test-dummy-secret" },
    });
    await s3.send(new CreateBucketCommand({ Bucket: "models" }));
  });

  afterAll(async () => {
    await Promise.all(engines.map((e) => e.close()));
    s3?.destroy();
    await server?.stop();
  });

  const put = async (key: string, version: string) =>
    s3.send(new PutObjectCommand({ Bucket: "models", Key: key, Body: await readFile(modelFile(version)) }));

  it("serves the highest version under the prefix and hot-swaps when a new one is uploaded", async () => {
    await put(`registry/${MODEL}/1/model.onnx`, "1");
    await put(`registry/${MODEL}/1/README.txt`, "1");
    const registry = new Registry();
    const engine = await createEngine({
      models: [{ name: MODEL, source: "s3://models/registry" }],
      workers: 1,
      pollIntervalMs: 100,
      registry,
    });
    engines.push(engine);
    expect(engine.repositoryIndex()).toEqual([{ name: MODEL, version: "1", state: "READY" }]);
    await expectExample(engine, "1");

    await put(`registry/${MODEL}/2/model.onnx`, "2");
    await waitFor("the engine to serve version 2", () => engine.repositoryIndex()[0]?.version === "2");
    await expectExample(engine, "2");
    expect(await metricValue(registry, "inference_model_swaps_total", { model: MODEL })).toBe(1);
    expect(await registry.metrics()).toMatch(
      /inference_model_version_info\{model="readmission",version="2",source="s3:\/\/models\/registry\/readmission\/"\} 1/,
    );
  });

  it("fails when the prefix holds no model: UNAVAILABLE with a reason naming the location", async () => {
    const engine = await createEngine({
      models: [{ name: MODEL, source: "s3://models/empty-prefix" }],
      workers: 1,
      pollIntervalMs: 0,
    });
    engines.push(engine);
    expect(engine.ready()).toBe(false);
    expect(engine.repositoryIndex()[0]).toMatchObject({
      state: "UNAVAILABLE",
      reason: "no <version>/model.onnx under s3://models/empty-prefix/readmission/",
    });
  });

  it("fails when the bucket does not exist, with the S3 error in the reason", async () => {
    const engine = await createEngine({
      models: [{ name: MODEL, source: "s3://no-such-bucket/m" }],
      workers: 1,
      pollIntervalMs: 0,
    });
    engines.push(engine);
    expect(engine.repositoryIndex()[0]?.reason).toMatch(
      /cannot list s3:\/\/no-such-bucket\/m\/readmission\/: .+/,
    );
  });

  it("carries the profile.json stored next to each version's model.onnx, and swaps it with the version", async () => {
    await put(`profiles/${MODEL}/1/model.onnx`, "1");
    await s3.send(
      new PutObjectCommand({
        Bucket: "models",
        Key: `profiles/${MODEL}/1/profile.json`,
        Body: await readFile(profileFile("1")),
      }),
    );
    const engine = await createEngine({
      models: [{ name: MODEL, source: "s3://models/profiles" }],
      workers: 1,
      pollIntervalMs: 100,
    });
    engines.push(engine);
    expect(engine.loadedVersion(MODEL)).toMatchObject({
      version: "1",
      source: `s3://models/profiles/${MODEL}/`,
      profile: {
        state: "found",
        location: `s3://models/profiles/${MODEL}/1/profile.json`,
        profile: { model: MODEL, version: "1" },
      },
    });

    // Version 2 without a profile: served, and its (missing) profile replaces version 1's.
    await put(`profiles/${MODEL}/2/model.onnx`, "2");
    await waitFor("the engine to serve version 2", () => engine.repositoryIndex()[0]?.version === "2");
    await expectExample(engine, "2");
    expect(engine.loadedVersion(MODEL)?.profile).toEqual({
      state: "missing",
      location: `s3://models/profiles/${MODEL}/2/profile.json`,
      reason: "no profile.json next to the model",
    });
  });

  it("fails when a version's profile.json is malformed: served anyway, the profile invalid naming the field", async () => {
    await put(`malformed/${MODEL}/4/model.onnx`, "2");
    await s3.send(
      new PutObjectCommand({
        Bucket: "models",
        Key: `malformed/${MODEL}/4/profile.json`,
        Body: brokenProfile("2"),
      }),
    );
    const engine = await createEngine({
      models: [{ name: MODEL, source: "s3://models/malformed" }],
      workers: 1,
      pollIntervalMs: 0,
    });
    engines.push(engine);
    expect(engine.ready()).toBe(true);
    expect(engine.loadedVersion(MODEL)?.profile).toMatchObject({
      state: "invalid",
      location: `s3://models/malformed/${MODEL}/4/profile.json`,
      reason: expect.stringMatching(
        /^features\.age\.binFrequencies: expected to sum to 1, sums to (2|1\.99)/,
      ),
    });
  });
});
