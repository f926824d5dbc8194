/** Maps every error the HTTP layer can meet to a status code and an `{"error": "..."}` body. */
import type { FastifyError } from "fastify";

/** A client error raised by the HTTP layer itself (decoding, validation). */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = "HttpError";
  }
}

/**
 * Error answers say `application/json` without a charset (JSON is UTF-8 by definition), as Triton and KServe
 * servers do: KServe's Python client reads an error's message only when the type is exactly that.
 */
export const JSON_TYPE = "application/json";

export const badRequest = (message: string): HttpError => new HttpError(400, message);

export interface MappedError {
  readonly statusCode: number;
  readonly message: string;
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * Engine errors are recognised by name as well as by class so an engine built against another copy of
 * contracts.ts (e.g. inside a worker bundle) still maps correctly.
 */
export function mapError(err: unknown, context: { bodyLimit?: number } = {}): MappedError {
  const e = err as Partial<FastifyError> & { retryAfterSeconds?: number; name?: string; message?: string };
  if (err instanceof HttpError)
    return { statusCode: err.statusCode, message: err.message, headers: err.headers };
  switch (e.name) {
    case "QueueFullError": {
      const retry = Math.max(1, Math.ceil(Number(e.retryAfterSeconds) || 1));
      return {
        statusCode: 503,
        message: e.message ?? "queue full",
        headers: { "retry-after": String(retry) },
      };
    }
    case "ModelNotFoundError":
      return { statusCode: 404, message: e.message ?? "model not found", headers: {} };
    case "ModelNotReadyError":
      return { statusCode: 503, message: e.message ?? "model not ready", headers: { "retry-after": "1" } };
    case "InvalidInputError":
      return { statusCode: 400, message: e.message ?? "invalid input", headers: {} };
  }
  if (e.code === "FST_ERR_CTP_INVALID_MEDIA_TYPE") {
    return {
      statusCode: 415,
      message:
        "unsupported Content-Type: send application/json (or no Content-Type), or application/octet-stream with Inference-Header-Content-Length",
      headers: {},
    };
  }
  if (e.code === "FST_ERR_CTP_BODY_TOO_LARGE") {
    const limit = context.bodyLimit === undefined ? "" : ` of ${context.bodyLimit} bytes`;
    return {
      statusCode: 413,
      message: `request body is larger than the limit${limit} (BODY_LIMIT_BYTES)`,
      headers: {},
    };
  }
  // Fastify's own client errors (body too large, unsupported media type, bad JSON) carry a 4xx statusCode.
  const code = typeof e.statusCode === "number" ? e.statusCode : 500;
  if (code >= 400 && code < 500)
    return { statusCode: code, message: e.message ?? "bad request", headers: {} };
  if (e instanceof SyntaxError) return { statusCode: 400, message: e.message, headers: {} };
  return { statusCode: 500, message: "internal server error", headers: {} };
}
