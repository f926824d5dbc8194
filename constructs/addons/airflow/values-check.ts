import { CHARTS } from "../../core/charts";
import { closest } from "../../primitives";
import { AIRFLOW_VALUE_KEYS } from "./values";

/**
 * Checks of Airflow chart values against the recorded key list (`AIRFLOW_VALUE_KEYS`) and against secrets
 * written into values. The generic validation cannot check this chart (no reference data), so these are the
 * checks the add-on runs on its typed values merged with the user's `helmValues`.
 */

/**
 * A listed key without listed children is open: its content is not chart-defined (airflow.cfg sections in
 * `config`, Kubernetes objects passed through verbatim such as `resources`, `affinity`, security contexts and
 * probes, free maps such as labels and annotations), so anything below it is accepted.
 */
export interface ValuesKeyProblem {
  readonly path: string;
  readonly message: string;
}

const KNOWN = new Set(Object.keys(AIRFLOW_VALUE_KEYS));
/** Every proper prefix of a listed key: the maps whose children are checked. */
const PARENTS = new Set(
  [...KNOWN].flatMap((k) =>
    k
      .split(".")
      .slice(0, -1)
      .map((_, i, a) => a.slice(0, i + 1).join(".")),
  ),
);

function childKeys(prefix: string): string[] {
  const depth = prefix ? prefix.split(".").length : 0;
  const under = [...KNOWN].filter((k) => (prefix ? k.startsWith(`${prefix}.`) : true));
  return [...new Set(under.map((k) => k.split(".")[depth] as string))].sort();
}

function isMap(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** Every key path of `values` that the Airflow chart does not have (by the recorded key list). */
export function airflowValuesKeyProblems(values: Record<string, unknown>): ValuesKeyProblem[] {
  const chart = `${CHARTS.airflow.chart} ${CHARTS.airflow.version}`;
  const out: ValuesKeyProblem[] = [];
  const walk = (node: Record<string, unknown>, prefix: string) => {
    for (const [key, value] of Object.entries(node)) {
      const path = prefix ? `${prefix}.${key}` : key;
      if (PARENTS.has(path) && isMap(value)) walk(value, path);
      else if (KNOWN.has(path)) continue;
      else {
        const siblings = childKeys(prefix);
        const guess = closest(key, siblings);
        const suggestion = guess
          ? `; did you mean ${JSON.stringify(prefix ? `${prefix}.${guess}` : guess)}?`
          : "";
        const known = `${siblings.slice(0, 15).join(", ")}${siblings.length > 15 ? ", …" : ""}`;
        out.push({
          path,
          message: `chart ${chart}: unknown values key ${JSON.stringify(path)}${suggestion} (known keys at ${prefix || "the top level"}: ${known})`,
        });
      }
    }
  };
  walk(values, "");
  return out;
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

/** Throws one error listing every unknown key and every secret value, naming the chart. */
export function assertAirflowValueKeys(values: Record<string, unknown>): void {
  const problems = [...airflowValuesKeyProblems(values), ...airflowSecretValueProblems(values)];
  if (problems.length > 0) {
    throw new Error(
      `invalid Helm values for chart ${CHARTS.airflow.chart} ${CHARTS.airflow.version}:\n${problems.map((p) => `  - ${p.message}`).join("\n")}`,
    );
  }
}
