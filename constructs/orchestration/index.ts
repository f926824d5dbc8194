export * from "./airflow-addon";
export * from "./airflow-config";
export * from "./airflow-database";
export * from "./airflow-values";
export * from "./airflow-values-check";
export * from "./argo-values";
export * from "./kubeflow-addon";
export { KFP_LABELS, KFP_PORTS, KFP_SERVICE_ACCOUNTS, METADATA_DB, PIPELINE_DB } from "./kubeflow-components";
export * from "./kubeflow-config";
export * from "./kubeflow-images";
export { type MetadataStore, MYSQL_SECRET } from "./kubeflow-metadata";
export {
  diffAgainstUpstream,
  OMITTED_UPSTREAM,
  UPSTREAM_COMPONENTS,
  type UpstreamComponent,
  type UpstreamFinding,
} from "./kubeflow-upstream";
