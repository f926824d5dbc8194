import { describe, expect, it } from "vitest";
import { externalSecretsAddOn } from "../../../constructs/addons/external-secrets";
import { PlatformNamespace } from "../../../constructs/core";
import {
  APP_USER_SQL,
  type PostgresAppUserOptions,
  PSQL_IMAGE,
  postgresAppUser,
  postgresUriTemplate,
  URL_ESCAPED_PASSWORD,
} from "../../../constructs/database";
import { TEST_PLATFORM } from "../../support/cluster";
import { onlyResource, resourcesOf } from "../../support/synth";
import { type Json, manifests, probeAddOn, synthAddOns } from "../addons/external-secrets/support";

const MASTER_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!db-1-AbCdEf";

function synthAppUser(username = "mlflow", extra: Partial<PostgresAppUserOptions> = {}) {
  return synthAddOns([
    externalSecretsAddOn(),
    probeAddOn("app", ["external-secrets"], (c) => {
      const namespace = new PlatformNamespace(c.scope, "Ns", {
        name: "app",
        provider: c.cluster.kubernetesProvider,
      });
      return postgresAppUser(c, {
        id: "Db",
        namespace,
        host: "db.example.internal",
        port: 5432,
        masterSecretArn: MASTER_ARN,
        kmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/k",
        username,
        databaseName: "appdb",
        vpcCidr: TEST_PLATFORM.vpcCidr,
        ...extra,
      });
    }),
  ]);
}

describe("postgresAppUser", () => {
  const { json } = synthAppUser();
  const job = onlyResource(json, "kubernetes_job_v1") as Json;
  const pod = job.spec.template.spec;
  const container = pod.container[0];

  it("runs the bootstrap SQL from a ConfigMap with psql, without blocking the apply", () => {
    expect(job.wait_for_completion).toBe(false);
    expect(container.image).toBe(PSQL_IMAGE);
    expect(container.command).toEqual(["psql", "--no-psqlrc", "--file=/sql/app-user.sql"]);
    const cm = Object.values(resourcesOf(json, "kubernetes_config_map_v1")) as Json[];
    expect(cm.map((c) => c.data["app-user.sql"])).toEqual([APP_USER_SQL]);
  });

  it("takes the master credentials and the app password only from Secrets, over TLS", () => {
    const env = Object.fromEntries(
      container.env.map((e: Json) => [e.name, e.value ?? e.value_from.secret_key_ref]),
    );
    expect(env).toMatchObject({
      PGHOST: "db.example.internal",
      PGPORT: "5432",
      PGSSLMODE: "require",
      APP_DB_USER: "mlflow",
      APP_DB_NAME: "appdb",
      PGUSER: { name: "mlflow-db-master", key: "username" },
      PGPASSWORD: { name: "mlflow-db-master", key: "password" },
      APP_DB_PASSWORD: { name: "mlflow-db", key: "password" },
    });
  });

  it("syncs the master secret and generates the app password (hex) in the namespace", () => {
    const master = manifests(json, "ExternalSecret").find(
      (m) => m.metadata.name === "mlflow-db-master",
    ) as Json;
    expect(master.spec.dataFrom).toEqual([{ extract: { key: MASTER_ARN } }]);
    const app = manifests(json, "ExternalSecret").find((m) => m.metadata.name === "mlflow-db") as Json;
    expect(app.spec.refreshPolicy).toBe("CreatedOnce");
    expect(app.spec.target.template.data).toEqual({ username: "mlflow" });
    expect(manifests(json, "Password")[0].spec).toMatchObject({ length: 32, encoding: "hex" });
  });

  it("runs restricted, and may reach only the database port in the VPC", () => {
    expect(pod.security_context).toMatchObject({
      run_as_non_root: true,
      seccomp_profile: { type: "RuntimeDefault" },
    });
    expect(container.security_context).toMatchObject({
      allow_privilege_escalation: false,
      read_only_root_filesystem: true,
      capabilities: { drop: ["ALL"] },
    });
    const egress = (Object.values(resourcesOf(json, "kubernetes_network_policy_v1")) as Json[]).find(
      (p) => p.metadata.name === "allow-egress-db-bootstrap-database",
    ) as Json;
    expect(egress.spec.egress).toEqual([
      { to: [{ ip_block: { cidr: TEST_PLATFORM.vpcCidr } }], ports: [{ port: "5432", protocol: "TCP" }] },
    ]);
    expect(egress.spec.pod_selector.match_labels["app.kubernetes.io/name"]).toBe("mlflow-db-bootstrap");
  });

  it("fails when the username is not a plain PostgreSQL identifier", () => {
    expect(() => synthAppUser("ML-Flow")).toThrow(/invalid username: got "ML-Flow"/);
  });
});

