/** Server metadata, health, model metadata/readiness and the model-repository extension. */
import type { FastifyInstance } from "fastify";
import type { InferenceEngine, ModelMetadata } from "../contracts";
import { HttpError } from "./errors";
import type { Lifecycle, ServerOptions } from "./server";

type ModelParams = { Params: { name: string; version?: string } };

export const EXTENSIONS = ["model_repository", "binary_tensor_data"] as const;
/** What `GET /v2` (and gRPC ServerMetadata) report. */
export const SERVER_NAME = "mlops-platform-kit-inference-service";
export const SERVER_VERSION = "0.1.0";

/** 404 when the repository has never heard of the model; otherwise whatever the engine knows. */
export function requireModel(
  engine: InferenceEngine,
  name: string,
  version?: string,
): ModelMetadata | undefined {
  const meta = engine.metadata(name, version);
  if (meta !== undefined) return meta;
  const known = engine
    .repositoryIndex()
    .some((e) => e.name === name && (version === undefined || e.version === version));
  if (!known) {
    throw new HttpError(
      404,
      version === undefined ? `model '${name}' not found` : `model '${name}' version '${version}' not found`,
    );
  }
  return undefined;
}

export function registerModelRoutes(
  app: FastifyInstance,
  options: ServerOptions,
  lifecycle: Lifecycle,
): void {
  const { engine } = options;

  app.get("/v2", async () => ({
    name: SERVER_NAME,
    version: options.serverVersion ?? SERVER_VERSION,
    extensions: EXTENSIONS,
  }));
  app.get("/v2/health/live", async () => ({ live: true }));
  app.get("/v2/health/ready", async (_request, reply) => {
    const ready = !lifecycle.draining && engine.ready();
    return reply.code(ready ? 200 : 503).send({ ready });
  });

  const metadata = async (request: { params: { name: string; version?: string } }) => {
    const { name, version } = request.params;
    const meta = requireModel(engine, name, version);
    if (meta === undefined) throw new HttpError(503, `model '${name}' is not loaded`, { "retry-after": "1" });
    return {
      name: meta.name,
      versions: meta.versions,
      platform: meta.platform,
      inputs: meta.inputs,
      outputs: meta.outputs,
    };
  };
  app.get<ModelParams>("/v2/models/:name", metadata);
  app.get<ModelParams>("/v2/models/:name/versions/:version", metadata);

  const ready = async (
    request: { params: { name: string; version?: string } },
    reply: import("fastify").FastifyReply,
  ) => {
    const { name, version } = request.params;
    requireModel(engine, name, version);
    const isReady = !lifecycle.draining && engine.isReady(name, version);
    return reply
      .code(isReady ? 200 : 503)
      .send({ name, ...(version === undefined ? {} : { version }), ready: isReady });
  };
  app.get<ModelParams>("/v2/models/:name/ready", ready);
  app.get<ModelParams>("/v2/models/:name/versions/:version/ready", ready);

  app.post("/v2/repository/index", async (request) => {
    const body = request.body;
    let onlyReady = false;
    if (body !== undefined && body !== null) {
      if (typeof body !== "object" || Array.isArray(body)) {
        throw new HttpError(400, `request body: expected a JSON object such as {"ready": true}`);
      }
      const r = (body as Record<string, unknown>).ready;
      if (r !== undefined && typeof r !== "boolean") {
        throw new HttpError(400, `ready: expected true or false, got ${JSON.stringify(r)}`);
      }
      onlyReady = r === true;
    }
    return engine
      .repositoryIndex()
      .filter((e) => !onlyReady || e.state === "READY")
      .map((e) => ({
        name: e.name,
        ...(e.version === undefined ? {} : { version: e.version }),
        state: e.state,
        reason: e.reason ?? "",
      }));
  });
  // The engine answers unknown names (ModelNotFoundError → 404); under explicit model control it may also find
  // a model directory that appeared after start.
  app.post<ModelParams>("/v2/repository/models/:name/load", async (request) => {
    await engine.load(request.params.name);
    return {};
  });
  app.post<ModelParams>("/v2/repository/models/:name/unload", async (request) => {
    const { name } = request.params;
    if (!engine.repositoryIndex().some((e) => e.name === name))
      throw new HttpError(404, `model '${name}' not found`);
    await engine.unload(name);
    return {};
  });
}
