/**
 * A team environment's corner of Kibana (issue 13, logging add-on in `eck` mode): a Kibana space
 * `team-<name>-<env>` whose default data view reads the filtered alias `logs-team-<name>-<env>`, i.e. the log
 * indices limited to the team's namespace (`kubernetes.namespace`).
 *
 * Terraform cannot call Kibana or Elasticsearch without their credentials passing through its values, so a
 * CronJob in the logging namespace does it, as the logging add-on's own bootstrap does: curl as the `elastic`
 * user, whose password ECK generated into a Secret that is mounted, never read by Terraform. Every request is
 * idempotent (create-or-409 then update, `override`, `overwrite`), so the Job re-runs safely; it runs on a
 * schedule because an alias only covers the indices that exist when it is added, and the collector opens a new
 * daily index. A Job named after a hash of the requests runs them at once on apply.
 *
 * A filtered alias scopes what the space shows; it is not a security boundary (Elastic documents that a
 * filtered alias does not restrict document access: use document-level security, a paid feature, for that).
 */
import { createHash } from "node:crypto";
import { ConfigMapV1 } from "@cdktf/provider-kubernetes/lib/config-map-v1";
import { CronJobV1 } from "@cdktf/provider-kubernetes/lib/cron-job-v1";
import { JobV1 } from "@cdktf/provider-kubernetes/lib/job-v1";
import type { KubernetesProvider } from "@cdktf/provider-kubernetes/lib/provider";
import type { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { BOOTSTRAP_IMAGE } from "../addons/logging/eck/bootstrap";
import { eckNames, kibanaService, LOGGING_NAMESPACE, LOGGING_PORTS } from "../addons/logging/names";
import { scriptPodSpec } from "../core/script-job";

/** curlimages/curl's user and group. */
const CURL_UID = 100;
const CURL_GID = 101;

export interface TeamLogSpaceOptions {
  readonly team: string;
  readonly environment: string;
  /** The team environment's namespace: the only one whose logs the alias shows. */
  readonly namespace: string;
  /** The log indices (the log backend's `indexPattern`). @default "logs-containers-*" */
  readonly indexPattern?: string;
}

/** One call of the bootstrap script, to Elasticsearch or Kibana; any status outside `ok` fails the run. */
export interface LogSpaceRequest {
  readonly target: "elasticsearch" | "kibana";
  readonly method: "POST" | "PUT";
  readonly path: string;
  readonly body: unknown;
  readonly ok: readonly number[];
}

export interface TeamLogSpaceNames {
  readonly space: string;
  readonly alias: string;
  readonly dataView: string;
}

export function teamLogSpaceNames(team: string, environment: string): TeamLogSpaceNames {
  const id = `team-${team}-${environment}`;
  return { space: id, alias: `logs-${id}`, dataView: `${id}-logs` };
}

/** The requests, in order: the alias first (the data view reads it), then the space, its data view, its default. */
export function teamLogSpaceRequests(o: TeamLogSpaceOptions): LogSpaceRequest[] {
  const n = teamLogSpaceNames(o.team, o.environment);
  const space = {
    id: n.space,
    name: `Team ${o.team} (${o.environment})`,
    description: `Logs of namespace ${o.namespace}. Managed by the MLOps platform kit: changes are overwritten.`,
    disabledFeatures: [],
  };
  return [
    {
      // Adds (or replaces) the alias on every log index that exists now; 404 while there is none yet.
      target: "elasticsearch",
      method: "POST",
      path: "/_aliases",
      body: {
        actions: [
          {
            add: {
              index: o.indexPattern ?? "logs-containers-*",
              alias: n.alias,
              filter: { term: { "kubernetes.namespace": o.namespace } },
            },
          },
        ],
      },
      ok: [200, 404],
    },
    // Create, or 409 when it exists; then update, so a changed name or description is applied too.
    { target: "kibana", method: "POST", path: "/api/spaces/space", body: space, ok: [200, 409] },
    { target: "kibana", method: "PUT", path: `/api/spaces/space/${n.space}`, body: space, ok: [200] },
    {
      target: "kibana",
      method: "POST",
      path: `/s/${n.space}/api/data_views/data_view`,
      body: {
        data_view: {
          id: n.dataView,
          title: n.alias,
          name: `Team ${o.team} ${o.environment} logs`,
          timeFieldName: "@timestamp",
        },
        override: true,
      },
      ok: [200],
    },
    {
      target: "kibana",
      method: "POST",
      path: `/s/${n.space}/api/data_views/default`,
      body: { data_view_id: n.dataView, force: true },
      ok: [200],
    },
  ];
}

/**
 * POSIX sh + curl: each `<nn>.path` of the requests directory is sent with `<nn>.method` to `<nn>.target` with
 * the body `<nn>.json`; a status not listed in `<nn>.ok` fails the run (the Job retries). The password reaches
 * curl as a config on stdin, never on its command line. `kbn-xsrf` is Kibana's required header for writes.
 */
export const LOG_SPACE_SCRIPT = `#!/bin/sh
set -eu
dir="\${REQUESTS_DIR:-/requests}"
password=$(cat "\${ELASTIC_PASSWORD_FILE:-/elastic/elastic}")
retry="--retry \${CURL_RETRIES:-10} --retry-delay 6 --retry-all-errors --connect-timeout 10 --max-time 60"
count=0
for file in "$dir"/*.path; do
  n="\${file%.path}"
  target=$(cat "$n.target")
  method=$(cat "$n.method")
  path=$(cat "$file")
  ok=$(cat "$n.ok")
  case "$target" in
    elasticsearch) base="$ELASTICSEARCH_URL"; ca="\${ELASTICSEARCH_CA:-/ca/elasticsearch/ca.crt}" ;;
    kibana) base="$KIBANA_URL"; ca="\${KIBANA_CA:-/ca/kibana/ca.crt}" ;;
    *) echo "unknown target $target in $n.target" >&2; exit 1 ;;
  esac
  echo "$method $target $path"
  answer=$(printf 'user = "elastic:%s"\\n' "$password" |
    curl -sS $retry --config - --cacert "$ca" -w '\\n%{http_code}' -X "$method" \\
      -H 'Content-Type: application/json' -H 'kbn-xsrf: mlops-platform-kit' \\
      --data-binary "@$n.json" "$base$path")
  code=$(printf '%s\\n' "$answer" | tail -n 1)
  printf '%s\\n' "$answer" | sed '$d'
  case " $ok " in
    *" $code "*) ;;
    *) echo "HTTP $code for $method $path; expected one of: $ok" >&2; exit 1 ;;
  esac
  count=$((count + 1))
done
echo "applied $count request(s)"
`;

/** The requests as ConfigMap entries `<nn>.{target,method,path,json,ok}`, numbered so the script keeps their order. */
export function logSpaceRequestFiles(requests: readonly LogSpaceRequest[]): Record<string, string> {
  const files: Record<string, string> = {};
  requests.forEach((r, i) => {
    if (!/^\/[A-Za-z0-9_./-]+$/.test(r.path))
      throw new Error(
        `Invalid request ${i}: path ${JSON.stringify(r.path)}; expected / and letters, digits, _ . -`,
      );
    const n = String(i + 1).padStart(2, "0");
    files[`${n}.target`] = r.target;
    files[`${n}.method`] = r.method;
    files[`${n}.path`] = r.path;
    files[`${n}.json`] = JSON.stringify(r.body);
    files[`${n}.ok`] = r.ok.join(" ");
  });
  return files;
}

export interface TeamLogSpaceProps extends TeamLogSpaceOptions {
  readonly provider: KubernetesProvider;
  /** When the CronJob re-adds the alias to new daily indices. @default "17 * * * *" (hourly) */
  readonly schedule?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * The ConfigMap (script and requests), a Job that applies them once per change and a CronJob that re-applies
 * them, in the logging namespace (where ECK's Secrets are and the default-deny policy admits in-namespace
 * traffic to Elasticsearch and Kibana). Only with the logging add-on in `eck` mode.
 */
export class TeamLogSpace extends Construct {
  readonly names: TeamLogSpaceNames;
  readonly configMap: ConfigMapV1;
  readonly job: JobV1;
  readonly cronJob: CronJobV1;

  constructor(scope: Construct, id: string, props: TeamLogSpaceProps) {
    super(scope, id);
    this.names = teamLogSpaceNames(props.team, props.environment);
    const provider = props.provider;
    const name = `${this.names.space}-logs`;
    const ns = LOGGING_NAMESPACE;
    const es = eckNames();
    const data = { "bootstrap.sh": LOG_SPACE_SCRIPT, ...logSpaceRequestFiles(teamLogSpaceRequests(props)) };
    const labels = {
      ...props.labels,
      "app.kubernetes.io/name": name,
      "app.kubernetes.io/component": "team-log-space",
    };
    this.configMap = new ConfigMapV1(this, "Requests", {
      provider,
      metadata: { name, namespace: ns, labels },
      data,
      dependsOn: props.dependsOn,
    });
    // ECK's: the superuser's password (key `elastic`) and each HTTP layer's self-signed CA (`ca.crt`).
    const ca = (name: string, secretName: string) => ({
      name,
      mountPath: `/ca/${name.replace(/-ca$/, "")}`,
      secretName,
      items: [{ key: "ca.crt", path: "ca.crt" }],
    });
    const podSpec = scriptPodSpec({
      uid: CURL_UID,
      gid: CURL_GID,
      container: {
        name: "bootstrap",
        image: BOOTSTRAP_IMAGE,
        command: ["/bin/sh", "/requests/bootstrap.sh"],
        env: [
          {
            name: "ELASTICSEARCH_URL",
            value: `https://${es.httpService}.${ns}.svc:${LOGGING_PORTS.elasticsearch}`,
          },
          { name: "KIBANA_URL", value: `https://${kibanaService()}.${ns}.svc:${LOGGING_PORTS.kibana}` },
        ],
        resources: { requests: { cpu: "10m", memory: "16Mi" }, limits: { memory: "64Mi" } },
      },
      script: { volume: "requests", configMap: name, mountPath: "/requests" },
      secretVolumes: [
        {
          name: "elastic-user",
          mountPath: "/elastic",
          secretName: es.elasticUserSecret,
          items: [{ key: "elastic", path: "elastic" }],
        },
        ca("elasticsearch-ca", es.httpCaSecret),
        ca("kibana-ca", `${kibanaService()}-certs-public`),
      ],
    });
    // A Job's pod template is immutable: a hash of what it applies names it, so a change runs a new one.
    const hash = createHash("sha256").update(JSON.stringify(data)).digest("hex").slice(0, 8);
    this.job = new JobV1(this, "Job", {
      provider,
      metadata: { name: `${name}-${hash}`, namespace: ns, labels },
      spec: {
        backoffLimit: 10,
        activeDeadlineSeconds: 3600,
        template: { metadata: { labels }, spec: podSpec },
      },
      waitForCompletion: false,
      dependsOn: [this.configMap],
    });
    this.cronJob = new CronJobV1(this, "CronJob", {
      provider,
      metadata: { name, namespace: ns, labels },
      spec: {
        schedule: props.schedule ?? "17 * * * *",
        concurrencyPolicy: "Forbid",
        successfulJobsHistoryLimit: 1,
        failedJobsHistoryLimit: 3,
        jobTemplate: {
          metadata: { labels },
          spec: {
            backoffLimit: 3,
            activeDeadlineSeconds: 1800,
            template: { metadata: { labels }, spec: podSpec },
          },
        },
      },
      dependsOn: [this.configMap],
    });
  }
}
