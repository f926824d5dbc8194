/**
 * Contracts shared by the service's parts (HTTP layer, inference engine, drift monitor, feedback loop).
 * Each part is built and tested on its own against these types; `main.ts` wires them together.
 */
import type { DriftProfile } from "./drift/profile";

/** Open Inference Protocol tensor datatypes. */
export type Datatype =
  | "BOOL"
  | "UINT8"
  | "UINT16"
  | "UINT32"
  | "UINT64"
  | "INT8"
  | "INT16"
  | "INT32"
  | "INT64"
  | "FP16"
  | "FP32"
  | "FP64"
  | "BYTES";

/** Tensor metadata as served by `GET /v2/models/{name}`; -1 marks a variable dimension. */
export interface TensorMetadata {
  readonly name: string;
  readonly datatype: Datatype;
  readonly shape: readonly number[];
}

/**
 * One decoded input or output tensor. Numeric data is a typed array in row-major order; BYTES data is an
 * array of strings (UTF-8 decoded) or Buffers when not valid UTF-8. BigInt64Array is used for INT64/UINT64.
 */
export interface Tensor {
  readonly name: string;
  readonly datatype: Datatype;
  readonly shape: readonly number[];
  readonly data:
    | Float32Array
    | Float64Array
    | Int8Array
    | Int16Array
    | Int32Array
    | BigInt64Array
    | Uint8Array
    | Uint16Array
    | Uint32Array
    | BigUint64Array
    | readonly boolean[]
    | readonly string[];
}

export interface ModelMetadata {
  readonly name: string;
  readonly versions: readonly string[];
  readonly platform: "onnxruntime_onnx";
  readonly inputs: readonly TensorMetadata[];
  readonly outputs: readonly TensorMetadata[];
}

/** A request as the engine sees it: inputs already validated against the model's metadata. */
export interface InferenceRequest {
  readonly model: string;
  /** Omitted: the model's current (ready) version. */
  readonly version?: string;
  readonly inputs: readonly Tensor[];
  /** Output names requested by the client; omitted: all outputs. */
  readonly outputs?: readonly string[];
  /**
   * The input metadata `inputs` were already checked against: the `inputs` array of the `metadata()` answer
   * (the HTTP layer validates every request against it). When it is the routed version's own array, the engine
   * does not check the inputs a second time; any other value (or none) and they are checked as usual, so a
   * version swapped in between is never fed unchecked inputs.
   */
  readonly validatedAgainst?: readonly TensorMetadata[];
}

export interface InferenceResult {
  readonly model: string;
  readonly version: string;
  readonly outputs: readonly Tensor[];
}

/** States of the model-repository extension. */
export type ModelState = "UNAVAILABLE" | "LOADING" | "READY" | "UNLOADING";

export interface RepositoryEntry {
  readonly name: string;
  readonly version?: string;
  readonly state: ModelState;
  readonly reason?: string;
}

/** Thrown by the engine when its bounded queue is full; the HTTP layer answers 503 with Retry-After. */
export class QueueFullError extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super("inference queue is full");
    this.name = "QueueFullError";
  }
}

/** Thrown for an unknown model or version; the HTTP layer answers 404. */
export class ModelNotFoundError extends Error {
  constructor(
    readonly model: string,
    readonly version?: string,
  ) {
    super(
      version === undefined
        ? `model '${model}' not found`
        : `model '${model}' version '${version}' not found`,
    );
    this.name = "ModelNotFoundError";
  }
}

/** Thrown for a model that exists but is not ready (loading, unloading, unloaded); the HTTP layer answers 503. */
export class ModelNotReadyError extends Error {
  constructor(readonly model: string) {
    super(`model '${model}' is not ready`);
    this.name = "ModelNotReadyError";
  }
}

/** Thrown for input the model cannot take (shape, datatype, missing input); the HTTP layer answers 400. */
export class InvalidInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InvalidInputError";
  }
}

export interface InferenceEngine {
  /** Metadata of the model's current version, or of the named version. */
  metadata(model: string, version?: string): ModelMetadata | undefined;
  isReady(model: string, version?: string): boolean;
  /** True once every configured model has loaded and the engine accepts requests. */
  ready(): boolean;
  infer(request: InferenceRequest): Promise<InferenceResult>;
  repositoryIndex(): readonly RepositoryEntry[];
  load(model: string): Promise<void>;
  unload(model: string): Promise<void>;
  /** Stop accepting requests, finish queued and in-flight ones, then release workers. */
  close(): Promise<void>;
}

/** One feature's values, one per row. */
export type FeatureColumn = ArrayLike<number | string>;

/** One served prediction, as observed by the drift monitor and the feedback loop. */
export interface PredictionEvent {
  readonly requestId: string;
  readonly model: string;
  readonly version: string;
  /** Milliseconds since the epoch. */
  readonly timestamp: number;
  /**
   * Feature name to one value per row: strings for BYTES inputs, numbers otherwise. Numeric columns may be the
   * request's own typed arrays (shared, not copied: nothing writes to them after the request is decoded);
   * convert with Array.from before serialising.
   */
  readonly features: Readonly<Record<string, FeatureColumn>>;
  /** Positive-class probability per row. */
  readonly scores: readonly number[];
  /** Predicted label per row. */
  readonly labels: readonly number[];
}

/** Receives every served prediction; must never throw into or block the request path. */
export interface PredictionSink {
  record(event: PredictionEvent): void;
}

/**
 * The drift reference profile that came with one model version, fetched from next to its ONNX file
 * (`location`), or why there is none. A version without a usable profile is still served, just not monitored.
 */
export type VersionProfile =
  | { readonly state: "found"; readonly location: string; readonly profile: DriftProfile }
  | {
      /** missing: no file there; unreadable: the source failed to answer; invalid: not a valid profile. */
      readonly state: "missing" | "unreadable" | "invalid";
      readonly location: string;
      readonly reason: string;
    };

/** One loaded model version: where it came from and the drift profile that travelled with it. */
export interface LoadedModelVersion {
  readonly model: string;
  readonly version: string;
  /** The model source's description (local:<dir>, s3://bucket/prefix/<name>/, models:/<name>@<alias>). */
  readonly source: string;
  readonly profile: VersionProfile;
}

/** Implemented by the real engine; kept out of InferenceEngine so HTTP-layer test engines need not. */
export interface LoadedVersions {
  /** The version serving now, or the named one while it is still loaded (draining after a swap). */
  loadedVersion(model: string, version?: string): LoadedModelVersion | undefined;
}
