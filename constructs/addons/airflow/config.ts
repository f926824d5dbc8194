import { z } from "zod";
import { addOnConfigSection, parseAddOnConfig } from "../../core/addon-definition";
import { CHARTS } from "../../core/charts";
import { helmConfigSchema } from "../../core/helm-config";
import {
  closest,
  cpuQuantity,
  kubernetesSecretName,
  memoryQuantity,
  movedKeys,
  positiveInt,
  rdsAllocatedStorageGiB,
  rdsBackupRetentionInDays,
  rdsEngineVersion,
  rdsInstanceClass,
} from "../../primitives";
import { SECRETS_AFTER_RELEASE } from "../external-secrets/config";

/**
 * Configuration of the Airflow add-on (`addons.airflow` in the platform configuration). Cross-field checks
 * quote the offending value and name the field.
 */

/** Executors the kit supports with Airflow 3: KubernetesExecutor (the default) and CeleryExecutor. */
export const AIRFLOW_EXECUTORS = ["KubernetesExecutor", "CeleryExecutor"] as const;
export type AirflowExecutor = (typeof AIRFLOW_EXECUTORS)[number];

/** Executors Airflow knows but the kit refuses, with the reason. */
const UNSUPPORTED_EXECUTORS: Readonly<Record<string, string>> = {
  SequentialExecutor: "it was removed in Airflow 3",
  LocalExecutor: "it runs tasks inside the scheduler pod, sharing its IAM role and resources",
  CeleryKubernetesExecutor: "it was removed in Airflow 3 (use multiple executors instead)",
  LocalKubernetesExecutor: "it was removed in Airflow 3 (use multiple executors instead)",
};

const quoted = (v: unknown) => JSON.stringify(v);

/** Why an executor name is refused, with a did-you-mean when it looks like a typo; undefined when fine. */
export function executorProblem(value: unknown): string | undefined {
  if (typeof value === "string" && (AIRFLOW_EXECUTORS as readonly string[]).includes(value)) return undefined;
  const expected = `expected one of ${AIRFLOW_EXECUTORS.map(quoted).join(", ")}`;
  if (typeof value !== "string") return `executor ${quoted(value)} is not a string; ${expected}`;
  const reason = UNSUPPORTED_EXECUTORS[value];
  if (reason) return `executor ${quoted(value)} is not supported by the kit: ${reason}; ${expected}`;
  const guess = closest(value, [...AIRFLOW_EXECUTORS, ...Object.keys(UNSUPPORTED_EXECUTORS)]);
  const guessReason = guess ? UNSUPPORTED_EXECUTORS[guess] : undefined;
  const hint = guess
    ? `; did you mean ${quoted(guess)}?${guessReason ? ` (that one is not supported either: ${guessReason})` : ""}`
    : "";
  return `unknown executor ${quoted(value)}${hint}; ${expected}`;
}

/** `git@host:org/repo.git`, `ssh://git@host[:port]/org/repo.git` or `https://host/org/repo(.git)`. */
const SCP_LIKE = /^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:(?!\/\/)[A-Za-z0-9._~/-]+$/;

export type GitTransport = "https" | "ssh";

/** The transport of a git clone URL, or undefined when it is neither a valid https nor ssh URL. */
export function gitTransport(url: string): GitTransport | undefined {
  if (SCP_LIKE.test(url)) return "ssh";
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  const path = parsed.pathname.replace(/^\/+/, "");
  if (!parsed.hostname || !/^[A-Za-z0-9._~/-]+$/.test(path) || path.length === 0) return undefined;
  if (parsed.search || parsed.hash) return undefined;
  if (parsed.protocol === "https:") {
    // Credentials belong in a Secret, never in the URL (it ends up in Helm values and pod specs).
    return parsed.username || parsed.password ? undefined : "https";
  }
  if (parsed.protocol === "ssh:") return parsed.password ? undefined : "ssh";
  return undefined;
}

/** git-sync takes `user@host:path`; an `ssh://` URL is turned into that form (see the chart docs). */
export function gitSyncRepo(url: string): string {
  if (!url.startsWith("ssh://")) return url;
  const u = new URL(url);
  const user = u.username || "git";
  return u.port ? url : `${user}@${u.hostname}:${u.pathname.replace(/^\/+/, "")}`;
}

