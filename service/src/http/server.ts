/**
 * Fastify app serving the Open Inference Protocol (KServe v2) REST API with the model-repository and binary
 * tensor data extensions, /metrics, a drift endpoint and the OpenAPI document. Client errors are always 4xx
 * `{"error": "..."}`; the server keeps serving.
 */
import { randomUUID } from "node:crypto";
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  LogController,
} from "fastify";
import type { Logger } from "pino";
import type { InferenceEngine, PredictionSink } from "../contracts";
import type { CounterSeries, HistogramSeries } from "../hot-metrics";
import type { HttpMetrics } from "../metrics";
import { openApiDocument } from "../openapi";
import { compressReply, decodedBody } from "./encoding";
import { HttpError, JSON_TYPE, mapError } from "./errors";
import { registerInferRoutes } from "./infer-route";
import { LabelCache } from "./label-cache";
import { registerModelRoutes } from "./model-routes";

/** Drift state for the JSON endpoint; `model` omitted: every served model (monitored or, with a reason, not). */
export interface DriftStatusSource {
  status(model?: string): unknown;
}

export interface ServerOptions {
  readonly engine: InferenceEngine;
  readonly metrics: HttpMetrics;
  readonly logger: Logger;
  readonly sinks?: readonly PredictionSink[];
  readonly drift?: DriftStatusSource;
  readonly bodyLimit?: number;
  readonly keepAliveTimeoutMs?: number;
  /** Log request feature values (off by default: they may be personal data). */
  readonly logFeatures?: boolean;
  readonly scoreOutput?: string;
  readonly labelOutput?: string;
  readonly serverVersion?: string;
}

/** Shared by routes: flips to draining on SIGTERM so readiness fails before the listener closes. */
export interface Lifecycle {
  draining: boolean;
}

declare module "fastify" {
  interface FastifyRequest {
    /** The binary tensor data section after the JSON header (binary data extension). */
    binaryData: Buffer | undefined;
  }
}

interface HttpSeries {
  readonly requests: CounterSeries;
  readonly duration: HistogramSeries;
}

const UNKNOWN_MODEL = { model: "unknown", version: "" } as const;

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function buildServer(options: ServerOptions): { app: FastifyInstance; lifecycle: Lifecycle } {
  const lifecycle: Lifecycle = { draining: false };
  const bodyLimit = options.bodyLimit ?? 4 * 1024 * 1024;
  const app = Fastify({
    // Typed as Fastify's base logger so route modules take the plain FastifyInstance.
    loggerInstance: options.logger as FastifyBaseLogger,
    // One "request completed" line per request from the onResponse hook instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: "http.request.id" }),
    requestIdHeader: false,
    genReqId: (req) => {
      const given = req.headers["x-request-id"];
      return typeof given === "string" && REQUEST_ID.test(given) ? given : randomUUID();
    },
    bodyLimit,
    keepAliveTimeout: options.keepAliveTimeoutMs ?? 72_000,
    // Requests arriving on kept-alive sockets during shutdown get a clean 503 + Connection: close.
    return503OnClosing: true,
    forceCloseConnections: "idle",
  });

  app.decorateRequest("binaryData", undefined);
  registerBodyParsers(app, bodyLimit);

  // Two callback-style hooks for every request (fewer hook types means less per-request work in Fastify).
  // onSend: the request id header (unless a route set the client's own id) and, while draining, Connection:
  // close, so no kept-alive connection outlives shutdown and app.close() is not held up until the keep-alive
  // timeout; and compression for clients that send Accept-Encoding. It runs for every answer, errors and 404s
  // included.
  app.addHook("onSend", (request, reply, payload, done) => {
    if (!reply.hasHeader("x-request-id")) reply.header("x-request-id", request.id);
    if (lifecycle.draining) reply.header("connection", "close");
    if (request.headers["accept-encoding"] === undefined) done(null, payload);
    else compressReply(request, reply, payload, done);
  });
  const series = new LabelCache<HttpSeries>();
  const inferSeries = new LabelCache<CounterSeries>();
  app.addHook("onResponse", (request, reply, done) => {
    const route = request.routeOptions.url ?? "unmatched";
    const status = reply.statusCode;
    const method = request.method;
    const s = series.get(`${method} ${route} ${status}`, () => {
      const labels = { method, route, status_code: String(status) };
      return {
        requests: options.metrics.httpRequests.bind(labels),
        duration: options.metrics.httpDuration.bind(labels),
      };
    });
    const seconds = reply.elapsedTime / 1000;
    s.requests.inc();
    s.duration.observe(seconds);
    // Inference routes label their requests by model and version once the model is known; answers given before
    // that (unknown model, unreadable body) count as model "unknown".
    const infer =
      request.inferLabels ?? (request.routeOptions.config.inferRoute === true ? UNKNOWN_MODEL : undefined);
    if (infer !== undefined) {
      const { model, version } = infer;
      inferSeries
        .get(`${model}\0${version}\0${status}`, () =>
          options.metrics.inferenceRequests.bind({ model, version, code: String(status) }),
        )
        .inc();
    }
    const level = status >= 500 ? "error" : status >= 400 ? "warn" : "debug";
    if ((request.log as Logger).isLevelEnabled(level)) {
      request.log[level](
        {
          http: { request: { method: request.method }, response: { status_code: status } },
          url: { path: request.url.split("?")[0] },
          event: { duration: Math.round(seconds * 1e9) },
        },
        "request completed",
      );
    }
    done();
  });

  app.setErrorHandler((err, request, reply) => {
    const mapped = mapError(err, { bodyLimit });
    if (mapped.statusCode >= 500 && !(err instanceof HttpError) && (err as Error).name !== "QueueFullError") {
      request.log.error({ err }, "request failed");
    }
    void reply
      .code(mapped.statusCode)
      .headers(mapped.headers)
      .type(JSON_TYPE)
      .send(errorBody(mapped.message));
  });
  app.setNotFoundHandler((request, reply) => {
    void reply
      .code(404)
      .type(JSON_TYPE)
      .send(errorBody(`no route for ${request.method} ${request.url.split("?")[0]}`));
  });

  app.get("/openapi.json", async () => openApiDocument);
  app.get("/metrics", async (_request, reply) => {
    const text = await options.metrics.registry.metrics();
    return reply.type(options.metrics.registry.contentType).send(text);
  });
  app.get("/drift", async (_request, reply) => driftReply(options.drift, undefined, reply));
  app.get<{ Params: { name: string } }>("/v2/models/:name/drift", async (request, reply) => {
    const { name } = request.params;
    if (
      options.engine.metadata(name) === undefined &&
      !options.engine.repositoryIndex().some((e) => e.name === name)
    ) {
      throw new HttpError(404, `model '${name}' not found`);
    }
    return driftReply(options.drift, name, reply);
  });

  registerModelRoutes(app, options, lifecycle);
  registerInferRoutes(app, options);
  return { app, lifecycle };
}

