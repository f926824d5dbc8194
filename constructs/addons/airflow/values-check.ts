import { CHARTS } from "../../core/charts";

/**
 * Refuses secrets written into Airflow chart values: they would land in Terraform state and plans. Whether a
 * key exists in the chart is checked by scripts/validation against the chart's reference data (values.md).
 */

export interface ValuesKeyProblem {
  readonly path: string;
  readonly message: string;
}

function isMap(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/**
 * Chart keys whose value is a secret (values.yaml): the kit provides each through a Secret name instead, and a
 * user override must not put one back into Helm values (and so into Terraform state and plans).
 */
export const AIRFLOW_SECRET_VALUE_KEYS = [
  "fernetKey",
  "apiSecretKey",
  "jwtSecret",
  "webserverSecretKey",
  "data.metadataConnection",
  "data.resultBackendConnection",
  "data.brokerUrl",
  "redis.password",
  "flower.password",
  "webserver.defaultUser.password",
  "createUserJob.defaultUser.password",
  "dags.gitSync.sshKey",
  "kerberos.keytabBase64Content",
  "registry.connection",
  "elasticsearch.connection",
  "opensearch.connection",
  "pgbouncer.ssl.key",
  "postgresql.auth.password",
  "postgresql.auth.postgresPassword",
] as const;

/** airflow.cfg options (`config.<section>.<option>`) and env var names that hold credentials. */
const SECRET_OPTION =
  /(password|passwd|secret(_key)?|token|fernet_key|sql_alchemy_conn|broker_url|result_backend|_conn)$/i;
/** Airflow's indirections name a command or a secrets backend entry, not the secret itself. */
const INDIRECTION = /(_cmd|_secret)$/i;

/** Every place in `values` where a secret would be written into Helm values. */
export function airflowSecretValueProblems(values: Record<string, unknown>): ValuesKeyProblem[] {
  const chart = `${CHARTS.airflow.chart} ${CHARTS.airflow.version}`;
  const out: ValuesKeyProblem[] = [];
  const at = (path: string): unknown =>
    path.split(".").reduce<unknown>((v, k) => (isMap(v) ? v[k] : undefined), values);
  for (const path of AIRFLOW_SECRET_VALUE_KEYS) {
    const v = at(path);
    if (v !== undefined && v !== null && v !== "" && !(isMap(v) && Object.keys(v).length === 0)) {
      out.push({
        path,
        message: `chart ${chart}: values key ${JSON.stringify(path)} would put a secret into Helm values; the kit provides it through a Secret (see the Airflow README)`,
      });
    }
  }
  const config = values.config;
  if (isMap(config)) {
    for (const [section, options] of Object.entries(config)) {
      if (!isMap(options)) continue;
      for (const option of Object.keys(options)) {
        if (SECRET_OPTION.test(option) && !INDIRECTION.test(option)) {
          out.push({
            path: `config.${section}.${option}`,
            message: `chart ${chart}: airflow.cfg option [${section}] ${option} holds a credential; pass it from a Secret (values key "secret" or "extraEnvFrom") or use ${option}_secret / ${option}_cmd`,
          });
        }
      }
    }
  }
  const env = values.env;
  if (Array.isArray(env)) {
    for (const [i, e] of env.entries()) {
      const name = isMap(e) && typeof e.name === "string" ? e.name : "";
      const value = isMap(e) && typeof e.value === "string" ? e.value : "";
      // A connection URI with a password (`scheme://user:pass@host`) or a JSON connection with one.
      const credentialConnection =
        /^AIRFLOW_CONN_/.test(name) &&
        (/:\/\/[^/@\s]*:[^/@\s]+@/.test(value) || /"(password|aws_secret_access_key)"\s*:/i.test(value));
      const secretName = SECRET_OPTION.test(name) && !INDIRECTION.test(name) && isMap(e) && "value" in e;
      if (name && (secretName || credentialConnection)) {
        out.push({
          path: `env[${i}]`,
          message: `chart ${chart}: env ${name} holds a credential as a plain value; use the values key "secret" (envName, secretName, secretKey) instead`,
        });
      }
    }
  }
  return out;
}

/** Throws one error listing every secret value, naming the chart. */
export function assertNoAirflowSecretValues(values: Record<string, unknown>): void {
  const problems = airflowSecretValueProblems(values);
  if (problems.length > 0) {
    throw new Error(
      `invalid Helm values for chart ${CHARTS.airflow.chart} ${CHARTS.airflow.version}:\n${problems.map((p) => `  - ${p.message}`).join("\n")}`,
    );
  }
}
