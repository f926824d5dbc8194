/** Names the KFP components are known by (service accounts, ports, labels, databases), and how they reach the database. */

export const KFP_SERVICE_ACCOUNTS = {
  apiServer: "ml-pipeline",
  persistenceAgent: "ml-pipeline-persistenceagent",
  scheduledWorkflow: "ml-pipeline-scheduledworkflow",
  ui: "ml-pipeline-ui",
  metadataWriter: "kubeflow-pipelines-metadata-writer",
  metadataGrpc: "metadata-grpc-server",
  pipelineRunner: "pipeline-runner",
} as const;

export const KFP_PORTS = { apiHttp: 8888, apiGrpc: 8887, ui: 3000, metadataGrpc: 8080, envoy: 9090 } as const;

/**
 * Argo's workflow controller, as the argo-workflows chart labels its pods (`app.kubernetes.io/component` =
 * values `controller.name`) and the port it serves metrics on (values `controller.metricsConfig.port`).
 */
export const ARGO_CONTROLLER = {
  podLabels: { "app.kubernetes.io/component": "workflow-controller" },
  metricsPort: 9090,
} as const;

export const KFP_LABELS = {
  apiServer: { app: "ml-pipeline" },
  persistenceAgent: { app: "ml-pipeline-persistenceagent" },
  scheduledWorkflow: { app: "ml-pipeline-scheduledworkflow" },
  ui: { app: "ml-pipeline-ui" },
  metadataWriter: { app: "metadata-writer" },
  metadataGrpc: { component: "metadata-grpc-server" },
  metadataEnvoy: { component: "metadata-envoy" },
} as const;

/** How components reach the database: names of env sources, never the secret values. */
export interface DbConnection {
  readonly host: string;
  readonly port: number;
  /** Kubernetes Secret with key `password` (and `username` when `usernameFromSecret`). */
  readonly secretName: string;
  /** The user: from the secret's `username` key (RDS master secret), or this literal (in-cluster root). */
  readonly username: { readonly fromSecret: true } | { readonly value: string };
  /** go-sql-driver DSN params (TLS for RDS, which enforces `require_secure_transport`). */
  readonly extraParams: Readonly<Record<string, string>>;
  /** Key of the secret holding ML Metadata's full server config (used instead of the MySQL flags). */
  readonly mlmdConfigKey?: string;
}

export const PIPELINE_DB = "mlpipeline";
export const METADATA_DB = "metadb";
