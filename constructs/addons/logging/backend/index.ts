export { indexTemplate } from "./index-template";
export { BAD_TIMESTAMP_TAG, ingestPipeline, NOT_JSON_TAG } from "./ingest-pipeline";
export { ilmPolicy, ismPolicy } from "./lifecycle";
export {
  type LogBackendFlavor,
  type LogBackendOptions,
  type ResolvedLogBackend,
  resolveLogBackend,
} from "./options";
