export * from "./addon";
export * from "./argo-values";
export { KFP_LABELS, KFP_PORTS, KFP_SERVICE_ACCOUNTS, METADATA_DB, PIPELINE_DB } from "./components";
export * from "./config";
export * from "./images";
export { type MetadataStore, MYSQL_SECRET } from "./metadata";
