import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { deepMerge } from "../../../../constructs/core/merge";
import { schemasLocation } from "../../../../scripts/validation";
import type { ClusterSecrets } from "../../../support/job-process";
import type { Json } from "../../../support/manifests";

/**
 * What the community-charts `mlflow` chart (the pinned 1.11.5) makes of the kit's values for the tracking server
 * container, turned into a local process: the chart's values.yaml defaults under the kit's values (as Helm merges
 * them); the auth INI as auth_ini_configmap.yaml writes it and the ini-file-initializer's sed fills it from the
 * Secrets; the server's args and env as deployment.yaml and configmap.yaml (env-configmap) give them. Only the
 * branches the kit uses are modelled: anything else throws, naming the value, so a test never runs a server the
 * chart would not start. What the cluster supplies is a parameter: Secret values, the database's loopback
 * address in place of the RDS endpoint, and a local artifacts directory in place of S3.
 */
export interface ChartServer {
  readonly args: string[];
  readonly env: Record<string, string>;
  /** The INI file's content (mounted at MLFLOW_AUTH_CONFIG_PATH in the pod). */
  readonly authIni: string;
  /** The merged values the process was derived from. */
  readonly values: Json;
}

export interface ChartServerOptions {
  readonly secrets: ClusterSecrets;
  readonly port: number;
  /** The RDS endpoint (as synthesized) → the loopback database. */
  readonly database: {
    readonly from: { host: string; port: number };
    readonly to: { host: string; port: number };
  };
  readonly artifactsDir: string;
  readonly authConfigPath: string;
  /** The chart's generated flask-server-secret-key (one Secret shared by every replica). */
  readonly flaskSecretKey: string;
}

/** The chart's own defaults (values.yaml of the reference data), under the kit's values. */
export function chartValues(kitValues: Json): Json {
  const dir = schemasLocation().dir;
  if (!dir) throw new Error(`chart reference data unavailable: ${schemasLocation().reason}`);
  const defaults = parseYaml(readFileSync(join(dir, "charts", "mlflow", "values.yaml"), "utf8")) as Json;
  return deepMerge<Json>(defaults, kitValues);
}

function secret(secrets: ClusterSecrets, name: string, key: string): string {
  const value = secrets[name]?.[key];
  if (value === undefined) throw new Error(`Secret ${name} key ${key} is not in the test's cluster secrets`);
  return value;
}

function relocate(
  o: Pick<ChartServerOptions, "database">,
  host: string,
  port: number,
): { host: string; port: number } {
  const { from, to } = o.database;
  if (host !== from.host || Number(port) !== from.port) {
    throw new Error(`database ${host}:${port} is not the RDS endpoint ${from.host}:${from.port}`);
  }
  return to;
}

/** auth_ini_configmap.yaml (auth.enabled, not ldapAuth) with the init container's sed substitutions applied. */
function authIni(v: Json, o: ChartServerOptions): string {
  const auth = v.auth;
  let databaseUri: string;
  if (auth.postgres.enabled) {
    const driver = auth.postgres.driver ? `+${auth.postgres.driver}` : "";
    const db = relocate(o, auth.postgres.host, auth.postgres.port);
    const ref = auth.postgres.existingSecret;
    if (!ref.name)
      throw new Error("auth.postgres without existingSecret: the chart would template a password");
    const user = secret(o.secrets, ref.name, ref.usernameKey);
    const password = secret(o.secrets, ref.name, ref.passwordKey);
    databaseUri = `postgresql${driver}://${user}:${password}@${db.host}:${db.port}/${auth.postgres.database}`;
  } else {
    const path = auth.sqliteFullPath ? `${String(auth.sqliteFullPath).replace(/\/$/, "")}/` : "";
    databaseUri = `sqlite:///${path}${auth.sqliteFile}`;
  }
  const admin = auth.existingAdminSecret;
  if (!admin.name)
    throw new Error("auth without existingAdminSecret: the chart would template the admin password");
  if (!auth.authorizationFunction) throw new Error("auth.authorizationFunction can not be empty!");
  return [
    "[mlflow]",
    `default_permission = ${auth.defaultPermission}`,
    `database_uri = ${databaseUri}`,
    `admin_username = ${secret(o.secrets, admin.name, admin.usernameKey)}`,
    `admin_password = ${secret(o.secrets, admin.name, admin.passwordKey)}`,
    `authorization_function = ${auth.authorizationFunction}`,
    "",
  ].join("\n");
}

