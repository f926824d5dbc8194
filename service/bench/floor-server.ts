/**
 * The HTTP floor for bench:serve: a bare fastify endpoint that parses the same request body as the service
 * (JSON, or JSON header + binary tensor bytes) and answers a canned response of the same size and type,
 * without inference. Canned responses come from FLOOR_RESPONSES (a JSON file written by bench/serve.ts).
 */
import { readFileSync } from "node:fs";
import Fastify from "fastify";

interface Canned {
  readonly contentType: string;
  readonly headerLength?: string;
  readonly base64: string;
}

const canned = JSON.parse(readFileSync(process.env.FLOOR_RESPONSES as string, "utf8")) as Record<
  string,
  Canned
>;
const bodies = new Map(
  Object.entries(canned).map(([k, v]) => [k, { ...v, bytes: Buffer.from(v.base64, "base64") }]),
);

const app = Fastify({ logger: false, bodyLimit: 4 * 1024 * 1024 });
app.removeAllContentTypeParsers();
app.addContentTypeParser(
  ["application/json", "application/octet-stream"],
  { parseAs: "buffer" },
  (request, body: Buffer, done) => {
    try {
      const header = request.headers["inference-header-content-length"];
      const n = typeof header === "string" ? Number(header) : body.length;
      done(null, JSON.parse(body.subarray(0, n).toString("utf8")));
    } catch (err) {
      done(err as Error);
    }
  },
);

app.post<{ Querystring: { key: string } }>("/floor", async (request, reply) => {
  const body = request.body as { inputs?: unknown[] };
  if (!Array.isArray(body.inputs)) return reply.code(400).send({ error: "inputs" });
  const c = bodies.get(request.query.key);
  if (c === undefined) return reply.code(404).send({ error: "key" });
  reply.type(c.contentType);
  if (c.headerLength !== undefined) reply.header("inference-header-content-length", c.headerLength);
  return reply.send(c.bytes);
});

const url = await app.listen({ host: "127.0.0.1", port: 0 });
process.stdout.write(`Server listening at ${url}\n`);
process.once("SIGTERM", () => void app.close().then(() => process.exit(0)));
