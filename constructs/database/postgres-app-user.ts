import { ConfigMapV1 } from "@cdktf/provider-kubernetes/lib/config-map-v1";
import { JobV1 } from "@cdktf/provider-kubernetes/lib/job-v1";
import {
  type GeneratedSecret,
  generatedSecret,
  type SyncedSecret,
  syncSecret,
} from "../addons/external-secrets/sync-secret";
import type { AddOnContext } from "../core/addon";
import type { PlatformNamespace } from "../core/platform-namespace";
import { scriptJobSpec } from "../core/script-job";

/** psql for the bootstrap Job: the official image's Debian variant (user `postgres` = uid/gid 999). */
export const PSQL_IMAGE = "docker.io/library/postgres:17.6-bookworm";
const PSQL_UID = 999;

/**
 * Idempotent psql script run as the RDS master user: the application role exists with the password generated
 * in the cluster and only LOGIN, owns the application database, and PUBLIC cannot connect to that database.
 * Values come from environment variables (`\getenv`, psql 15+) and are quoted by `format(%I, %L)`: nothing is
 * interpolated by a shell or by Terraform.
 */
export const APP_USER_SQL = [
  "\\set ON_ERROR_STOP on",
  "\\getenv app_user APP_DB_USER",
  "\\getenv app_db APP_DB_NAME",
  "\\getenv app_password APP_DB_PASSWORD",
  "SELECT format('CREATE ROLE %I LOGIN', :'app_user') WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'app_user') \\gexec",
  // No NOSUPERUSER: only a superuser may name that attribute, and CREATE ROLE already defaults to it.
  "SELECT format('ALTER ROLE %I WITH LOGIN NOCREATEDB NOCREATEROLE PASSWORD %L', :'app_user', :'app_password') \\gexec",
  // The RDS master is not a superuser: to hand a database to a role it must be a member of that role.
  "SELECT format('GRANT %I TO CURRENT_USER', :'app_user') \\gexec",
  "SELECT format('CREATE DATABASE %I OWNER %I', :'app_db', :'app_user') WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'app_db') \\gexec",
  "SELECT format('ALTER DATABASE %I OWNER TO %I', :'app_db', :'app_user') \\gexec",
  "SELECT format('REVOKE ALL ON DATABASE %I FROM PUBLIC', :'app_db') \\gexec",
  "",
].join("\n");

/**
 * ESO template (engine v2: Go text/template with sprig) of the generated password, percent-encoded for a URI:
 * `urlquery` escapes everything but `[A-Za-z0-9-_.~]`, except that it turns a space into `+`, which a URI's
 * userinfo would keep as a plus; hence the `replace`. (The generated password is hex, so this is defence in
 * depth.)
 */
export const URL_ESCAPED_PASSWORD = '{{ .password | urlquery | replace "+" "%20" }}';

/**
 * A PostgreSQL URI for the role's generated Secret (`template` option), e.g. SQLAlchemy's
 * `postgresql+psycopg2://app:…@host:5432/app?sslmode=require`. Username and database are plain identifiers
 * (checked by `postgresAppUser`), the password is `URL_ESCAPED_PASSWORD`.
 */
export function postgresUriTemplate(
  scheme: string,
  parts: { username: string; host: string; port: number; databaseName: string },
): string {
  if (!/^[a-z][a-z0-9+.-]*$/.test(scheme)) {
    throw new Error(
      `postgresUriTemplate: invalid scheme: got ${JSON.stringify(scheme)}; expected a URI scheme such as "postgresql+psycopg2"`,
    );
  }
  const { username, host, port, databaseName } = parts;
  return `${scheme}://${username}:${URL_ESCAPED_PASSWORD}@${host}:${port}/${databaseName}?sslmode=require`;
}

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

export interface PostgresAppUserOptions {
  /** Construct id fragment, unique within the add-on. */
  readonly id: string;
  readonly namespace: PlatformNamespace;
  readonly host: string;
  readonly port: number;
  /** RDS-managed master secret (`RdsDatabase.masterSecretArn`). */
  readonly masterSecretArn: string;
  readonly kmsKeyArn: string;
  /** Application role and database (created when missing; an existing database is handed to the role). */
  readonly username: string;
  readonly databaseName: string;
  /** Kubernetes Secret with the application `username`/`password`. @default `<username>-db` */
  readonly secretName?: string;
  /** Secret the master credentials are synced into. @default `<secretName>-master` */
  readonly masterSecretName?: string;
  /** Name of the Job, its ConfigMap and its pods' `app.kubernetes.io/name`. @default `<secretName>-bootstrap` */
  readonly jobName?: string;
  /**
   * Construct id of the generated Secret, for callers that must keep an existing one: a new id replaces the
   * ExternalSecret, and with it the Secret and the password. @default `<id>App`
   */
  readonly secretId?: string;
  /**
   * Extra keys of the generated Secret, rendered by ESO from its `password` (Go template, engine v2), e.g.
   * `{ connection: postgresUriTemplate("postgresql+psycopg2", …) }`. @default {}
   */
  readonly template?: Readonly<Record<string, string>>;
  /** VPC CIDR: the Job's egress to the database port. */
  readonly vpcCidr: string;
}

