/**
 * The part of the Open Inference Protocol's gRPC API the service answers (package `inference`, service
 * `GRPCInferenceService`: health, metadata, inference and the model repository extension), as a protobufjs JSON
 * descriptor so no .proto file has to ship beside the bundle. Field numbers are the protocol's (KServe's
 * grpc_predict_v2.proto, with the repository messages as Triton and Seldon Core 2 define them); the tests
 * check them against Triton's own Python gRPC client.
 */
const string = (id: number) => ({ type: "string", id });
const bool = (id: number) => ({ type: "bool", id });
const empty = { fields: {} };

const repositoryParameter = {
  oneofs: { parameter_choice: { oneof: ["bool_param", "int64_param", "string_param", "bytes_param"] } },
  fields: {
    bool_param: bool(1),
    int64_param: { type: "int64", id: 2 },
    string_param: string(3),
    bytes_param: { type: "bytes", id: 4 },
  },
};

const repositoryModelRequest = {
  fields: {
    repository_name: string(1),
    model_name: string(2),
    parameters: { keyType: "string", type: "ModelRepositoryParameter", id: 3 },
  },
};

const params = (id: number) => ({ keyType: "string", type: "InferParameter", id });
const repeated = (type: string, id: number) => ({ rule: "repeated", type, id });
const shape = repeated("int64", 3);

const tensorMetadata = {
  fields: { name: string(1), datatype: string(2), shape },
};

const inferParameter = {
  oneofs: {
    parameter_choice: {
      oneof: ["bool_param", "int64_param", "string_param", "double_param", "uint64_param"],
    },
  },
  fields: {
    bool_param: bool(1),
    int64_param: { type: "int64", id: 2 },
    string_param: string(3),
    double_param: { type: "double", id: 4 },
    uint64_param: { type: "uint64", id: 5 },
  },
};

const tensorContents = {
  fields: {
    bool_contents: repeated("bool", 1),
    int_contents: repeated("int32", 2),
    int64_contents: repeated("int64", 3),
    uint_contents: repeated("uint32", 4),
    uint64_contents: repeated("uint64", 5),
    fp32_contents: repeated("float", 6),
    fp64_contents: repeated("double", 7),
    bytes_contents: repeated("bytes", 8),
  },
};

const tensor = {
  fields: {
    name: string(1),
    datatype: string(2),
    shape,
    parameters: params(4),
    contents: { type: "InferTensorContents", id: 5 },
  },
};

const modelInferRequest = {
  fields: {
    model_name: string(1),
    model_version: string(2),
    id: string(3),
    parameters: params(4),
    inputs: repeated("InferInputTensor", 5),
    outputs: repeated("InferRequestedOutputTensor", 6),
    raw_input_contents: repeated("bytes", 7),
  },
  nested: {
    InferInputTensor: tensor,
    InferRequestedOutputTensor: { fields: { name: string(1), parameters: params(2) } },
  },
};

const modelInferResponse = {
  fields: {
    model_name: string(1),
    model_version: string(2),
    id: string(3),
    parameters: params(4),
    outputs: repeated("InferOutputTensor", 5),
    raw_output_contents: repeated("bytes", 6),
  },
  nested: { InferOutputTensor: tensor },
};

const unary = (name: string) => ({ requestType: `${name}Request`, responseType: `${name}Response` });

export const OIP_GRPC_DESCRIPTOR = {
  nested: {
    inference: {
      nested: {
        GRPCInferenceService: {
          methods: Object.fromEntries(
            [
              "ServerLive",
              "ServerReady",
              "ModelReady",
              "ServerMetadata",
              "ModelMetadata",
              "ModelInfer",
              "RepositoryIndex",
              "RepositoryModelLoad",
              "RepositoryModelUnload",
            ].map((m) => [m, unary(m)]),
          ),
        },
        ServerLiveRequest: empty,
        ServerLiveResponse: { fields: { live: bool(1) } },
        ServerReadyRequest: empty,
        ServerReadyResponse: { fields: { ready: bool(1) } },
        ModelReadyRequest: { fields: { name: string(1), version: string(2) } },
        ModelReadyResponse: { fields: { ready: bool(1) } },
        ServerMetadataRequest: empty,
        ServerMetadataResponse: {
          fields: {
            name: string(1),
            version: string(2),
            extensions: { rule: "repeated", type: "string", id: 3 },
          },
        },
        ModelMetadataRequest: { fields: { name: string(1), version: string(2) } },
        ModelMetadataResponse: {
          fields: {
            name: string(1),
            versions: { rule: "repeated", type: "string", id: 2 },
            platform: string(3),
            inputs: { rule: "repeated", type: "TensorMetadata", id: 4 },
            outputs: { rule: "repeated", type: "TensorMetadata", id: 5 },
          },
          nested: { TensorMetadata: tensorMetadata },
        },
        ModelInferRequest: modelInferRequest,
        ModelInferResponse: modelInferResponse,
        InferParameter: inferParameter,
        InferTensorContents: tensorContents,
        RepositoryIndexRequest: { fields: { repository_name: string(1), ready: bool(2) } },
        RepositoryIndexResponse: {
          fields: { models: { rule: "repeated", type: "ModelIndex", id: 1 } },
          nested: {
            ModelIndex: {
              fields: { name: string(1), version: string(2), state: string(3), reason: string(4) },
            },
          },
        },
        ModelRepositoryParameter: repositoryParameter,
        RepositoryModelLoadRequest: repositoryModelRequest,
        RepositoryModelLoadResponse: empty,
        RepositoryModelUnloadRequest: repositoryModelRequest,
        RepositoryModelUnloadResponse: empty,
      },
    },
  },
} as const;
