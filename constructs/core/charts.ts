/**
 * Every Helm chart the kit installs, pinned in one place. Versions match the upstream reference data in
 * `../shared/schemas/charts/<chart>` (see its SOURCES.md), which the tests validate values against.
 * Upgrading a chart: change its version here, refresh the reference data, run `npm test`.
 */
export interface ChartPin {
  /** Chart name in its repository. */
  readonly chart: string;
  /** Helm repository URL (or `oci://` registry). */
  readonly repository: string;
  /** Exact chart version. */
  readonly version: string;
  /** Folder name under `schemas/charts/` holding the chart's reference `values.yaml`. */
  readonly schemaDir?: string;
}

export const CHARTS = {
  nvidiaDevicePlugin: {
    chart: "nvidia-device-plugin",
    repository: "https://nvidia.github.io/k8s-device-plugin",
    version: "0.20.0",
    schemaDir: "nvidia-device-plugin",
  },
  // The tagged Chart.yaml says 0.1.1; Strimzi's release build publishes it as 1.2.0 (see SOURCES.md).
  strimziKafkaOperator: {
    chart: "strimzi-kafka-operator",
    repository: "oci://quay.io/strimzi-helm",
    version: "1.2.0",
    schemaDir: "strimzi-kafka-operator",
  },
  // The workflow engine Kubeflow Pipelines runs on (chart appVersion v4.0.6; KFP 2.17 supports Argo 4.0).
  argoWorkflows: {
    chart: "argo-workflows",
    repository: "https://argoproj.github.io/argo-helm",
    version: "1.0.18",
    schemaDir: "argo-workflows",
  },
  // External Secrets Operator (appVersion v2.10.0). No reference values.yaml in the schema data: its release is
  // reported unchecked by scripts/validation; the kit's values are typed from the chart's values.yaml.
  externalSecrets: {
    chart: "external-secrets",
    repository: "https://charts.external-secrets.io",
    version: "2.10.0",
  },
  // MLflow tracking server and model registry (community-charts, appVersion 3.15.1).
  mlflow: {
    chart: "mlflow",
    repository: "https://community-charts.github.io/helm-charts",
    version: "1.11.5",
    schemaDir: "mlflow",
  },
  // Apache Airflow official chart (appVersion 3.2.2), the newest 1.x release. Not in the schema data (the
  // upstream repository is too large): its release is reported unchecked by scripts/validation, and the
  // values keys the kit accepts are recorded in constructs/addons/airflow/values.ts (sources in
  // airflow-values.md).
  airflow: {
    chart: "airflow",
    repository: "https://airflow.apache.org",
    version: "1.22.0",
  },
} as const satisfies Record<string, ChartPin>;

export type ChartKey = keyof typeof CHARTS;
