import { describe, expect, it } from "vitest";
import { BOOTSTRAP_SQL, POSTGRES_CLIENT_IMAGE } from "../../../constructs/orchestration";
import type { AirflowConfigInput } from "../../../constructs/orchestration/airflow-config";
import { mlflowAddOn } from "../../../constructs/registry";
import { TEST_PLATFORM } from "../../support/cluster";
import { onlyResource, resourcesOf } from "../../support/synth";
import {
  type Json,
  MLFLOW_DB,
  manifestNamed,
  mlflowStub,
  policyNamed,
  synthAirflow,
  TEST_GIT,
} from "./airflow-support";

const BASE: AirflowConfigInput = { enabled: true, gitSync: TEST_GIT };

describe("Airflow add-on: own RDS instance", () => {
  const { json } = synthAirflow({ ...BASE, database: { multiAz: true, backupRetentionInDays: 14 } });
  const db = onlyResource(json, "aws_db_instance") as Json;

  it("is encrypted with the platform key, private, backed up as configured and protected", () => {
    expect(db).toMatchObject({
      engine: "postgres",
      identifier: "acme-dev-airflow",
      db_name: "airflow",
      storage_encrypted: true,
      kms_key_id: "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555",
      publicly_accessible: false,
      multi_az: true,
      backup_retention_period: 14,
      deletion_protection: true,
    });
    expect(db.lifecycle).toMatchObject({ prevent_destroy: true });
    const subnets = onlyResource(json, "aws_db_subnet_group") as Json;
    expect(subnets.subnet_ids).toEqual(TEST_PLATFORM.privateSubnetIds);
    const ingress = onlyResource(json, "aws_vpc_security_group_ingress_rule") as Json;
    expect(ingress).toMatchObject({ referenced_security_group_id: "sg-0123456789abcdef0", from_port: 5432 });
  });

  it("turns deletion protection and prevent_destroy off only in a sandbox", () => {
    const sandbox = synthAirflow(BASE, [], { sandbox: true }).json;
    const sdb = onlyResource(sandbox, "aws_db_instance") as Json;
    expect(sdb.deletion_protection).toBe(false);
    expect(sdb.lifecycle?.prevent_destroy).toBeUndefined();
  });

  it("connects Airflow as its own role over TLS, never as the master user", () => {
    const connection = manifestNamed(json, "ExternalSecret", "airflow-metadata-db");
    expect(connection.spec.target.template.data.connection).toBe(
      `postgresql://airflow:{{ .password }}@\${${"aws_db_instance"}.${Object.keys(resourcesOf(json, "aws_db_instance"))[0]}.address}:5432/airflow?sslmode=require`,
    );
    expect(connection.spec.target.template.mergePolicy).toBe("Merge");
    const master = manifestNamed(json, "ExternalSecret", "airflow-db-master");
    expect(master.spec.dataFrom[0].extract.key).toMatch(
      /^\$\{aws_db_instance\..+\.master_user_secret\[0\]\.secret_arn\}$/,
    );
  });
});

