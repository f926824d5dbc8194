/**
 * The gRPC server in-process on the fake engine, called with @grpc/grpc-js's own client built from the same
 * descriptor: status codes, the REST-equivalent metrics for ModelInfer, repository calls, shutdown. (The
 * descriptor itself is checked against Triton's client in test/interop.)
 */
import * as grpc from "@grpc/grpc-js";
import { fromJSON } from "@grpc/proto-loader";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OIP_GRPC_DESCRIPTOR } from "../../src/grpc/descriptor";
import { type RunningGrpcServer, startGrpcServer } from "../../src/grpc/server";
import { createHttpMetrics, createRegistry, type HttpMetrics } from "../../src/metrics";
import { FakeEngine } from "../http/fake-engine";

type Unary = (req: object, cb: (err: grpc.ServiceError | null, res: Record<string, unknown>) => void) => void;

const silent = { info() {}, warn() {}, error() {} };
const engine = new FakeEngine();
let metrics: HttpMetrics;
let server: RunningGrpcServer;
let client: Record<string, Unary> & grpc.Client;
let ready = true;

function call(method: string, req: object): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    (client[method] as Unary).call(client, req, (err, res) => (err ? reject(err) : resolve(res)));
  });
}

const inferRequest = (model = "toy") => ({
  model_name: model,
  inputs: [
    { name: "x", datatype: "FP32", shape: [1, 1], contents: { fp32_contents: [0.5] } },
    { name: "y", datatype: "FP32", shape: [1, 1], contents: { fp32_contents: [1] } },
    { name: "kind", datatype: "BYTES", shape: [1, 1], contents: { bytes_contents: [Buffer.from("a")] } },
  ],
});

beforeAll(async () => {
  metrics = createHttpMetrics(createRegistry({ defaultMetrics: false }));
  server = await startGrpcServer({
    engine,
    ready: () => ready,
    host: "127.0.0.1",
    port: 0,
    serverName: "test",
    serverVersion: "0",
    logger: silent,
    metrics,
  });
  const pkg = grpc.loadPackageDefinition(
    fromJSON(OIP_GRPC_DESCRIPTOR as unknown as Parameters<typeof fromJSON>[0], {
      keepCase: true,
      longs: Number,
      defaults: true,
      oneofs: true,
    }),
  ) as unknown as {
    inference: { GRPCInferenceService: new (a: string, c: grpc.ChannelCredentials) => typeof client };
  };
  client = new pkg.inference.GRPCInferenceService(server.address, grpc.credentials.createInsecure());
});
afterAll(async () => {
  client?.close();
  await server?.close(1000);
});

async function metricValue(code: string, model: string): Promise<number | undefined> {
  const text = await metrics.registry.metrics();
  const line = text
    .split("\n")
    .find(
      (l) =>
        l.startsWith("inference_requests_total{") &&
        l.includes(`model="${model}"`) &&
        l.includes(`code="${code}"`),
    );
  return line === undefined ? undefined : Number(line.split(" ").pop());
}

describe("gRPC server", () => {
  it("answers ServerReady from the readiness it is given (false while draining)", async () => {
    expect(await call("ServerReady", {})).toEqual({ ready: true });
    ready = false;
    expect(await call("ServerReady", {})).toEqual({ ready: false });
    ready = true;
  });

  it("counts ModelInfer in inference_requests_total with the REST status codes, unknown models as 'unknown'", async () => {
    const ok = await call("ModelInfer", inferRequest());
    expect(ok.model_name).toBe("toy");
    await expect(call("ModelInfer", inferRequest("nope"))).rejects.toMatchObject({
      code: grpc.status.NOT_FOUND,
    });
    const bad = inferRequest();
    bad.inputs[0] = { name: "x", datatype: "FP64", shape: [1, 1], contents: { fp32_contents: [0.5] } };
    await expect(call("ModelInfer", bad)).rejects.toMatchObject({
      code: grpc.status.INVALID_ARGUMENT,
      details: expect.stringMatching(/expects FP32, got FP64/),
    });
    expect(await metricValue("200", "toy")).toBe(1);
    expect(await metricValue("400", "toy")).toBe(1);
    expect(await metricValue("404", "unknown")).toBe(1);
    expect(await metricValue("404", "nope")).toBeUndefined();
  });

  it("fails with NOT_FOUND when unloading or asking for a model it does not know", async () => {
    await expect(call("RepositoryModelUnload", { model_name: "nope" })).rejects.toMatchObject({
      code: grpc.status.NOT_FOUND,
      details: "model 'nope' not found",
    });
    await expect(call("ModelReady", { name: "nope" })).rejects.toMatchObject({ code: grpc.status.NOT_FOUND });
  });

  it("unloads and loads through the repository calls, reflected in ModelReady and the index", async () => {
    await call("RepositoryModelUnload", { model_name: "toy" });
    expect(await call("ModelReady", { name: "toy" })).toEqual({ ready: false });
    await call("RepositoryModelLoad", { model_name: "toy" });
    expect(await call("ModelReady", { name: "toy" })).toEqual({ ready: true });
    const index = (await call("RepositoryIndex", { ready: true })).models as {
      name: string;
      state: string;
    }[];
    expect(index.map((m) => [m.name, m.state])).toEqual([["toy", "READY"]]);
  });
});