export function chartServer(kitValues: Json, o: ChartServerOptions): ChartServer {
  const v = chartValues(kitValues);
  if (!v.auth.enabled || v.ldapAuth.enabled || v.oidcAuth.enabled) {
    throw new Error("chartServer models basic auth only (auth.enabled, no ldapAuth/oidcAuth)");
  }
  const backend = v.backendStore;
  if (!backend.postgres.enabled || !backend.existingDatabaseSecret.name) {
    throw new Error("chartServer models backendStore.postgres with existingDatabaseSecret only");
  }
  if (!v.artifactRoot.proxiedArtifactStorage || !v.artifactRoot.s3.enabled) {
    throw new Error("chartServer models proxied S3 artifacts only");
  }
  const db = relocate(o, backend.postgres.host, backend.postgres.port);
  const driver = backend.postgres.driver ? `+${backend.postgres.driver}` : "";
  const dbSecret = backend.existingDatabaseSecret;
  const env: Record<string, string> = {
    // env-configmap
    PGHOST: db.host,
    PGPORT: String(db.port),
    PGDATABASE: backend.postgres.database,
    ...(v.telemetry.enabled ? {} : { MLFLOW_DISABLE_TELEMETRY: "true", DO_NOT_TRACK: "true" }),
    ...((v.serverAllowedHosts as string[]).length > 0
      ? { MLFLOW_SERVER_ALLOWED_HOSTS: (v.serverAllowedHosts as string[]).join(",") }
      : {}),
    // flask-server-secret-key
    MLFLOW_FLASK_SERVER_SECRET_KEY: o.flaskSecretKey,
    // the container's env
    MLFLOW_AUTH_CONFIG_PATH: o.authConfigPath,
    PGPASSWORD: secret(o.secrets, dbSecret.name, dbSecret.passwordKey),
    PGUSER: secret(o.secrets, dbSecret.name, dbSecret.usernameKey),
    ...Object.fromEntries(Object.entries(v.extraEnvVars as Json).map(([k, x]) => [k, String(x)])),
  };
  const args = [
    "server",
    `--host=127.0.0.1`,
    `--port=${o.port}`,
    `--backend-store-uri=postgresql${driver}://`,
    // s3://<bucket>/<path> in the cluster; a local directory here (no AWS).
    `--artifacts-destination=${o.artifactsDir}`,
    "--serve-artifacts",
    `--app-name=${v.auth.appName}`,
    // One worker: the tests' two servers stand for the two replicas.
    "--workers=1",
  ];
  return { args, env, authIni: authIni(v, o), values: v };
}

export interface InitContainerProcess {
  /** The container's command and args, mount paths relocated to the local directories. */
  readonly argv: string[];
  /** Its env as the kubelet resolves it (values and secretKeyRefs), the database relocated, nothing else. */
  readonly env: Record<string, string>;
}

export interface InitContainerOptions {
  readonly secrets: ClusterSecrets;
  readonly database: ChartServerOptions["database"];
  /**
   * The pod's volumes (deployment.yaml) → local directories: `tmp` (emptyDir), and `ini-file` (emptyDir, holding
   * `auth_result.ini` as ini-file-initializer writes it; only with auth.enabled).
   */
  readonly volumes: { readonly tmp: string; readonly "ini-file"?: string };
}

/** The fields of a kit init container this model resolves; any other (envFrom, subPath mounts …) throws. */
const INIT_CONTAINER_FIELDS = new Set([
  "name",
  "image",
  "command",
  "args",
  "env",
  "resources",
  "securityContext",
  "volumeMounts",
]);

/**
 * One of the kit's `initContainers` (the chart renders them verbatim, after dbchecker and ini-file-initializer,
 * so the auth INI is written) turned into a local process, like `chartServer` for the server container.
 */
export function chartInitContainer(
  kitValues: Json,
  name: string,
  o: InitContainerOptions,
): InitContainerProcess {
  const v = chartValues(kitValues);
  const found = ((v.initContainers ?? []) as Json[]).filter((c) => c.name === name);
  if (found.length !== 1) throw new Error(`expected one init container ${name}, found ${found.length}`);
  const c = found[0];
  for (const key of Object.keys(c)) {
    if (!INIT_CONTAINER_FIELDS.has(key)) throw new Error(`init container ${name}: ${key} is not modelled`);
  }
  const volumes: Record<string, string | undefined> = {
    tmp: o.volumes.tmp,
    ...(v.auth.enabled ? { "ini-file": o.volumes["ini-file"] } : {}),
  };
  const mounts: [string, string][] = [];
  for (const m of (c.volumeMounts ?? []) as Json[]) {
    const local = volumes[m.name];
    if (!local || m.subPath)
      throw new Error(`init container ${name}: mount ${JSON.stringify(m)} not modelled`);
    mounts.push([m.mountPath, local]);
  }
  const relocatePaths = (s: string) => mounts.reduce((a, [path, local]) => a.split(path).join(local), s);
  const env: Record<string, string> = {};
  for (const e of (c.env ?? []) as Json[]) {
    const ref = e.valueFrom?.secretKeyRef;
    if (e.valueFrom && !ref) throw new Error(`init container ${name}: env ${e.name} not modelled`);
    env[e.name] = ref ? secret(o.secrets, ref.name, ref.key) : relocatePaths(String(e.value));
  }
  if (env.PGHOST !== undefined) {
    const db = relocate(o, env.PGHOST, Number(env.PGPORT));
    env.PGHOST = db.host;
    env.PGPORT = String(db.port);
  }
  const argv = [...((c.command ?? []) as string[]), ...((c.args ?? []) as string[])].map(relocatePaths);
  return { argv, env };
}