describe("Airflow add-on: sharing MLflow's instance", () => {
  const { json, outputs } = synthAirflow({ ...BASE, database: { shareWith: "mlflow" } }, [mlflowStub]);
  const job = onlyResource(json, "kubernetes_job_v1") as Json;
  const pod = job.spec.template.spec;
  const container = pod.container[0];
  const env = Object.fromEntries(container.env.map((e: Json) => [e.name, e]));

  it("creates no RDS instance and points the connection at MLflow's", () => {
    expect(resourcesOf(json, "aws_db_instance")).toEqual({});
    expect(outputs.database.instance).toBeUndefined();
    expect(outputs.database.host).toBe(MLFLOW_DB.address);
    const connection = manifestNamed(json, "ExternalSecret", "airflow-metadata-db");
    expect(connection.spec.target.template.data.connection).toBe(
      `postgresql://airflow:{{ .password }}@${MLFLOW_DB.address}:5432/airflow?sslmode=require`,
    );
    const master = manifestNamed(json, "ExternalSecret", "airflow-db-master");
    expect(master.spec.dataFrom[0].extract.key).toBe(MLFLOW_DB.masterSecretArn);
  });

  it("bootstraps the role and database with psql from the official postgres image, reading credentials from Secrets", () => {
    expect(container.image).toBe(POSTGRES_CLIENT_IMAGE);
    expect(container.image).toMatch(/^docker\.io\/library\/postgres:\d+\.\d+-/);
    expect(env.PGHOST.value).toBe(MLFLOW_DB.address);
    expect(env.PGSSLMODE.value).toBe("require");
    expect(env.PGUSER.value_from.secret_key_ref).toEqual({ name: "airflow-db-master", key: "username" });
    expect(env.PGPASSWORD.value_from.secret_key_ref).toEqual({ name: "airflow-db-master", key: "password" });
    expect(env.AIRFLOW_DB_PASSWORD.value_from.secret_key_ref).toEqual({
      name: "airflow-metadata-db",
      key: "password",
    });
    for (const e of Object.values(env) as Json[]) {
      if (/PASSWORD/.test(e.name)) expect(e.value, e.name).toBeUndefined();
    }
    expect(job.wait_for_completion).toBe(false);
  });

  it("runs idempotent SQL: creates role and database only when missing, values quoted by format()", () => {
    const script = onlyResource(json, "kubernetes_config_map_v1") as Json;
    expect(script.data["bootstrap.sql"]).toBe(BOOTSTRAP_SQL);
    expect(BOOTSTRAP_SQL).toMatch(
      /CREATE ROLE %I LOGIN', :'app_user'\) WHERE NOT EXISTS \(SELECT 1 FROM pg_roles/,
    );
    expect(BOOTSTRAP_SQL).toMatch(
      /CREATE DATABASE %I OWNER %I'.* WHERE NOT EXISTS \(SELECT 1 FROM pg_database/,
    );
    expect(BOOTSTRAP_SQL).toMatch(/PASSWORD %L', :'app_user', :'app_password'/);
    expect(BOOTSTRAP_SQL).toContain("\\getenv app_password AIRFLOW_DB_PASSWORD");
    expect(BOOTSTRAP_SQL.startsWith("\\set ON_ERROR_STOP on")).toBe(true);
    expect(container.command).toEqual(["psql", "--no-psqlrc", "--quiet", "--file=/bootstrap/bootstrap.sql"]);
  });

  it("is a PSS-restricted pod: non-root, no privilege escalation, all capabilities dropped, RuntimeDefault seccomp", () => {
    expect(pod.security_context).toMatchObject({
      run_as_non_root: true,
      seccomp_profile: { type: "RuntimeDefault" },
    });
    expect(Number(pod.security_context.run_as_user)).toBeGreaterThan(0);
    expect(container.security_context).toMatchObject({
      run_as_non_root: true,
      allow_privilege_escalation: false,
      read_only_root_filesystem: true,
      capabilities: { drop: ["ALL"] },
    });
    expect(container.security_context.privileged).toBeUndefined();
    expect(pod.host_network ?? false).toBe(false);
    expect(pod.volume.every((v: Json) => v.host_path === undefined)).toBe(true);
    expect(pod.automount_service_account_token).toBe(false);
  });

  it("lets only the bootstrap pod and Airflow pods reach the database port in the VPC", () => {
    const bootstrap = policyNamed(json, "allow-egress-database-bootstrap");
    expect(bootstrap.spec.pod_selector).toEqual({
      match_labels: { "app.kubernetes.io/name": "airflow-db-bootstrap" },
    });
    expect(bootstrap.spec.egress).toEqual([
      { to: [{ ip_block: { cidr: "10.0.0.0/16" } }], ports: [{ port: "5432", protocol: "TCP" }] },
    ]);
    expect(job.spec.template.metadata.labels["app.kubernetes.io/name"]).toBe("airflow-db-bootstrap");
  });

  it("fails when MLflow's outputs carry no database", () => {
    const empty = { id: "mlflow", deploy: () => ({}) };
    expect(() => synthAirflow({ ...BASE, database: { shareWith: "mlflow" } }, [empty])).toThrow(
      /database\.shareWith "mlflow" needs the mlflow add-on's outputs to include `database`/,
    );
  });
});

describe("Airflow add-on: sharing the real MLflow add-on's instance", () => {
  const { json } = synthAirflow({ ...BASE, database: { shareWith: "mlflow" } }, [
    mlflowAddOn({ enabled: true }),
  ]);

  it("uses MLflow's one RDS instance, its master secret and its address", () => {
    const instances = resourcesOf(json, "aws_db_instance");
    expect(Object.keys(instances)).toHaveLength(1);
    const [id, instance] = Object.entries(instances)[0] as [string, Json];
    expect(instance.identifier).toMatch(/mlflow/);
    const master = manifestNamed(json, "ExternalSecret", "airflow-db-master");
    expect(master.spec.dataFrom[0].extract.key).toBe(
      `\${aws_db_instance.${id}.master_user_secret[0].secret_arn}`,
    );
    const job = Object.values(resourcesOf(json, "kubernetes_job_v1")).find(
      (j) => (j as Json).metadata.name === "airflow-db-bootstrap",
    ) as Json;
    const env = Object.fromEntries(job.spec.template.spec.container[0].env.map((e: Json) => [e.name, e]));
    expect(env.PGHOST.value).toBe(`\${aws_db_instance.${id}.address}`);
  });
});
