/**
 * The part of the Open Inference Protocol's gRPC API the service answers (package `inference`, service
 * `GRPCInferenceService`: health, metadata and the model repository extension), as a protobufjs JSON
 * descriptor so no .proto file has to ship beside the bundle. Field numbers are the protocol's (KServe's
 * grpc_predict_v2.proto, with the repository messages as Triton and Seldon Core 2 define them); the tests
 * check them against Triton's own Python gRPC client.
 */
const string = (id: number) => ({ type: "string", id });
const bool = (id: number) => ({ type: "bool", id });
const empty = { fields: {} };

const tensorMetadata = {
  fields: { name: string(1), datatype: string(2), shape: { rule: "repeated", type: "int64", id: 3 } },
};

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
