/** Test helpers: a real server on loopback port 0 and response validation against the served OpenAPI document. */
import { Writable } from "node:stream";
import { Ajv2020 } from "ajv/dist/2020.js";
import type { InferenceEngine, PredictionSink } from "../../src/contracts";
import { buildServer, type DriftStatusSource } from "../../src/http/server";
import { createLogger } from "../../src/logging";
import { createHttpMetrics, createRegistry, type HttpMetrics } from "../../src/metrics";
import { openApiDocument } from "../../src/openapi";

export interface Running {
  readonly url: string;
  readonly metrics: HttpMetrics;
  readonly logs: string[];
  close(): Promise<void>;
}

export async function startServer(options: {
  engine: InferenceEngine;
  sinks?: PredictionSink[];
  drift?: DriftStatusSource;
  bodyLimit?: number;
  logFeatures?: boolean;
  logLevel?: string;
  metrics?: HttpMetrics;
}): Promise<Running> {
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      logs.push(...String(chunk).split("\n").filter(Boolean));
      cb();
    },
  });
  const logger = createLogger({ level: options.logLevel ?? "info" }, sink);
  const metrics = options.metrics ?? createHttpMetrics(createRegistry({ defaultMetrics: false }));
  const { app } = buildServer({ ...options, metrics, logger });
  await app.listen({ host: "127.0.0.1", port: 0 });
  const address = app.server.address();
  if (address === null || typeof address === "string") throw new Error("no TCP address");
  return { url: `http://127.0.0.1:${address.port}`, metrics, logs, close: () => app.close() };
}

const ajv = new Ajv2020({ strict: false, allErrors: true });
const DOC_ID = "https://mlops-platform-kit.local/openapi.json";
ajv.addSchema({ ...openApiDocument, $id: DOC_ID });

/** Every documented JSON response schema, compiled (a dangling $ref or bad keyword throws). */
export function compileAllResponseSchemas(): number {
  let n = 0;
  const paths = openApiDocument.paths as Record<
    string,
    Record<string, { responses: Record<string, { content?: Record<string, unknown> }> }>
  >;
  for (const [path, ops] of Object.entries(paths)) {
    for (const [method, op] of Object.entries(ops)) {
      for (const [status, response] of Object.entries(op.responses)) {
        if (response.content?.["application/json"] === undefined) continue;
        const ref = `${DOC_ID}#/paths/${pointer(path)}/${method}/responses/${status}/content/application~1json/schema`;
        if (ajv.getSchema(ref) === undefined) throw new Error(`cannot compile ${ref}`);
        n++;
      }
    }
  }
  return n;
}

/** Escapes a path template for a JSON pointer (`/` becomes `~1`). */
const pointer = (s: string) => s.replace(/~/g, "~0").replace(/\//g, "~1");

/**
 * Validates a JSON body against the document's response schema for `method path` and `status`; throws with
 * ajv's errors. A status the document does not list for the path is itself a failure.
 */
export function expectMatchesOpenApi(method: string, path: string, status: number, body: unknown): void {
  const operation = (
    openApiDocument.paths as Record<string, Record<string, { responses: Record<string, unknown> }>>
  )[path]?.[method.toLowerCase()];
  if (operation === undefined) throw new Error(`OpenAPI document has no ${method} ${path}`);
  if (operation.responses[String(status)] === undefined) {
    throw new Error(`OpenAPI document lists no ${status} response for ${method} ${path}`);
  }
  const ref = `${DOC_ID}#/paths/${pointer(path)}/${method.toLowerCase()}/responses/${status}/content/application~1json/schema`;
  const validate = ajv.getSchema(ref);
  if (validate === undefined) throw new Error(`no JSON schema at ${ref}`);
  if (!validate(body)) {
    throw new Error(
      `${method} ${path} ${status} body ${JSON.stringify(body).slice(0, 300)} violates OpenAPI: ${ajv.errorsText(validate.errors)}`,
    );
  }
}
