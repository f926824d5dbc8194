/**
 * Every Helm chart the kit installs, pinned in one place. Versions match the upstream reference data in
 * `../shared/schemas/charts/<chart>` (see its SOURCES.md), which the tests validate values against, except
 * where a pin names an older `referenceVersion` because the pinned release could not be collected.
 * Upgrading a chart: change its version here, refresh the reference data, run `npm test`.
 */
/**
 * Chart versions a user may choose instead of a pin (`addons.<name>.helm.chartVersion`, `chartVersion` prop),
 * never below the pin: `"patch"` keeps major and minor (fixes of the chart the kit's values and the reference
 * data were checked against); `"minor"` keeps the major. Anything further needs a new pin here, with its
 * reference data refreshed and `npm test` run.
 */
export type ChartVersionPolicy = "patch" | "minor";

export interface ChartPin {
  /** Chart name in its repository. */
  readonly chart: string;
  /** Helm repository URL (or `oci://` registry). */
  readonly repository: string;
  /** Exact chart version. */
  readonly version: string;
  /** How far `helm.chartVersion` may move away from `version`. */
  readonly versionPolicy: ChartVersionPolicy;
  /** Folder name under `schemas/charts/` holding the chart's reference `values.yaml`. */
  readonly schemaDir?: string;
  /**
   * The older release the reference data holds when the pinned one could not be collected (SOURCES.md, "Not
   * collected"): the kit's values are validated against it and every report names the gap. Only for a
   * reason not to pin the older release; remove it once the data has the pinned version.
   */
  readonly referenceVersion?: string;
}

