/**
 * The Fluent Bit pipeline (classic format, the chart's `config.service/inputs/filters/outputs`): tail every
 * container log with the `cri` parser (EKS runs containerd) into a filesystem buffer, add Kubernetes metadata,
 * shape the record for the backend (ecs-record.ts), and ship it to Elasticsearch or OpenSearch Service with
 * unlimited retries bounded by `storage.total_limit_size`.
 *
 * Where the line is parsed: in the backend's ingest pipeline (constructs/addons/logging/backend/ingest-pipeline.ts),
 * not in Fluent Bit. The kubernetes filter runs with `Merge_Log Off`: the pipeline expects the raw line in
 * `message`, tags lines that are not JSON, expands ECS's dotted keys and takes the event time from the line, the
 * same way on Elasticsearch and OpenSearch, and a merged record would reach it with `message` already replaced
 * (tagged as not JSON). One parser, tested against a real OpenSearch node, instead of two that could disagree.
 */
import type { CollectorConfig } from "./config";
import { ECS_RECORD_FUNCTION, ECS_RECORD_SCRIPT } from "./ecs-record";
import { COLLECTOR_ENV, COLLECTOR_METRICS_PORT, COLLECTOR_PATHS } from "./names";

/** Where the collector ships logs: ECK's Elasticsearch in the cluster, or an Amazon OpenSearch Service domain. */
export type CollectorOutput = ElasticsearchCollectorOutput | OpenSearchServiceCollectorOutput;

interface CollectorOutputBase {
  /** Index name prefix; Fluent Bit writes `<prefix>-YYYY.MM.DD` (the backend's `indexPrefix`). */
  readonly indexPrefix: string;
  /** Ingest pipeline every bulk request names (the backend's pipeline name). */
  readonly pipeline: string;
}

export interface ElasticsearchCollectorOutput extends CollectorOutputBase {
  readonly kind: "elasticsearch";
  /** Service host of the HTTP endpoint, e.g. `logs-es-http.logging.svc`. */
  readonly host: string;
  /** @default 9200 */
  readonly port?: number;
  /**
   * A Secret in the collector's namespace with the user Fluent Bit writes as; read by the kubelet into two
   * environment variables (secretKeyRef), never by the collector through the API and never put in values.
   */
  readonly credentialsSecretName: string;
  /** @default "username" */
  readonly usernameKey?: string;
  /** @default "password" */
  readonly passwordKey?: string;
  /** A Secret in the collector's namespace holding the CA that signed Elasticsearch's HTTP certificate. */
  readonly caSecretName: string;
  /** @default "ca.crt" */
  readonly caKey?: string;
  /** Namespace of the Elasticsearch pods: egress is then admitted only there. @default - any destination on `port` */
  readonly backendNamespace?: string;
}

export interface OpenSearchServiceCollectorOutput extends CollectorOutputBase {
  readonly kind: "opensearch-service";
  /** Domain endpoint host name (`vpc-…es.amazonaws.com`, no scheme). */
  readonly endpoint: string;
  readonly region: string;
  /** IAM role the domain's access policy admits; the collector's service account assumes it through IRSA. */
  readonly roleArn: string;
}

/** One section of a classic Fluent Bit configuration: its kind and its entries, in order. */
export interface FluentBitSection {
  readonly kind: "SERVICE" | "INPUT" | "FILTER" | "OUTPUT";
  readonly entries: readonly (readonly [string, string | number])[];
}

/** The tag of container records; the outputs match it. */
const TAG = "kube.*";
/** Fluent Bit reads `${VAR}` from its environment; Terraform would interpolate it, so `$${` is written. */
const env = (name: string) => `$\${${name}}`;

/** Fluent Bit's chunk size: `storage.max_chunks_up` counts chunks of about this many MiB. */
export const CHUNK_MIB = 2;

export function serviceSection(config: CollectorConfig): FluentBitSection {
  return {
    kind: "SERVICE",
    entries: [
      ["Daemon", "Off"],
      ["Flush", 1],
      ["Log_Level", "info"],
      ["HTTP_Server", "On"],
      ["HTTP_Listen", "0.0.0.0"],
      ["HTTP_Port", COLLECTOR_METRICS_PORT],
      ["Health_Check", "On"],
      // Chunks live on the node's disk (hostPath), so a restarted pod or backend picks up where it stopped.
      ["storage.path", `${COLLECTOR_PATHS.hostState}/buffer`],
      ["storage.sync", "normal"],
      ["storage.checksum", "Off"],
      // With filesystem buffering this bounds the chunks held in memory (Mem_Buf_Limit does not apply); the
      // others wait on disk, and the input is not paused (storage.pause_on_chunks_overlimit stays off).
      ["storage.max_chunks_up", Math.ceil(config.memBufLimitMiB / CHUNK_MIB)],
      ["storage.backlog.mem_limit", "16M"],
      ["storage.metrics", "On"],
    ],
  };
}