const GIT_REF = /^(?!\/|.*\/\/|.*\.\.|.*@\{|.*\.lock$)[A-Za-z0-9._/-]{1,200}$/;

export const AirflowComponentResourcesSchema = z
  .strictObject({
    cpu: cpuQuantity.describe("CPU request."),
    memory: memoryQuantity.describe("Memory request and limit."),
  })
  .describe("Requests (and the memory limit) of one Airflow component.");

const resources = (c: string, m: string, what: string) =>
  AirflowComponentResourcesSchema.default({ cpu: c, memory: m }).describe(what);

export const AirflowDatabaseSchema = z
  .strictObject({
    shareWith: z
      .enum(["mlflow"])
      .optional()
      .describe(
        'Use the RDS instance of this add-on ("mlflow") with a separate `airflow` database and user, created by a bootstrap Job. Default: an own instance.',
      ),
    instanceClass: rdsInstanceClass
      .default("db.t4g.medium")
      .describe("Instance class of the own instance (ignored when shared)."),
    allocatedStorageGiB: rdsAllocatedStorageGiB
      .default(20)
      .describe("Initial storage of the own instance (GiB)."),
    engineVersion: rdsEngineVersion("postgres")
      .default("17")
      .describe("PostgreSQL version of the own instance."),
    multiAz: z
      .boolean()
      .optional()
      .describe(
        'A standby in another AZ (own instance). Default: true when the environment is "prod" or "production".',
      ),
    backupRetentionInDays: rdsBackupRetentionInDays
      .default(7)
      .describe("Automated backup retention of the own instance, 7-35 days."),
    databaseName: z
      .string()
      .regex(
        /^[a-z][a-z0-9_]{0,62}$/,
        "expected a PostgreSQL identifier of a-z, 0-9, _ starting with a letter",
      )
      .default("airflow")
      .describe("Database (and, when shared, user) name for Airflow."),
  })
  .describe("Airflow's metadata database (PostgreSQL on RDS).");

export const AirflowGitSyncSchema = z
  .strictObject({
    repository: z
      .string()
      .refine((v) => gitTransport(v) !== undefined, {
        error: (iss) =>
          `gitSync.repository ${quoted(iss.input)} is not a git clone URL: expected https://host/org/repo.git (no credentials in the URL), ssh://git@host/org/repo.git or git@host:org/repo.git`,
        params: { formatted: true },
      })
      .describe("Repository holding the DAGs (https or ssh URL)."),
    branch: z
      .string()
      .regex(GIT_REF, "expected a git branch, tag or commit (a-z, 0-9, '.', '_', '-', '/')")
      .default("main")
      .describe("Branch, tag or commit to check out (git-sync v4 `ref`)."),
    subPath: z
      .string()
      .regex(
        /^(?!\/)(?!.*\.\.)[A-Za-z0-9._/-]*$/,
        "expected a relative path inside the repository, without '..'",
      )
      .default("dags")
      .describe('Folder of the DAGs inside the repository ("" for the root).'),
    periodInSeconds: positiveInt("periodInSeconds", 3600).default(60).describe("Seconds between syncs."),
    sshKeySecretName: kubernetesSecretName
      .optional()
      .describe(
        "Secret in the Airflow namespace with the SSH private key under `gitSshKey` (and `known_hosts`), for ssh URLs.",
      ),
    knownHosts: z
      .string()
      .regex(
        /^\S+ (ssh-(ed25519|rsa)|ecdsa-sha2-nistp(256|384|521)|sk-ssh-ed25519@openssh\.com) [A-Za-z0-9+/=]+( .*)?(\n\S+ \S+ [A-Za-z0-9+/=]+( .*)?)*\n?$/,
        'expected known_hosts lines like "github.com ssh-ed25519 AAAA…" (e.g. from ssh-keyscan)',
      )
      .optional()
      .describe(
        "The git server's public SSH host keys (known_hosts lines, not secret); required for ssh URLs so git-sync verifies the server.",
      ),
    credentialsSecretName: kubernetesSecretName
      .optional()
      .describe("Secret with `GITSYNC_USERNAME`/`GITSYNC_PASSWORD` for a private https repository."),
  })
  .describe("DAGs synced from git by git-sync sidecars / init containers.");

export const AirflowLogsSchema = z
  .strictObject({
    zone: z
      .string()
      .regex(/^[a-z][a-z0-9-]*$/, "expected a data lake zone name like raw or curated")
      .default("raw")
      .describe("Data lake zone (bucket) of the task logs."),
    prefix: z
      .string()
      .regex(/^([a-z0-9][a-z0-9._-]*\/)+$/, 'expected a key prefix ending in "/", like "airflow/logs/"')
      .default("airflow/logs/")
      .describe("Key prefix of the task logs in that zone; Airflow gets access to nothing else."),
  })
  .describe("Remote task logs in the data lake.");

export const AirflowResourcesSchema = z
  .strictObject({
    scheduler: resources("500m", "1Gi", "Scheduler."),
    apiServer: resources("250m", "1Gi", "API server (UI and REST API)."),
    dagProcessor: resources("250m", "512Mi", "DAG processor."),
    triggerer: resources("100m", "512Mi", "Triggerer."),
    workers: resources("500m", "1Gi", "Each task's worker pod (KubernetesExecutor) or Celery worker."),
  })
  .describe("Requests and memory limits per component.");

const AirflowConfigObject = z.strictObject({
  enabled: z.boolean().default(false).describe("Install Airflow."),
  executor: z
    .string()
    .default("KubernetesExecutor")
    .describe('"KubernetesExecutor" (a pod per task) or "CeleryExecutor" (Redis and Celery workers).'),
  database: AirflowDatabaseSchema.prefault({}),
  gitSync: AirflowGitSyncSchema.optional().describe("DAGs from git; without it no DAGs are deployed."),
  logs: AirflowLogsSchema.prefault({}),
  resources: AirflowResourcesSchema.prefault({}),
  schedulerReplicas: positiveInt("schedulerReplicas", 5).default(1).describe("Scheduler replicas."),
  apiServerReplicas: positiveInt("apiServerReplicas", 10).default(1).describe("API server replicas."),
  helm: helmConfigSchema(CHARTS.airflow, {
    valuesCheck: `Keys are checked against the chart's reference values (${CHARTS.airflow.referenceVersion}, the newest release the schema data proves); secret-valued keys are refused.`,
    noWaitReason: SECRETS_AFTER_RELEASE,
  }),
});

type Issue = { path: (string | number)[]; message: string };
type AirflowConfigParsed = z.output<typeof AirflowConfigObject>;

/** Cross-field checks on the config after defaults. */
export function airflowConfigProblems(c: AirflowConfigParsed): Issue[] {
  const out: Issue[] = [];
  const executor = executorProblem(c.executor);
  if (executor) out.push({ path: ["executor"], message: executor });
  const git = c.gitSync;
  if (git) {
    const transport = gitTransport(git.repository);
    if (transport === "https" && git.sshKeySecretName) {
      out.push({
        path: ["gitSync", "sshKeySecretName"],
        message: `gitSync.sshKeySecretName ${quoted(git.sshKeySecretName)} is set but gitSync.repository ${quoted(git.repository)} is an https URL; use an ssh URL or credentialsSecretName`,
      });
    }
    if (transport === "ssh" && !git.sshKeySecretName) {
      out.push({
        path: ["gitSync", "sshKeySecretName"],
        message: `gitSync.repository ${quoted(git.repository)} is an ssh URL, which needs gitSync.sshKeySecretName (a Secret with the private key under "gitSshKey")`,
      });
    }
    if (transport === "ssh" && !git.knownHosts) {
      out.push({
        path: ["gitSync", "knownHosts"],
        message: `gitSync.repository ${quoted(git.repository)} is an ssh URL, which needs gitSync.knownHosts (the server's host keys, e.g. from ssh-keyscan); without them git-sync would not verify the server`,
      });
    }
    if (transport === "https" && git.knownHosts) {
      out.push({
        path: ["gitSync", "knownHosts"],
        message: `gitSync.knownHosts is only used with ssh URLs; gitSync.repository ${quoted(git.repository)} is an https URL`,
      });
    }
    if (transport === "ssh" && git.credentialsSecretName) {
      out.push({
        path: ["gitSync", "credentialsSecretName"],
        message: `gitSync.credentialsSecretName ${quoted(git.credentialsSecretName)} is for https URLs; gitSync.repository ${quoted(git.repository)} is an ssh URL`,
      });
    }
  }
  return out;
}

export const AirflowConfigSchema = AirflowConfigObject.superRefine((c, ctx) => {
  for (const p of airflowConfigProblems(c)) {
    ctx.addIssue({ code: "custom", path: p.path, message: p.message, params: { formatted: true } });
  }
}).describe("Apache Airflow (official chart) with KubernetesExecutor, RDS metadata and S3 task logs.");
movedKeys(AirflowConfigSchema, { helmValues: "addons.airflow.helm.values" });

export type AirflowConfigInput = z.input<typeof AirflowConfigSchema>;
export type AirflowConfig = z.output<typeof AirflowConfigSchema> & { executor: AirflowExecutor };

/** `addons.airflow`: the section the platform schema and the add-on's registry entry share. */
export const AIRFLOW_CONFIG = addOnConfigSection({
  key: "airflow",
  title: "Airflow",
  schema: AirflowConfigSchema,
});

/** Parses (or re-checks) `addons.airflow`, with errors naming `addons.airflow.<path>` and the value. */
export function parseAirflowConfig(input: AirflowConfigInput | AirflowConfig): AirflowConfig {
  return parseAddOnConfig(AIRFLOW_CONFIG, input) as AirflowConfig;
}

/**
 * Cross-add-on check for the platform configuration: sharing MLflow's database needs MLflow enabled. Returns
 * the problem (path relative to `addons`) or undefined.
 */
export function airflowSharingProblem(
  airflow: { enabled?: boolean; database?: { shareWith?: string } } | undefined,
  mlflow: { enabled?: boolean } | undefined,
): Issue | undefined {
  const share = airflow?.database?.shareWith;
  if (!airflow?.enabled || share !== "mlflow" || mlflow?.enabled) return undefined;
  return {
    path: ["airflow", "database", "shareWith"],
    message: `airflow.database.shareWith ${quoted(share)} needs addons.mlflow.enabled: true (MLflow is disabled); enable MLflow or remove shareWith to give Airflow its own instance`,
  };
}
