/**
 * OpenAPI 3.1 description of the whole HTTP API, served at GET /openapi.json; the HTTP tests validate every
 * JSON response they get against it.
 */
import { DATATYPES } from "./http/tensors";

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: object) => ({ "application/json": { schema } });
const error = (description: string) => ({ description, content: json(ref("Error")) });

const ERRORS = {
  "400": error(
    "Malformed request: invalid JSON, shape/data mismatch, wrong datatype, non-finite number, corrupt gzip/deflate body",
  ),
  "404": error("Unknown model, version or route"),
  "413": error("Body larger than BODY_LIMIT_BYTES (after decoding a gzip/deflate Content-Encoding)"),
  "415": error(
    "Content-Type other than application/json or application/octet-stream (none means JSON), or Content-Encoding other than gzip, deflate or identity",
  ),
  "503": {
    ...error("Queue full, model not ready, or server shutting down; see Retry-After"),
    headers: { "Retry-After": { schema: { type: "integer", minimum: 1 } } },
  },
};

const nameParam = { name: "name", in: "path", required: true, schema: { type: "string" } };
const versionParam = { name: "version", in: "path", required: true, schema: { type: "string" } };

const modelMetadata = {
  summary: "Model metadata",
  responses: { "200": { description: "Metadata", content: json(ref("ModelMetadata")) }, ...ERRORS },
};
const modelReady = {
  summary: "Model readiness",
  responses: {
    "200": { description: "Ready", content: json(ref("ModelReady")) },
    "404": ERRORS["404"],
    "503": { description: "Not ready", content: json(ref("ModelReady")) },
  },
};
const infer = {
  summary: "Inference (Open Inference Protocol, binary tensor data extension)",
  parameters: [
    {
      name: "Inference-Header-Content-Length",
      in: "header",
      required: false,
      description: "Binary data extension: length of the JSON header; tensor bytes follow it in input order",
      schema: { type: "integer", minimum: 0 },
    },
    {
      name: "Content-Encoding",
      in: "header",
      required: false,
      description:
        "gzip or deflate: the body is decoded as it arrives; BODY_LIMIT_BYTES applies to the decoded body",
      schema: { type: "string" },
    },
    {
      name: "Accept-Encoding",
      in: "header",
      required: false,
      description: "gzip or deflate: the answer (JSON or binary) is compressed whole, with Content-Encoding",
      schema: { type: "string" },
    },
  ],
  requestBody: {
    required: true,
    content: {
      ...json(ref("InferenceRequest")),
      "application/octet-stream": {
        schema: {
          type: "string",
          format: "binary",
          description:
            "JSON InferenceRequest header + tensor bytes (also accepted without a Content-Type when Inference-Header-Content-Length is sent; without either, the body is JSON)",
        },
      },
    },
  },
  responses: {
    "200": {
      description:
        "Outputs; application/octet-stream with Inference-Header-Content-Length when any output is binary",
      headers: { "Inference-Header-Content-Length": { schema: { type: "integer", minimum: 0 } } },
      content: {
        ...json(ref("InferenceResponse")),
        "application/octet-stream": { schema: { type: "string", format: "binary" } },
      },
    },
    ...ERRORS,
  },
};

