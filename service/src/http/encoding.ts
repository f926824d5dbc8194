/**
 * HTTP content codings as Triton and KServe servers accept them: `Content-Encoding: gzip | deflate` request
 * bodies (decompressed while they stream in, never past the body limit) and gzip/deflate answers for clients
 * that send `Accept-Encoding` (Triton's client does when response compression is on).
 */
import { Transform, type TransformCallback } from "node:stream";
import { constants, createGunzip, createInflate, createInflateRaw, deflate, gzip } from "node:zlib";
import type { FastifyReply, FastifyRequest } from "fastify";
import { HttpError } from "./errors";

type Coding = "gzip" | "deflate";

const SUPPORTED = "gzip, deflate or identity";

/** The body's content codings in the order they were applied; throws 415 for any we cannot undo. */
export function requestCodings(header: string | string[] | undefined): Coding[] {
  if (header === undefined) return [];
  const codings: Coding[] = [];
  for (const raw of (Array.isArray(header) ? header.join(",") : header).split(",")) {
    const c = raw.trim().toLowerCase();
    if (c === "" || c === "identity") continue;
    if (c === "gzip" || c === "x-gzip") codings.push("gzip");
    else if (c === "deflate") codings.push("deflate");
    else
      throw new HttpError(
        415,
        `unsupported Content-Encoding ${JSON.stringify(raw.trim())}: expected ${SUPPORTED}`,
      );
  }
  return codings;
}

/**
 * The coding to answer with for an `Accept-Encoding` header: gzip before deflate, either only when its
 * quality is above 0 (named, or through `*`); undefined means identity.
 */
export function responseCoding(header: string | string[] | undefined): Coding | undefined {
  if (header === undefined) return undefined;
  const q = new Map<string, number>();
  for (const part of (Array.isArray(header) ? header.join(",") : header).split(",")) {
    const [name, ...params] = part.split(";").map((s) => s.trim().toLowerCase());
    if (!name) continue;
    const qParam = params.find((p) => p.startsWith("q="));
    const quality = qParam === undefined ? 1 : Number(qParam.slice(2));
    q.set(name === "x-gzip" ? "gzip" : name, Number.isFinite(quality) ? quality : 0);
  }
  const accepted = (c: Coding) => (q.get(c) ?? q.get("*") ?? 0) > 0;
  if (accepted("gzip")) return "gzip";
  if (accepted("deflate")) return "deflate";
  return undefined;
}

/**
 * Counts decompressed bytes and fails with 413 the moment they pass the limit, so a small compressed body
 * cannot expand past BODY_LIMIT_BYTES in memory ("zip bomb"); also reports the compressed length read so far
 * as Fastify's `receivedEncodedLength`, which it compares with Content-Length.
 */
class CappedOutput extends Transform {
  private total = 0;
  constructor(private readonly limit: number) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.total += chunk.length;
    if (this.total > this.limit) {
      done(
        new HttpError(
          413,
          `decompressed request body is larger than the limit of ${this.limit} bytes (BODY_LIMIT_BYTES)`,
        ),
      );
      return;
    }
    done(null, chunk);
  }
}

/** zlib-wrapped deflate (RFC 1950, what HTTP names "deflate") or, as some clients send, raw deflate. */
function inflaterFor(first: Buffer) {
  const [cmf = 0, flg = 0] = first;
  // RFC 1950 header: compression method 8 and a check value making CMF*256+FLG a multiple of 31.
  const zlibWrapped = first.length >= 2 && (cmf & 0x0f) === 8 && (cmf * 256 + flg) % 31 === 0;
  return zlibWrapped ? createInflate() : createInflateRaw();
}

/** A readable of the decoded body: undoes the codings, last applied first, while the body streams in. */
function decode(raw: NodeJS.ReadableStream, codings: readonly Coding[], limit: number) {
  const out = new CappedOutput(limit) as CappedOutput & { receivedEncodedLength: number };
  out.receivedEncodedLength = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      out.receivedEncodedLength += chunk.length;
      done(null, chunk);
    },
  });
  const stages: Transform[] = [
    counter,
    ...[...codings].reverse().map((c) => (c === "gzip" ? createGunzip() : new LazyInflate())),
  ];
  let failed = false;
  const stop = (err: Error) => {
    if (failed) return;
    failed = true;
    raw.unpipe(counter);
    for (const s of stages) s.destroy();
    if (!out.destroyed) {
      out.destroy(
        err instanceof HttpError
          ? err
          : new HttpError(400, `request body is not valid ${codings.join(" + ")} data: ${err.message}`),
      );
    }
  };
  for (const s of stages) s.on("error", stop);
  out.on("error", stop);
  let stream: NodeJS.ReadableStream = raw;
  for (const s of stages) stream = stream.pipe(s);
  stream.pipe(out);
  return out;
}

/** Inflates with the zlib or raw flavour, decided by the first bytes it sees. */
class LazyInflate extends Transform {
  private inner: Transform | undefined;
  private head: Buffer = Buffer.alloc(0);
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    if (this.inner === undefined) {
      this.head = Buffer.concat([this.head, chunk]);
      if (this.head.length < 2) {
        done();
        return;
      }
      this.start(this.head);
      done();
      return;
    }
    if (this.inner.write(chunk)) done();
    else this.inner.once("drain", () => done());
  }
  override _flush(done: TransformCallback): void {
    if (this.inner === undefined) {
      if (this.head.length === 0) {
        done();
        return;
      }
      this.start(this.head);
    }
    const inner = this.inner as Transform;
    inner.once("end", () => done());
    inner.end();
  }
  private start(head: Buffer) {
    const inner = inflaterFor(head);
    this.inner = inner;
    inner.on("data", (d: Buffer) => this.push(d));
    inner.on("error", (err) => this.destroy(err));
    inner.write(head);
  }
}

/**
 * The request body with its `Content-Encoding` undone, as a stream Fastify reads in place of the raw one
 * (identity: the raw one); throws 415 for a coding it cannot undo.
 */
export function decodedBody<T extends NodeJS.ReadableStream>(
  payload: T,
  header: string | string[],
  limit: number,
): T {
  const codings = requestCodings(header);
  return codings.length === 0 ? payload : (decode(payload, codings, limit) as unknown as T);
}

/**
 * onSend step for requests that carry `Accept-Encoding`: compresses a string or Buffer answer with the
 * preferred accepted coding (the server's one onSend hook calls it, so requests without the header pay nothing).
 */
export function compressReply(
  request: FastifyRequest,
  reply: FastifyReply,
  payload: unknown,
  done: (err: Error | null, payload?: unknown) => void,
): void {
  reply.header("vary", "accept-encoding");
  const coding = responseCoding(request.headers["accept-encoding"]);
  const body = typeof payload === "string" ? Buffer.from(payload, "utf8") : payload;
  if (
    coding === undefined ||
    !Buffer.isBuffer(body) ||
    body.length === 0 ||
    reply.hasHeader("content-encoding")
  ) {
    done(null, payload);
    return;
  }
  // Fastest level: answers are small and latency matters more than the last bytes saved.
  const compress = coding === "gzip" ? gzip : deflate;
  compress(body, { level: constants.Z_BEST_SPEED }, (err, compressed) => {
    if (err) {
      done(err);
      return;
    }
    reply.header("content-encoding", coding);
    reply.removeHeader("content-length");
    done(null, compressed);
  });
}