export const CHARTS = {
  nvidiaDevicePlugin: {
    chart: "nvidia-device-plugin",
    repository: "https://nvidia.github.io/k8s-device-plugin",
    version: "0.20.0",
    versionPolicy: "patch",
    schemaDir: "nvidia-device-plugin",
  },
  // NVIDIA's GPU telemetry exporter (exporter 4.8.2, DCGM 4.5.3) on the GPU pools, scraped by the monitoring add-on.
  dcgmExporter: {
    chart: "dcgm-exporter",
    repository: "https://nvidia.github.io/dcgm-exporter/helm-charts",
    version: "4.8.2",
    versionPolicy: "patch",
    schemaDir: "dcgm-exporter",
  },
  // The tagged Chart.yaml says 0.1.1; Strimzi's release build publishes it as 1.2.0 (see SOURCES.md).
  strimziKafkaOperator: {
    chart: "strimzi-kafka-operator",
    repository: "oci://quay.io/strimzi-helm",
    version: "1.2.0",
    versionPolicy: "patch",
    schemaDir: "strimzi-kafka-operator",
  },
  // The workflow engine Kubeflow Pipelines runs on (chart appVersion v4.0.6; KFP 2.17 supports Argo 4.0).
  argoWorkflows: {
    chart: "argo-workflows",
    repository: "https://argoproj.github.io/argo-helm",
    version: "1.0.18",
    versionPolicy: "patch",
    schemaDir: "argo-workflows",
  },
  // External Secrets Operator (appVersion v2.10.0). The reference data holds 2.9.0 (chart and CRDs; 2.10.0 was
  // not in the upstream snapshot). Kept at 2.10.0: the chart installs the CRDs, and going back a release
  // would roll the CRDs of running clusters back too. Values and ESO resources are validated against 2.9.0.
  externalSecrets: {
    chart: "external-secrets",
    repository: "https://charts.external-secrets.io",
    version: "2.10.0",
    versionPolicy: "patch",
    schemaDir: "external-secrets",
    referenceVersion: "2.9.0",
  },
  // MLflow tracking server and model registry (community-charts, appVersion 3.15.1).
  mlflow: {
    chart: "mlflow",
    repository: "https://community-charts.github.io/helm-charts",
    version: "1.11.5",
    versionPolicy: "patch",
    schemaDir: "mlflow",
  },
  // Apache Airflow official chart (appVersion 3.2.2), the newest 1.x release. The reference data holds 1.19.0
  // (Airflow 3.1.7), the newest release its provenance could prove. Kept at 1.22.0: pinning 1.19.0 would
  // downgrade Airflow on running platforms, and Airflow 3.1 cannot run on a metadata database that 3.2 has
  // migrated. Values are validated against 1.19.0 (see constructs/addons/airflow/values.md).
  airflow: {
    chart: "airflow",
    repository: "https://airflow.apache.org",
    version: "1.22.0",
    versionPolicy: "patch",
    schemaDir: "airflow",
    referenceVersion: "1.19.0",
  },
  // Prometheus Operator, Prometheus, Alertmanager, Grafana, node-exporter and kube-state-metrics (operator
  // v0.93.1). Its subcharts' own values are not in the reference data; the validation leaves them open.
  kubePrometheusStack: {
    chart: "kube-prometheus-stack",
    repository: "https://prometheus-community.github.io/helm-charts",
    version: "88.5.3",
    versionPolicy: "patch",
    schemaDir: "kube-prometheus-stack",
  },
  // Fluent Bit (appVersion 5.1.1): the log collector of the logging add-on, for both of its backends.
  fluentBit: {
    chart: "fluent-bit",
    repository: "https://fluent.github.io/helm-charts",
    version: "0.58.1",
    versionPolicy: "patch",
    schemaDir: "fluent-bit",
  },
  // Elastic Cloud on Kubernetes operator (appVersion 3.5.0; Elastic License 2.0), with its CRDs subchart
  // eck-operator-crds 3.5.0. The Elasticsearch/Kibana version it runs is ELASTIC_STACK_VERSION (logging/names.ts).
  eckOperator: {
    chart: "eck-operator",
    repository: "https://helm.elastic.co",
    version: "3.5.0",
    versionPolicy: "patch",
    schemaDir: "eck-operator",
  },
  // The resource metrics API (metrics-server 0.8.1) that HorizontalPodAutoscalers and `kubectl top` read.
  metricsServer: {
    chart: "metrics-server",
    repository: "https://kubernetes-sigs.github.io/metrics-server/",
    version: "3.13.1",
    versionPolicy: "patch",
    schemaDir: "metrics-server",
  },
  // ExternalDNS (appVersion 0.21.0): Route 53 records for the platform's ingresses and services (opt-in).
  externalDns: {
    chart: "external-dns",
    repository: "https://kubernetes-sigs.github.io/external-dns/",
    version: "1.21.1",
    versionPolicy: "patch",
    schemaDir: "external-dns",
  },
  // AWS Load Balancer Controller (appVersion v3.5.0): the ALBs of every `ingress` option. Its IAM policy is the
  // document AWS publishes for the same release, kept verbatim beside the add-on: LOAD_BALANCER_CONTROLLER_IAM_POLICY_SOURCE.
  awsLoadBalancerController: {
    chart: "aws-load-balancer-controller",
    repository: "https://aws.github.io/eks-charts",
    version: "3.5.0",
    versionPolicy: "patch",
    schemaDir: "aws-load-balancer-controller",
  },
  // Karpenter (appVersion 1.14.1), the node autoscaler. Its CRDs come from the separate karpenter-crd chart of the
  // same version (templates, so `helm upgrade` updates them; a chart's crds/ folder is never upgraded by Helm).
  karpenter: {
    chart: "karpenter",
    repository: "oci://public.ecr.aws/karpenter",
    version: "1.14.1",
    versionPolicy: "patch",
    schemaDir: "karpenter",
  },
  karpenterCrd: {
    chart: "karpenter-crd",
    repository: "oci://public.ecr.aws/karpenter",
    version: "1.14.1",
    versionPolicy: "patch",
    schemaDir: "karpenter-crd",
  },
  // KServe v0.20.0 (Apache-2.0), the default serving engine, in RawDeployment mode: kserve-crd holds the CRDs
  // (templates, so upgrades update them), kserve-resources the controller and its webhooks. Chart versions carry
  // a leading "v" as KServe publishes them at oci://ghcr.io/kserve/charts.
  kserveCrd: {
    chart: "kserve-crd",
    repository: "oci://ghcr.io/kserve/charts",
    version: "v0.20.0",
    versionPolicy: "patch",
    schemaDir: "kserve-crd",
  },
  kserveResources: {
    chart: "kserve-resources",
    repository: "oci://ghcr.io/kserve/charts",
    version: "v0.20.0",
    versionPolicy: "patch",
    schemaDir: "kserve-resources",
  },
  // cert-manager v1.21.1 (Apache-2.0): issues the serving certificates of KServe's webhooks (kserve-resources
  // renders a cert-manager Certificate and Issuer and the `cert-manager.io/inject-ca-from` annotations whatever
  // its values say). No reference data in ../shared/schemas: the values' keys are checked in
  // test/constructs/addons/cert-manager against the keys the chart documents (constructs/addons/cert-manager/README.md).
  certManager: {
    chart: "cert-manager",
    repository: "https://charts.jetstack.io",
    version: "v1.21.1",
    versionPolicy: "patch",
  },
  // Envoy Gateway v1.9.0 (Apache-2.0): the Gateway API implementation whose HTTPRoutes split and mirror the
  // KServe engine's traffic. Its chart installs the Gateway API and Envoy Gateway CRDs as templates (crds.enabled).
  envoyGateway: {
    chart: "gateway-helm",
    repository: "oci://docker.io/envoyproxy",
    version: "v1.9.0",
    versionPolicy: "patch",
    schemaDir: "gateway-helm",
  },
  // Seldon Core 2 v2.10.2 — Business Source License 1.1 (production use needs a commercial licence; the serving
  // add-on asks for an explicit acknowledgement). CRDs, operator (setup) and the per-namespace runtime.
  seldonCoreV2Crds: {
    chart: "seldon-core-v2-crds",
    repository: "https://seldonio.github.io/helm-charts",
    version: "2.10.2",
    versionPolicy: "patch",
    schemaDir: "seldon-core-v2-crds",
  },
  seldonCoreV2Setup: {
    chart: "seldon-core-v2-setup",
    repository: "https://seldonio.github.io/helm-charts",
    version: "2.10.2",
    versionPolicy: "patch",
    schemaDir: "seldon-core-v2-setup",
  },
  seldonCoreV2Runtime: {
    chart: "seldon-core-v2-runtime",
    repository: "https://seldonio.github.io/helm-charts",
    version: "2.10.2",
    versionPolicy: "patch",
    schemaDir: "seldon-core-v2-runtime",
  },
} as const satisfies Record<string, ChartPin>;

