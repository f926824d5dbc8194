import { createHash } from "node:crypto";
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from "../../../core/pod-security";
import { ilmPolicy, indexTemplate, ingestPipeline, type ResolvedLogBackend } from "../backend";
import type { LoggingConfig } from "../config";
import { eckNames, LOGGING_POD_LABELS, LOGGING_PORTS } from "../names";

/**
 * Loads the log backend into Elasticsearch once it is up: ILM policy, ingest pipeline and index template (the
 * backend's builders), then the S3 snapshot repository and its SLM policy. ECK has no free-licence resource for
 * these (StackConfigPolicy needs an Enterprise licence), so a Job does it with `curl`, as the `elastic` user
 * whose password ECK generated into a Secret: the password never passes through Terraform.
 */

/** curl and a POSIX shell, nothing else; runs as its image's non-root user. */
export const BOOTSTRAP_IMAGE = "docker.io/curlimages/curl:8.11.1";
const CURL_UID = 100;

/** One API call of the bootstrap: `PUT <path>` with the JSON in the ConfigMap key `file`. */
export interface BootstrapRequest {
  readonly path: string;
  readonly file: string;
  readonly body: unknown;
}

export interface BootstrapSnapshots {
  readonly repository: string;
  readonly bucketName: string;
  readonly schedule: string;
  readonly expireAfterDays: number;
}

/** The requests, in the order they must run (the template names the pipeline and the ILM policy). */
export function bootstrapRequests(
  backend: ResolvedLogBackend,
  snapshots?: BootstrapSnapshots,
): BootstrapRequest[] {
  const requests: BootstrapRequest[] = [
    { path: `_ilm/policy/${backend.name}`, file: "ilm-policy.json", body: ilmPolicy(backend) },
    { path: `_ingest/pipeline/${backend.name}`, file: "ingest-pipeline.json", body: ingestPipeline(backend) },
    {
      path: `_index_template/${backend.name}`,
      file: "index-template.json",
      body: indexTemplate(backend, "elasticsearch"),
    },
  ];
  if (snapshots) {
    requests.push(
      {
        path: `_snapshot/${snapshots.repository}`,
        file: "snapshot-repository.json",
        // Credentials come from the IRSA token (no keystore entries); objects get the bucket's SSE-KMS default.
        body: { type: "s3", settings: { bucket: snapshots.bucketName, base_path: "elasticsearch" } },
      },
      {
        path: `_slm/policy/${backend.name}`,
        file: "slm-policy.json",
        body: {
          schedule: snapshots.schedule,
          name: `<${backend.name}-snap-{now/d}>`,
          repository: snapshots.repository,
          config: { indices: [backend.indexPattern], include_global_state: false },
          retention: { expire_after: `${snapshots.expireAfterDays}d`, min_count: 5, max_count: 100 },
        },
      },
    );
  }
  return requests;
}

/** The shell script: wait for a yellow cluster, then PUT every document, failing (and retrying) on any error. */
export function bootstrapScript(requests: readonly BootstrapRequest[], url: string): string {
  return [
    "set -eu",
    `ES=${url}`,
    'AUTH="elastic:$(cat /elastic/elastic)"',
    'until curl -fsS --cacert /ca/ca.crt -u "$AUTH" "$ES/_cluster/health?wait_for_status=yellow&timeout=30s" >/dev/null; do',
    '  echo "waiting for Elasticsearch"; sleep 10',
    "done",
    ...requests.map(
      (r) =>
        `curl -fsS --cacert /ca/ca.crt -u "$AUTH" -X PUT -H 'Content-Type: application/json' "$ES/${r.path}" --data-binary @/bootstrap/${r.file}; echo " ${r.path}"`,
    ),
  ].join("\n");
}

export interface BootstrapProps {
  readonly config: LoggingConfig;
  readonly backend: ResolvedLogBackend;
  readonly namespace: string;
  readonly elasticsearchName: string;
  readonly snapshots?: BootstrapSnapshots;
}

export interface BootstrapObjects {
  readonly configMap: Record<string, unknown>;
  readonly job: Record<string, unknown>;
}

/**
 * A ConfigMap with the documents and a Job running the script. The Job's name carries a hash of what it loads,
 * so a changed document gives a new Job (a Job's pod template cannot be updated in place).
 */
export function bootstrapObjects(props: BootstrapProps): BootstrapObjects {
  const requests = bootstrapRequests(props.backend, props.snapshots);
  const names = eckNames(props.elasticsearchName);
  const url = `https://${names.httpService}.${props.namespace}.svc:${LOGGING_PORTS.elasticsearch}`;
  const script = bootstrapScript(requests, url);
  const data = Object.fromEntries(requests.map((r) => [r.file, JSON.stringify(r.body, null, 2)]));
  // Unresolved tokens (the snapshot bucket's name) are hashed as one placeholder: their encoded form carries a
  // counter that moves with every token created earlier in the app, which would rename the Job for nothing.
  const stable = JSON.stringify({ data, script }).replace(/\$\{TfToken\[[^\]]*\]\}/g, "<token>");
  const hash = createHash("sha256").update(stable).digest("hex").slice(0, 10);
  const name = `logging-bootstrap-${hash}`;
  const configMap = {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name, namespace: props.namespace },
    data,
  };
  const job = {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name, namespace: props.namespace, labels: LOGGING_POD_LABELS.bootstrap },
    spec: {
      // Retries cover a cluster that takes long to form; the loop inside waits for it too.
      backoffLimit: 10,
      activeDeadlineSeconds: 3600,
      template: {
        metadata: { labels: LOGGING_POD_LABELS.bootstrap },
        spec: {
          restartPolicy: "OnFailure",
          automountServiceAccountToken: false,
          securityContext: restrictedPodSecurityContext({ runAsUser: CURL_UID, runAsGroup: CURL_UID }),
          containers: [
            {
              name: "bootstrap",
              image: BOOTSTRAP_IMAGE,
              command: ["/bin/sh", "-c", script],
              resources: {
                requests: { cpu: "10m", memory: "32Mi" },
                limits: { memory: "64Mi" },
              },
              securityContext: restrictedContainerSecurityContext({
                runAsUser: CURL_UID,
                runAsGroup: CURL_UID,
              }),
              volumeMounts: [
                { name: "documents", mountPath: "/bootstrap", readOnly: true },
                { name: "elastic-user", mountPath: "/elastic", readOnly: true },
                { name: "http-ca", mountPath: "/ca", readOnly: true },
              ],
            },
          ],
          volumes: [
            { name: "documents", configMap: { name } },
            // Created by ECK: the superuser's password (key `elastic`) and the HTTP CA (key `ca.crt`).
            {
              name: "elastic-user",
              secret: { secretName: names.elasticUserSecret, items: [{ key: "elastic", path: "elastic" }] },
            },
            {
              name: "http-ca",
              secret: { secretName: names.httpCaSecret, items: [{ key: "ca.crt", path: "ca.crt" }] },
            },
          ],
        },
      },
    },
  };
  return { configMap, job };
}