describe("postgresAppUser with names, a kept secret id and templated keys", () => {
  const connection = postgresUriTemplate("postgresql+psycopg2", {
    username: "airflow",
    host: "db.example.internal",
    port: 5432,
    databaseName: "appdb",
  });
  const { json } = synthAppUser("airflow", {
    secretName: "airflow-metadata-db",
    masterSecretName: "airflow-db-master",
    jobName: "airflow-db-bootstrap",
    secretId: "DbConnection",
    template: { connection },
  });
  const job = onlyResource(json, "kubernetes_job_v1") as Json;
  const env = Object.fromEntries(
    job.spec.template.spec.container[0].env.map((e: Json) => [
      e.name,
      e.value ?? e.value_from.secret_key_ref,
    ]),
  );

  it("renders the extra keys from the generated password, next to username and password", () => {
    expect(connection).toBe(
      `postgresql+psycopg2://airflow:${URL_ESCAPED_PASSWORD}@db.example.internal:5432/appdb?sslmode=require`,
    );
    const app = manifests(json, "ExternalSecret").find(
      (m) => m.metadata.name === "airflow-metadata-db",
    ) as Json;
    expect(app.spec.target.template).toEqual({
      engineVersion: "v2",
      mergePolicy: "Merge",
      data: { username: "airflow", connection },
    });
    // The generator's `password` is the only generated key the template can read.
    expect(app.spec.dataFrom).toHaveLength(1);
    expect(app.spec.dataFrom[0].rewrite).toEqual([{ regexp: { source: "^password$", target: "password" } }]);
  });

  it("uses the given names for the master Secret, the Job, its ConfigMap and pod labels, and the given secret id", () => {
    expect(env.PGUSER).toEqual({ name: "airflow-db-master", key: "username" });
    expect(env.APP_DB_PASSWORD).toEqual({ name: "airflow-metadata-db", key: "password" });
    expect(job.metadata.name).toBe("airflow-db-bootstrap");
    expect(job.spec.template.metadata.labels["app.kubernetes.io/name"]).toBe("airflow-db-bootstrap");
    const cm = onlyResource(json, "kubernetes_config_map_v1") as Json;
    expect(cm.metadata.name).toBe("airflow-db-bootstrap");
    const keys = Object.keys(resourcesOf(json, "kubernetes_manifest"));
    expect(keys.some((k) => /_ExternalSecret-DbConnection_[0-9A-F]{8}$/.test(k))).toBe(true);
    expect(keys.some((k) => /_ExternalSecret-DbApp_/.test(k))).toBe(false);
    expect(manifests(json, "ExternalSecret").map((m) => m.metadata.name)).toEqual(
      expect.arrayContaining(["airflow-db-master", "airflow-metadata-db"]),
    );
  });

  it("fails when the database name is not a plain PostgreSQL identifier", () => {
    expect(() => synthAppUser("airflow", { databaseName: "app/db?x" })).toThrow(
      /invalid databaseName: got "app\/db\?x"; expected 1-63 of a-z/,
    );
  });

  it("fails when a templated key collides with a generated or literal key", () => {
    expect(() => synthAppUser("airflow", { template: { password: "{{ .password }}" } })).toThrow(
      /invalid template: got "password"/,
    );
  });

  it("fails when the URI scheme is not a URI scheme", () => {
    expect(() =>
      postgresUriTemplate("postgresql://", { username: "a", host: "h", port: 5432, databaseName: "d" }),
    ).toThrow(/invalid scheme: got "postgresql:\/\/"; expected a URI scheme/);
  });
});