export type ChartKey = keyof typeof CHARTS;

/**
 * Where `constructs/addons/aws-load-balancer-controller/iam-policy.json` comes from, byte for byte: the policy
 * AWS publishes for the controller release the chart pin installs. Upgrading the chart: take the file from the
 * new tag unchanged and update this (a test compares it with the reference data, ../shared/schemas/iam).
 */
export const LOAD_BALANCER_CONTROLLER_IAM_POLICY_SOURCE = {
  repository: "https://github.com/kubernetes-sigs/aws-load-balancer-controller",
  tag: "v3.5.0",
  path: "docs/install/iam_policy.json",
} as const;

/** The versions a pin's policy allows: `>=min <below`. */
export interface ChartVersionRange {
  readonly min: string;
  readonly below: string;
}

const SEMVER = /^v?(\d+)\.(\d+)\.(\d+)$/;

function semver(version: string): [number, number, number] | undefined {
  const m = SEMVER.exec(version);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

export function allowedChartVersions(pin: ChartPin): ChartVersionRange {
  const [major, minor] = semver(pin.version) ?? [0, 0, 0];
  const below = pin.versionPolicy === "patch" ? `${major}.${minor + 1}.0` : `${major + 1}.0.0`;
  return { min: pin.version, below };
}

/** The policy in words, for descriptions and messages: `>=1.11.5 <1.12.0 (the pin's major and minor)`. */
export function describeChartVersions(pin: ChartPin): string {
  const { min, below } = allowedChartVersions(pin);
  return `>=${min} <${below} (the pin's ${pin.versionPolicy === "patch" ? "major and minor" : "major"})`;
}

/**
 * What a chart version override should have been, or undefined when `version` is within the pin's policy.
 * Callers prefix the path and the value they got.
 */
export function chartVersionProblem(pin: ChartPin, version: string): string | undefined {
  const v = semver(version);
  const { min, below } = allowedChartVersions(pin);
  if (v && compare(v, semver(min)) >= 0 && compare(v, semver(below)) < 0) return undefined;
  return `expected an exact ${pin.chart} chart version ${describeChartVersions(pin)}; another version needs a new pin in constructs/core/charts.ts`;
}

function compare(a: readonly number[], b: readonly number[] = [0, 0, 0]): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}