/** A Buffer, because Fastify appends `; charset=utf-8` to a JSON type it serializes (see JSON_TYPE). */
function errorBody(message: string): Buffer {
  return Buffer.from(JSON.stringify({ error: message }), "utf8");
}

function driftReply(drift: DriftStatusSource | undefined, model: string | undefined, reply: FastifyReply) {
  if (drift === undefined) throw new HttpError(404, "drift monitoring is disabled (DRIFT_ENABLED=false)");
  const status = drift.status(model);
  if (status === undefined) throw new HttpError(404, `no drift status for model '${model}'`);
  return reply.send(status);
}

/**
 * JSON bodies, and binary-extension bodies (JSON header + tensor bytes) announced by
 * `Inference-Header-Content-Length`, sent as application/json, application/octet-stream or, as Triton's client
 * does, without any Content-Type (Triton and KServe servers read such bodies as JSON, or as binary-extension
 * bodies when the header is there). Any other Content-Type: 415.
 */
function registerBodyParsers(app: FastifyInstance, bodyLimit: number): void {
  app.removeAllContentTypeParsers();
  const parse = (
    request: FastifyRequest,
    body: Buffer,
    done: (err: Error | null, body?: unknown) => void,
  ) => {
    try {
      const header = request.headers["inference-header-content-length"];
      let json: Buffer = body;
      if (header !== undefined) {
        const n = Number(header);
        if (typeof header !== "string" || !/^\d+$/.test(header) || n > body.length) {
          throw new HttpError(
            400,
            `Inference-Header-Content-Length: expected an integer between 0 and the body length ${body.length}, got ${JSON.stringify(header)}`,
          );
        }
        json = body.subarray(0, n);
        request.binaryData = body.subarray(n);
      } else if (request.headers["content-type"]?.startsWith("application/octet-stream")) {
        throw new HttpError(
          400,
          "application/octet-stream bodies need an Inference-Header-Content-Length header",
        );
      }
      if (json.length === 0) {
        done(null, undefined);
        return;
      }
      done(null, JSON.parse(json.toString("utf8")));
    } catch (err) {
      if (err instanceof SyntaxError)
        done(new HttpError(400, `request body is not valid JSON: ${err.message}`));
      else done(err as Error);
    }
  };
  app.addContentTypeParser(["application/json", "application/octet-stream"], { parseAs: "buffer" }, parse);
  // Fastify hands bodies without a Content-Type to the catch-all parser, and so every other media type; only
  // the first are ours. The 415 is thrown before the body is read, so an unwanted upload is not buffered.
  app.addContentTypeParser("*", { parseAs: "buffer" }, parse);
  // One hook for both checks that must precede reading the body: the media type, then the content coding
  // (the body is decoded while it streams in and counted against the limit decoded).
  app.addHook("preParsing", (request, _reply, payload, done) => {
    if (request.method !== "POST" || request.is404) {
      done(null, payload);
      return;
    }
    const type = request.headers["content-type"];
    if (type !== undefined && !KNOWN_TYPE.test(type)) {
      done(new HttpError(415, unsupportedType(type)));
      return;
    }
    const coding = request.headers["content-encoding"];
    if (coding === undefined) {
      done(null, payload);
      return;
    }
    try {
      done(null, decodedBody(payload, coding, bodyLimit));
    } catch (err) {
      done(err as Error);
    }
  });
}

const KNOWN_TYPE = /^\s*application\/(json|octet-stream)\s*(;|$)/i;

export function unsupportedType(type: string): string {
  return `unsupported Content-Type ${JSON.stringify(type)}: send application/json (or no Content-Type), or application/octet-stream with Inference-Header-Content-Length`;
}