export function inputSections(config: CollectorConfig): FluentBitSection[] {
  const excluded = config.excludedNamespaces.map(
    (ns) => `${COLLECTOR_PATHS.hostLogs}/containers/*_${ns}_*.log`,
  );
  return [
    {
      kind: "INPUT",
      entries: [
        ["Name", "tail"],
        ["Tag", "kube.*"],
        ["Path", COLLECTOR_PATHS.containerLogs],
        ...(excluded.length > 0 ? [["Exclude_Path", excluded.join(",")] as const] : []),
        ["multiline.parser", "cri"],
        // Offsets survive restarts; a file seen for the first time is read from its start, so the lines a pod
        // wrote before the collector started on a new node are not skipped.
        ["DB", `${COLLECTOR_PATHS.hostState}/tail-containers.db`],
        ["DB.locking", "true"],
        ["Read_from_Head", "On"],
        ["Refresh_Interval", 10],
        ["Rotate_Wait", 30],
        // containerd splits lines at 16 KiB (joined again by the cri parser), so no physical line reaches this.
        ["Buffer_Max_Size", "128k"],
        ["Skip_Long_Lines", "On"],
        ["storage.type", "filesystem"],
      ],
    },
  ];
}

export function filterSections(): FluentBitSection[] {
  return [
    {
      kind: "FILTER",
      entries: [
        ["Name", "kubernetes"],
        ["Match", TAG],
        ["Kube_Tag_Prefix", "kube.var.log.containers."],
        // The backend's ingest pipeline parses the line (see the module comment).
        ["Merge_Log", "Off"],
        ["Keep_Log", "On"],
        ["Labels", "On"],
        ["Annotations", "Off"],
        // A pod must not choose to hide its logs or pick a parser through its own annotations.
        ["K8S-Logging.Parser", "Off"],
        ["K8S-Logging.Exclude", "Off"],
        // Pod metadata from the API server (pods get/list/watch), not the kubelet: no nodes/proxy permission.
        ["Use_Kubelet", "Off"],
        ["Buffer_Size", "0"],
      ],
    },
    {
      kind: "FILTER",
      entries: [
        ["Name", "lua"],
        ["Match", TAG],
        ["script", `${COLLECTOR_PATHS.scripts}/${ECS_RECORD_SCRIPT}`],
        ["call", ECS_RECORD_FUNCTION],
      ],
    },
  ];
}

export function outputSections(config: CollectorConfig, output: CollectorOutput): FluentBitSection[] {
  // Both plugins share the es-style options; they differ in endpoint, auth and TLS trust.
  const common = (name: string) =>
    [
      ["Name", name],
      ["Match", TAG],
      ["Logstash_Format", "On"],
      ["Logstash_Prefix", output.indexPrefix],
      ["Logstash_DateFormat", "%Y.%m.%d"],
      ["Time_Key", "@timestamp"],
      ["Pipeline", output.pipeline],
      ["Suppress_Type_Name", "On"],
      ["Replace_Dots", "Off"],
      // Retries go on while the chunks fit in the buffer; storage.total_limit_size then drops the oldest.
      ["Retry_Limit", config.retryLimit === "no_limits" ? "no_limits" : config.retryLimit],
      ["storage.total_limit_size", `${config.bufferSizeMiB}M`],
      ["tls", "On"],
      ["tls.verify", "On"],
    ] as const;
  if (output.kind === "elasticsearch") {
    return [
      {
        kind: "OUTPUT",
        entries: [
          ...common("es"),
          ["Host", output.host],
          ["Port", output.port ?? 9200],
          ["tls.ca_file", `${COLLECTOR_PATHS.tls}/ca.crt`],
          ["HTTP_User", env(COLLECTOR_ENV.username)],
          ["HTTP_Passwd", env(COLLECTOR_ENV.password)],
        ],
      },
    ];
  }
  return [
    {
      kind: "OUTPUT",
      entries: [
        ...common("opensearch"),
        ["Host", output.endpoint],
        ["Port", 443],
        // SigV4 with the IRSA role's web identity credentials (AWS_ROLE_ARN / AWS_WEB_IDENTITY_TOKEN_FILE).
        ["AWS_Auth", "On"],
        ["AWS_Region", output.region],
        ["AWS_Service_Name", "es"],
        // The regional STS endpoint: reachable through the VPC's STS endpoint, where the global one is not.
        ["AWS_STS_Endpoint", `https://sts.${output.region}.amazonaws.com`],
      ],
    },
  ];
}

/** Classic-format text of sections, as the chart's `config.*` values take it. */
export function renderSections(sections: readonly FluentBitSection[]): string {
  return sections
    .map((s) => [`[${s.kind}]`, ...s.entries.map(([k, v]) => `    ${k} ${v}`)].join("\n"))
    .join("\n\n")
    .concat("\n");
}
