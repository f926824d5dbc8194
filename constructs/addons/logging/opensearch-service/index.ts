export {
  type SecurityApiRequest,
  WRITER_HTTP_ACTIONS,
  type WriterSecurityOptions,
  writerPolicy,
  writerPolicyStatements,
  writerSecurityRequests,
} from "./access";
export { CURL_IMAGE, OpenSearchBootstrap, type OpenSearchBootstrapProps } from "./bootstrap";
export { BOOTSTRAP_SCRIPT, requestFiles } from "./bootstrap-script";
export {
  DEDICATED_MASTER_COUNTS,
  instanceTypeProblem,
  OPENSEARCH_SERVICE_CONFIG_PATH,
  type OpenSearchServiceConfig,
  type OpenSearchServiceConfigInput,
  openSearchServiceConfigSchema,
  parseOpenSearchServiceConfig,
} from "./config";
export {
  OPENSEARCH_LOG_TYPES,
  OPENSEARCH_TLS_POLICY,
  OpenSearchServiceDomain,
  type OpenSearchServiceDomainProps,
} from "./domain";
export { type OpenSearchTopology, resolveTopology } from "./topology";
