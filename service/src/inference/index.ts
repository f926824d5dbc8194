/**
 * Inference engine behind the HTTP layer: ONNX Runtime sessions in a worker-thread pool, dynamic batching,
 * a bounded queue, model sources (local repository, s3://, MLflow registry alias) with hot swap.
 */
export { type RawBenchOptions, type RawBenchResult, rawThroughput } from "./bench-raw";
export { createEngine } from "./engine";
export { isUri, listModelNames, MODEL_FILE, PROFILE_FILE } from "./layout";
export type { EngineLogger, EngineOptions, ModelSourceConfig } from "./options";
export type { FetchedVersion, ModelSource } from "./sources";