export interface PostgresAppUser {
  /** Secret with `username` and `password` of the application role (generated in the cluster, never rotated). */
  readonly secretName: string;
  /** Secret with the master user's `username`/`password`, read only by the bootstrap Job. */
  readonly masterSecretName: string;
  readonly appSecret: GeneratedSecret;
  readonly masterSecret: SyncedSecret;
  readonly script: ConfigMapV1;
  readonly job: JobV1;
  readonly podLabels: Readonly<Record<string, string>>;
}

const SECRET_REF = (name: string, key: string) => ({ valueFrom: { secretKeyRef: { name, key } } });

/**
 * An application role with its own password for an RDS PostgreSQL instance, so components never connect as
 * the master user and RDS rotating the master password never breaks their connections. ESO syncs the master
 * secret and generates the role's password in the namespace; a Job runs `APP_USER_SQL` with psql over TLS. The
 * Job does not block the apply (`wait_for_completion: false`): its Secrets appear only after the manifests stack
 * is applied, and its pod starts then; it is idempotent, so re-running it is harmless.
 */
export function postgresAppUser(context: AddOnContext, options: PostgresAppUserOptions): PostgresAppUser {
  const ns = options.namespace.name;
  const secretName = options.secretName ?? `${options.username}-db`;
  const masterSecretName = options.masterSecretName ?? `${secretName}-master`;
  const jobName = options.jobName ?? `${secretName}-bootstrap`;
  const podLabels = { "app.kubernetes.io/name": jobName, "app.kubernetes.io/component": "db-bootstrap" };
  // Checked here, not only by PostgreSQL: both names also go unquoted into URIs built by `template`.
  for (const field of ["username", "databaseName"] as const) {
    if (!IDENTIFIER.test(options[field])) {
      throw new Error(
        `postgresAppUser: invalid ${field}: got ${JSON.stringify(options[field])}; expected 1-63 of a-z, 0-9, '_' starting with a letter or '_'`,
      );
    }
  }

  const masterSecret = syncSecret(context, {
    id: `${options.id}Master`,
    namespace: ns,
    name: masterSecretName,
    secretArn: options.masterSecretArn,
    kmsKeyArn: options.kmsKeyArn,
    template: { username: "{{ .username }}", password: "{{ .password }}" },
  });
  // Hex: safe in URIs, INI files and shells, whatever the consumer does with it.
  const appSecret = generatedSecret(context, {
    id: options.secretId ?? `${options.id}App`,
    namespace: ns,
    name: secretName,
    keys: { password: { length: 32, encoding: "hex" } },
    literals: { username: options.username },
    template: options.template,
  });

  const script = new ConfigMapV1(context.scope, `${options.id}BootstrapScript`, {
    provider: context.cluster.kubernetesProvider,
    metadata: { name: jobName, namespace: ns },
    data: { "app-user.sql": APP_USER_SQL },
    dependsOn: [options.namespace.resource],
  });

  options.namespace.allowEgress(
    `${options.id}BootstrapDatabase`,
    {
      to: [{ ipBlock: { cidr: options.vpcCidr } }],
      ports: [{ port: String(options.port), protocol: "TCP" }],
    },
    podLabels,
  );

  const job = new JobV1(context.scope, `${options.id}Bootstrap`, {
    provider: context.cluster.kubernetesProvider,
    metadata: { name: jobName, namespace: ns, labels: podLabels },
    spec: scriptJobSpec(podLabels, {
      uid: PSQL_UID,
      container: {
        name: "psql",
        image: PSQL_IMAGE,
        command: ["psql", "--no-psqlrc", "--file=/sql/app-user.sql"],
        env: [
          { name: "PGHOST", value: options.host },
          { name: "PGPORT", value: String(options.port) },
          { name: "PGDATABASE", value: "postgres" },
          { name: "PGSSLMODE", value: "require" },
          { name: "PGCONNECT_TIMEOUT", value: "10" },
          { name: "PGUSER", ...SECRET_REF(masterSecretName, "username") },
          { name: "PGPASSWORD", ...SECRET_REF(masterSecretName, "password") },
          { name: "APP_DB_USER", value: options.username },
          { name: "APP_DB_NAME", value: options.databaseName },
          { name: "APP_DB_PASSWORD", ...SECRET_REF(secretName, "password") },
        ],
        resources: { requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "128Mi" } },
      },
      script: { volume: "sql", configMap: script.metadata.name, mountPath: "/sql" },
    }),
    waitForCompletion: false,
    dependsOn: [options.namespace.resource],
  });
  return { secretName, masterSecretName, appSecret, masterSecret, script, job, podLabels };
}
