/**
 * The Open Inference Protocol over gRPC: health, metadata, `ModelInfer` and the model repository extension
 * (`RepositoryIndex`, `RepositoryModelLoad`, `RepositoryModelUnload`). Seldon Core 2's agent drives a model
 * server only through these calls, on the server's gRPC port, and Seldon's pipelines infer over gRPC.
 */

import { randomUUID } from "node:crypto";
import * as grpc from "@grpc/grpc-js";
import { fromJSON } from "@grpc/proto-loader";
import type { InferenceEngine, PredictionSink } from "../contracts";
import { LabelCache } from "../http/label-cache";
import { EXTENSIONS } from "../http/model-routes";
import { EventDispatcher } from "../http/prediction-event";
import type { HttpMetrics } from "../metrics";
import { OIP_GRPC_DESCRIPTOR } from "./descriptor";
import { modelInfer } from "./infer";

export interface GrpcServerOptions {
  readonly engine: InferenceEngine;
  /** Server readiness as the REST endpoint reports it (false while draining). */
  readonly ready: () => boolean;
  readonly host: string;
  readonly port: number;
  readonly serverName: string;
  readonly serverVersion: string;
  readonly logger: {
    info(obj: object, msg?: string): void;
    warn(obj: object, msg?: string): void;
    error(obj: object, msg?: string): void;
  };
  /** Where ModelInfer's predictions go, as the REST route's (drift monitors, Kafka). */
  readonly sinks?: readonly PredictionSink[];
  readonly scoreOutput?: string;
  readonly labelOutput?: string;
  /**
   * ModelInfer counts in the REST inference metrics (inference_requests_total with the HTTP-equivalent status
   * code, duration, rows), so dashboards and alerts see gRPC traffic too.
   */
  readonly metrics?: HttpMetrics;
  /** Largest request message, as BODY_LIMIT_BYTES for REST. */
  readonly maxMessageBytes?: number;
}

export interface RunningGrpcServer {
  /** host:port the server listens on (the port resolved when 0 was asked for). */
  readonly address: string;
  /** Stops accepting calls, lets running ones finish for up to `graceMs`, then cancels the rest. */
  close(graceMs: number): Promise<void>;
}

type Callback = (err: Partial<grpc.StatusObject> | null, value?: unknown) => void;
type Call = { request: Record<string, unknown> };

const serviceDefinition = (() => {
  // The descriptor is plain data in protobufjs' JSON form; its literal type is narrower than INamespace's unions.
  const definition = fromJSON(OIP_GRPC_DESCRIPTOR as unknown as Parameters<typeof fromJSON>[0], {
    keepCase: true,
    longs: Number,
    defaults: true,
    oneofs: true,
  });
  const loaded = grpc.loadPackageDefinition(definition) as unknown as {
    inference: { GRPCInferenceService: { service: grpc.ServiceDefinition } };
  };
  return loaded.inference.GRPCInferenceService.service;
})();

/** The HTTP status the REST endpoint would have answered for the same failure (for the metrics' code label). */
function httpStatus(err: unknown): number {
  const e = err as { name?: string; statusCode?: number };
  if (e.name === "HttpError" && typeof e.statusCode === "number") return e.statusCode;
  if (e.name === "ModelNotFoundError") return 404;
  if (e.name === "ModelNotReadyError" || e.name === "QueueFullError") return 503;
  if (e.name === "InvalidInputError") return 400;
  return 500;
}

/** Engine and HTTP-layer errors → gRPC status codes, keeping the message. */
function toStatus(err: unknown): Partial<grpc.StatusObject> {
  const e = err as { name?: string; message?: string; statusCode?: number };
  const details = e.message ?? String(err);
  if (e.name === "HttpError") {
    const code =
      e.statusCode === 404
        ? grpc.status.NOT_FOUND
        : e.statusCode === 413
          ? grpc.status.RESOURCE_EXHAUSTED
          : e.statusCode === 503
            ? grpc.status.UNAVAILABLE
            : grpc.status.INVALID_ARGUMENT;
    return { code, details };
  }
  switch (e.name) {
    case "ModelNotFoundError":
      return { code: grpc.status.NOT_FOUND, details };
    case "ModelNotReadyError":
    case "QueueFullError":
      return { code: grpc.status.UNAVAILABLE, details };
    case "InvalidInputError":
      return { code: grpc.status.INVALID_ARGUMENT, details };
    default:
      return { code: grpc.status.INTERNAL, details };
  }
}

