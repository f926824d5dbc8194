/** `POST /v2/models/{name}[/versions/{v}]/infer`: decode, run on the engine, encode JSON or binary, hand off. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { InferenceResult, Tensor } from "../contracts";
import type { CounterSeries, HistogramSeries } from "../hot-metrics";
import { HttpError } from "./errors";
import { parseInferRequest, type RequestedOutput } from "./infer-request";
import { LabelCache } from "./label-cache";
import { requireModel } from "./model-routes";
import { EventDispatcher } from "./prediction-event";
import type { ServerOptions } from "./server";
import { toBinaryData, toJsonData, toJsonText } from "./tensors";

const HEADER_SAFE = /^[\x20-\x7e]+$/;

type InferRoute = { Params: { name: string; version?: string } };

interface InferLabels {
  readonly model: string;
  readonly version: string;
}

interface VersionSeries {
  readonly labels: InferLabels;
  readonly rows: CounterSeries;
  readonly duration: HistogramSeries;
}

declare module "fastify" {
  interface FastifyRequest {
    inferLabels: InferLabels | undefined;
  }
  interface FastifyContextConfig {
    /** Set on the infer routes: their answers also count in inference_requests_total. */
    inferRoute?: boolean;
  }
}

export function registerInferRoutes(app: FastifyInstance, options: ServerOptions): void {
  const { engine, metrics } = options;
  const eventOptions = {
    scoreOutput: options.scoreOutput ?? "probabilities",
    labelOutput: options.labelOutput ?? "label",
  };
  app.decorateRequest("inferLabels", undefined);
  const events = new EventDispatcher(options.sinks ?? [], eventOptions, (err) =>
    app.log.error({ err }, "prediction sink failed"),
  );
  // onClose runs after in-flight requests are answered: hand their events over before the sinks stop.
  app.addHook("onClose", (_instance, done) => {
    events.drain();
    done();
  });

  // Metric series bound once per model version (see LabelCache); the request counter by status code is
  // updated in the server's onResponse hook from request.inferLabels.
  const versions = new LabelCache<VersionSeries>();
  const seriesOf = (model: string, version: string) =>
    versions.get(`${model}\0${version}`, () => {
      const labels = { model, version };
      return {
        labels,
        rows: metrics.inferenceRows.bind(labels),
        duration: metrics.inferenceDuration.bind(labels),
      };
    });

  /** The client's `id` becomes the request id in logs and x-request-id, also when the request is then refused. */
  const adoptClientId = (request: FastifyRequest, reply: FastifyReply) => {
    const body = request.body as { id?: unknown } | undefined;
    const id = typeof body === "object" && body !== null ? body.id : undefined;
    if (typeof id === "string" && id.length > 0 && id.length <= 256 && id !== request.id) {
      request.log = app.log.child({ "http.request.id": id });
      // Only header-safe ids go into x-request-id; any string is still echoed in the JSON answer.
      if (HEADER_SAFE.test(id)) reply.header("x-request-id", id);
    }
  };

  const handler = async (request: FastifyRequest<InferRoute>, reply: FastifyReply) => {
    const { name, version } = request.params;
    const meta = requireModel(engine, name, version);
    // Model names enter labels only once the model is known: unknown names must not grow the series count.
    request.inferLabels = seriesOf(name, version ?? "").labels;
    if (meta === undefined) throw new HttpError(503, `model '${name}' is not loaded`, { "retry-after": "1" });
    adoptClientId(request, reply);
    const parsed = parseInferRequest(request.body, request.binaryData, meta);
    const id = parsed.id ?? request.id;
    const result = await engine.infer({
      model: name,
      ...(version === undefined ? {} : { version }),
      inputs: parsed.inputs,
      // parseInferRequest checked the inputs against exactly this metadata.
      validatedAgainst: meta.inputs,
    });
    const served = seriesOf(result.model, result.version);
    request.inferLabels = served.labels;
    const rows = parsed.inputs[0]?.shape[0] ?? 0;
    served.rows.inc(rows);
    served.duration.observe(reply.elapsedTime / 1000);
    if (options.logFeatures) {
      request.log.info(
        {
          inference: {
            id,
            model: result.model,
            version: result.version,
            rows,
            features: featureLog(parsed.inputs),
          },
        },
        "inference features",
      );
    }
    events.dispatch(id, parsed.inputs, result);
    const wanted =
      parsed.outputs ?? result.outputs.map((o) => ({ name: o.name, binary: parsed.binaryByDefault }));
    return sendResult(reply, id, result, wanted);
  };

  for (const url of ["/v2/models/:name/infer", "/v2/models/:name/versions/:version/infer"]) {
    app.post<InferRoute>(url, { config: { inferRoute: true } }, handler);
  }
}

function featureLog(inputs: readonly Tensor[]): Record<string, unknown[]> {
  return Object.fromEntries(inputs.map((t) => [t.name, toJsonData(t.data)]));
}

function sendResult(
  reply: FastifyReply,
  id: string,
  result: InferenceResult,
  wanted: readonly RequestedOutput[],
) {
  // The answer is assembled as text so tensor data goes straight from typed arrays into the JSON.
  const outputs: string[] = [];
  const binaries: Buffer[] = [];
  for (const w of wanted) {
    const t = result.outputs.find((o) => o.name === w.name);
    if (t === undefined) throw new Error(`engine result lacks output '${w.name}'`);
    const head = `{"name":${JSON.stringify(t.name)},"datatype":"${t.datatype}","shape":${JSON.stringify(t.shape)}`;
    if (w.binary) {
      const bytes = toBinaryData(t.datatype, t.data);
      binaries.push(bytes);
      outputs.push(`${head},"parameters":{"binary_data_size":${bytes.length}}}`);
    } else {
      outputs.push(`${head},"data":${toJsonText(t.data)}}`);
    }
  }
  const header =
    `{"model_name":${JSON.stringify(result.model)},"model_version":${JSON.stringify(result.version)},` +
    `"id":${JSON.stringify(id)},"outputs":[${outputs.join(",")}]}`;
  if (binaries.length === 0) return reply.type("application/json; charset=utf-8").send(header);
  const headerBytes = Buffer.from(header, "utf8");
  return reply
    .type("application/octet-stream")
    .header("inference-header-content-length", String(headerBytes.length))
    .send(Buffer.concat([headerBytes, ...binaries]));
}