export const openApiDocument = {
  openapi: "3.1.0",
  info: {
    title: "MLOps Platform Kit inference service",
    version: "0.1.0",
    description:
      "Open Inference Protocol (KServe v2) REST API with the model-repository and binary tensor data extensions, " +
      "Prometheus metrics and drift status.",
  },
  paths: {
    "/v2": {
      get: {
        summary: "Server metadata",
        responses: { "200": { description: "Metadata", content: json(ref("ServerMetadata")) } },
      },
    },
    "/v2/health/live": {
      get: { summary: "Liveness", responses: { "200": { description: "Live", content: json(ref("Live")) } } },
    },
    "/v2/health/ready": {
      get: {
        summary: "Readiness: every model loaded and not shutting down",
        responses: {
          "200": { description: "Ready", content: json(ref("Ready")) },
          "503": { description: "Not ready", content: json(ref("Ready")) },
        },
      },
    },
    "/v2/models/{name}": { get: { ...modelMetadata, parameters: [nameParam] } },
    "/v2/models/{name}/versions/{version}": {
      get: { ...modelMetadata, parameters: [nameParam, versionParam] },
    },
    "/v2/models/{name}/ready": { get: { ...modelReady, parameters: [nameParam] } },
    "/v2/models/{name}/versions/{version}/ready": {
      get: { ...modelReady, parameters: [nameParam, versionParam] },
    },
    "/v2/models/{name}/infer": { post: { ...infer, parameters: [nameParam, ...infer.parameters] } },
    "/v2/models/{name}/versions/{version}/infer": {
      post: { ...infer, parameters: [nameParam, versionParam, ...infer.parameters] },
    },
    "/v2/models/{name}/drift": {
      get: {
        summary: "Drift status of one model",
        parameters: [nameParam],
        responses: {
          "200": { description: "Drift status", content: json(ref("DriftStatus")) },
          "404": ERRORS["404"],
        },
      },
    },
    "/drift": {
      get: {
        summary: "Drift status of every monitored model",
        responses: {
          "200": { description: "Drift status", content: json(ref("DriftStatus")) },
          "404": ERRORS["404"],
        },
      },
    },
    "/v2/repository/index": {
      post: {
        summary: "Model repository index",
        requestBody: {
          required: false,
          content: json({ type: "object", properties: { ready: { type: "boolean" } } }),
        },
        responses: {
          "200": { description: "Index", content: json({ type: "array", items: ref("RepositoryEntry") }) },
          "400": ERRORS["400"],
        },
      },
    },
    "/v2/repository/models/{name}/load": {
      post: {
        summary: "Load (or reload) a model",
        parameters: [nameParam],
        responses: { "200": { description: "Loaded", content: json({ type: "object" }) }, ...ERRORS },
      },
    },
    "/v2/repository/models/{name}/unload": {
      post: {
        summary: "Unload a model",
        parameters: [nameParam],
        responses: { "200": { description: "Unloaded", content: json({ type: "object" }) }, ...ERRORS },
      },
    },
    "/metrics": {
      get: {
        summary: "Prometheus metrics (text exposition format)",
        responses: {
          "200": { description: "Metrics", content: { "text/plain": { schema: { type: "string" } } } },
        },
      },
    },
    "/openapi.json": {
      get: {
        summary: "This document",
        responses: { "200": { description: "OpenAPI document", content: json({ type: "object" }) } },
      },
    },
  },
  components: {
    schemas: {
      Error: {
        type: "object",
        required: ["error"],
        additionalProperties: false,
        properties: { error: { type: "string", minLength: 1 } },
      },
      ServerMetadata: {
        type: "object",
        required: ["name", "version", "extensions"],
        additionalProperties: false,
        properties: {
          name: { type: "string" },
          version: { type: "string" },
          extensions: { type: "array", items: { type: "string" } },
        },
      },
      Live: {
        type: "object",
        required: ["live"],
        additionalProperties: false,
        properties: { live: { type: "boolean" } },
      },
      Ready: {
        type: "object",
        required: ["ready"],
        additionalProperties: false,
        properties: { ready: { type: "boolean" } },
      },
      ModelReady: {
        type: "object",
        required: ["name", "ready"],
        additionalProperties: false,
        properties: { name: { type: "string" }, version: { type: "string" }, ready: { type: "boolean" } },
      },
      Datatype: { type: "string", enum: DATATYPES },
      TensorMetadata: {
        type: "object",
        required: ["name", "datatype", "shape"],
        additionalProperties: false,
        properties: {
          name: { type: "string" },
          datatype: ref("Datatype"),
          shape: { type: "array", items: { type: "integer", minimum: -1 } },
        },
      },
      ModelMetadata: {
        type: "object",
        required: ["name", "versions", "platform", "inputs", "outputs"],
        additionalProperties: false,
        properties: {
          name: { type: "string" },
          versions: { type: "array", items: { type: "string" } },
          platform: { type: "string" },
          inputs: { type: "array", items: ref("TensorMetadata") },
          outputs: { type: "array", items: ref("TensorMetadata") },
        },
      },
      Parameters: { type: "object", additionalProperties: { type: ["string", "number", "boolean"] } },
      TensorData: {
        type: "array",
        description: "Row-major flat or nested array; BYTES elements are strings",
        items: { anyOf: [{ type: ["number", "string", "boolean"] }, ref("TensorData")] },
      },
      RequestInput: {
        type: "object",
        required: ["name", "shape", "datatype"],
        properties: {
          name: { type: "string" },
          shape: { type: "array", items: { type: "integer", minimum: 1 } },
          datatype: ref("Datatype"),
          parameters: {
            allOf: [ref("Parameters")],
            properties: { binary_data_size: { type: "integer", minimum: 0 } },
          },
          data: ref("TensorData"),
        },
      },
      RequestOutput: {
        type: "object",
        required: ["name"],
        properties: {
          name: { type: "string" },
          parameters: { allOf: [ref("Parameters")], properties: { binary_data: { type: "boolean" } } },
        },
      },
      InferenceRequest: {
        type: "object",
        required: ["inputs"],
        properties: {
          id: { type: "string", maxLength: 256 },
          parameters: {
            allOf: [ref("Parameters")],
            properties: { binary_data_output: { type: "boolean" } },
          },
          inputs: { type: "array", minItems: 1, items: ref("RequestInput") },
          outputs: { type: "array", items: ref("RequestOutput") },
        },
      },
      ResponseOutput: {
        type: "object",
        required: ["name", "shape", "datatype"],
        additionalProperties: false,
        properties: {
          name: { type: "string" },
          shape: { type: "array", items: { type: "integer", minimum: 0 } },
          datatype: ref("Datatype"),
          parameters: {
            type: "object",
            properties: { binary_data_size: { type: "integer", minimum: 0 } },
          },
          data: ref("TensorData"),
        },
      },
      InferenceResponse: {
        type: "object",
        required: ["model_name", "model_version", "id", "outputs"],
        additionalProperties: false,
        properties: {
          model_name: { type: "string" },
          model_version: { type: "string" },
          id: { type: "string" },
          parameters: ref("Parameters"),
          outputs: { type: "array", items: ref("ResponseOutput") },
        },
      },
      RepositoryEntry: {
        type: "object",
        required: ["name", "state", "reason"],
        additionalProperties: false,
        properties: {
          name: { type: "string" },
          version: { type: "string" },
          state: { type: "string", enum: ["UNAVAILABLE", "LOADING", "READY", "UNLOADING"] },
          reason: { type: "string" },
        },
      },
      DriftStatus: {
        type: "object",
        description:
          "Drift status of one model (or `{models: {<name>: status}}` for every model). A monitored model " +
          "reports the monitor's window and per-feature results (PSI, KS, chi-square); a model served without " +
          "monitoring (no usable profile next to its version's model file) has monitored=false and a reason.",
        properties: {
          model: { type: "string" },
          monitored: { type: "boolean" },
          version: { type: ["string", "null"] },
          profileLocation: {
            type: ["string", "null"],
            description: "where the version's profile.json was read",
          },
          reason: { type: "string", description: "why the model is not monitored" },
          drifted: { type: "boolean" },
          models: { type: "object", additionalProperties: ref("DriftStatus") },
        },
      },
    },
  },
} as const;