export async function startGrpcServer(o: GrpcServerOptions): Promise<RunningGrpcServer> {
  const { engine } = o;
  const known = (name: string, version?: string) =>
    engine.metadata(name, version) !== undefined ||
    engine.repositoryIndex().some((e) => e.name === name && (!version || e.version === version));
  const unary =
    (fn: (request: Record<string, unknown>) => unknown | Promise<unknown>) =>
    (call: Call, callback: Callback) => {
      Promise.resolve()
        .then(() => fn(call.request))
        .then(
          (value) => callback(null, value),
          (err) => callback(toStatus(err)),
        );
    };
  const str = (v: unknown) => (typeof v === "string" ? v : "");

  const series = new LabelCache<{
    requests: (code: number) => void;
    rows: (n: number) => void;
    seconds: (s: number) => void;
  }>();
  const count = (model: string, version: string, code: number, rows: number, seconds: number | undefined) => {
    const m = o.metrics;
    if (m === undefined) return;
    const labels = { model, version };
    const s = series.get(`${model}\0${version}`, () => ({
      requests: (c) => m.inferenceRequests.bind({ ...labels, code: String(c) }).inc(),
      rows: (n) => m.inferenceRows.bind(labels).inc(n),
      seconds: (t) => m.inferenceDuration.bind(labels).observe(t),
    }));
    s.requests(code);
    if (seconds !== undefined) {
      s.rows(rows);
      s.seconds(seconds);
    }
  };
  const events = new EventDispatcher(
    o.sinks ?? [],
    { scoreOutput: o.scoreOutput ?? "probabilities", labelOutput: o.labelOutput ?? "label" },
    (err) => o.logger.error({ err }, "prediction sink failed"),
  );
  const handlers: grpc.UntypedServiceImplementation = {
    ModelInfer: unary(async (request) => {
      const started = performance.now();
      try {
        const answer = await modelInfer(engine, events, randomUUID, request);
        count(answer.model, answer.version, 200, answer.rows, (performance.now() - started) / 1000);
        return answer.message;
      } catch (err) {
        const name = String(request.model_name ?? "");
        // Unknown names count as "unknown": clients must not grow the series count.
        count(known(name) ? name : "unknown", "", httpStatus(err), 0, undefined);
        throw err;
      }
    }),
    ServerLive: unary(() => ({ live: true })),
    ServerReady: unary(() => ({ ready: o.ready() })),
    ServerMetadata: unary(() => ({
      name: o.serverName,
      version: o.serverVersion,
      extensions: [...EXTENSIONS],
    })),
    ModelReady: unary(({ name, version }) => {
      const [n, v] = [str(name), str(version) || undefined];
      if (!known(n, v)) throw notFoundError(n);
      return { ready: o.ready() && engine.isReady(n, v) };
    }),
    ModelMetadata: unary(({ name, version }) => {
      const [n, v] = [str(name), str(version) || undefined];
      const meta = engine.metadata(n, v);
      if (meta !== undefined) return meta;
      if (!known(n, v)) throw notFoundError(n);
      throw Object.assign(new Error(`model '${n}' is not loaded`), { name: "ModelNotReadyError" });
    }),
    RepositoryIndex: unary(({ ready }) => ({
      models: engine
        .repositoryIndex()
        .filter((e) => ready !== true || e.state === "READY")
        .map((e) => ({ name: e.name, version: e.version ?? "", state: e.state, reason: e.reason ?? "" })),
    })),
    RepositoryModelLoad: unary(async ({ model_name }) => {
      await engine.load(str(model_name));
      o.logger.info({ model: model_name }, "model loaded through gRPC RepositoryModelLoad");
      return {};
    }),
    RepositoryModelUnload: unary(async ({ model_name }) => {
      const name = str(model_name);
      if (!engine.repositoryIndex().some((e) => e.name === name)) throw notFoundError(name);
      await engine.unload(name);
      o.logger.info({ model: name }, "model unloaded through gRPC RepositoryModelUnload");
      return {};
    }),
  };

  const limit = o.maxMessageBytes ?? 4 * 1024 * 1024;
  const server = new grpc.Server({
    "grpc.max_receive_message_length": limit,
    "grpc.max_send_message_length": -1,
    // Seldon's agent keeps its connection alive with a ping every 60 s; accept pings down to 10 s apart (and
    // between calls) instead of answering them with a GOAWAY "too_many_pings" that would drop the agent.
    "grpc.keepalive_permit_without_calls": 1,
    "grpc.http2.min_ping_interval_without_data_ms": 10_000,
  });
  server.addService(serviceDefinition, handlers);
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${o.host}:${o.port}`, grpc.ServerCredentials.createInsecure(), (err, bound) =>
      err ? reject(err) : resolve(bound),
    );
  });
  const address = `${o.host}:${port}`;
  o.logger.info({ address }, `gRPC server listening at ${address}`);
  return {
    address,
    close: (graceMs) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          o.logger.warn({ graceMs }, "gRPC calls still running after the grace period; cancelled");
          server.forceShutdown();
          resolve();
        }, graceMs);
        server.tryShutdown(() => {
          clearTimeout(timer);
          // Predictions answered just before the close still reach the sinks before they stop.
          events.drain();
          resolve();
        });
      }),
  };
}

function notFoundError(name: string): Error {
  return Object.assign(new Error(`model '${name}' not found`), { name: "ModelNotFoundError" });
}
