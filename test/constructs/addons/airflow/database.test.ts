import { describe, expect, it } from "vitest";
import type { AirflowConfigInput } from "../../../../constructs/addons/airflow/config";
import { mlflowAddOn } from "../../../../constructs/addons/mlflow";
import { APP_USER_SQL, PSQL_IMAGE } from "../../../../constructs/database";
import { TEST_PLATFORM } from "../../../support/cluster";
import { onlyResource, resourcesOf } from "../../../support/synth";
import {
  type Json,
  MLFLOW_DB,
  manifestNamed,
  mlflowStub,
  policies,
  policyNamed,
  synthAirflow,
  TEST_GIT,
} from "./support";

const BASE: AirflowConfigInput = { enabled: true, gitSync: TEST_GIT };
/** The generated password, percent-encoded by ESO's template functions (Go's `urlquery`, sprig's `replace`). */
const PASSWORD = '{{ .password | urlquery | replace "+" "%20" }}';

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
    const dbKey = Object.keys(resourcesOf(json, "aws_db_instance"))[0];
    expect(connection.spec.target.template.data).toEqual({
      username: "airflow",
      connection: `postgresql+psycopg2://airflow:${PASSWORD}@\${aws_db_instance.${dbKey}.address}:5432/airflow?sslmode=require`,
    });
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
      `postgresql+psycopg2://airflow:${PASSWORD}@${MLFLOW_DB.address}:5432/airflow?sslmode=require`,
    );
    // The password is generated in the cluster (hex, created once), never by Terraform.
    expect(connection.spec.refreshPolicy).toBe("CreatedOnce");
    expect(connection.spec.dataFrom).toHaveLength(1);
    const master = manifestNamed(json, "ExternalSecret", "airflow-db-master");
    expect(master.spec.dataFrom[0].extract.key).toBe(MLFLOW_DB.masterSecretArn);
  });

  it("bootstraps the role and database with postgresAppUser's psql Job, reading credentials from Secrets", () => {
    expect(container.image).toBe(PSQL_IMAGE);
    expect(container.image).toMatch(/^docker\.io\/library\/postgres:\d+\.\d+-/);
    expect(env.PGHOST.value).toBe(MLFLOW_DB.address);
    expect(env.PGSSLMODE.value).toBe("require");
    expect(env.PGUSER.value_from.secret_key_ref).toEqual({ name: "airflow-db-master", key: "username" });
    expect(env.PGPASSWORD.value_from.secret_key_ref).toEqual({ name: "airflow-db-master", key: "password" });
    expect(env.APP_DB_PASSWORD.value_from.secret_key_ref).toEqual({
      name: "airflow-metadata-db",
      key: "password",
    });
    expect(env.APP_DB_USER.value).toBe("airflow");
    expect(env.APP_DB_NAME.value).toBe("airflow");
    for (const e of Object.values(env) as Json[]) {
      if (/PASSWORD/.test(e.name)) expect(e.value, e.name).toBeUndefined();
    }
    expect(job.wait_for_completion).toBe(false);
  });

  it("runs the one shared SQL script (APP_USER_SQL), which never names a superuser attribute", () => {
    const [scriptKey, script] = Object.entries(resourcesOf(json, "kubernetes_config_map_v1"))[0] as [
      string,
      Json,
    ];
    expect(Object.keys(resourcesOf(json, "kubernetes_config_map_v1"))).toEqual([scriptKey]);
    expect(script.metadata.name).toBe("airflow-db-bootstrap");
    expect(script.data).toEqual({ "app-user.sql": APP_USER_SQL });
    // RDS's master is no superuser: "must be superuser to alter superuser roles or change superuser attribute".
    expect(APP_USER_SQL).not.toMatch(/SUPERUSER/);
    expect(container.command).toEqual(["psql", "--no-psqlrc", "--file=/sql/app-user.sql"]);
    expect(pod.volume).toEqual([
      { name: "sql", config_map: { name: `\${kubernetes_config_map_v1.${scriptKey}.metadata[0].name}` } },
    ]);
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
    const bootstrap = policyNamed(json, "allow-egress-db-bootstrap-database");
    expect(bootstrap.spec.pod_selector).toEqual({ match_labels: outputs.database.bootstrapPodLabels });
    expect(bootstrap.spec.egress).toEqual([
      { to: [{ ip_block: { cidr: "10.0.0.0/16" } }], ports: [{ port: "5432", protocol: "TCP" }] },
    ]);
    expect(job.spec.template.metadata.labels).toEqual(outputs.database.bootstrapPodLabels);
    expect(job.spec.template.metadata.labels["app.kubernetes.io/name"]).toBe("airflow-db-bootstrap");
    const airflow = policyNamed(json, "allow-egress-airflow-database");
    expect(airflow.spec.pod_selector).toEqual({ match_labels: { tier: "airflow" } });
    expect(airflow.spec.egress).toEqual(bootstrap.spec.egress);
    // One policy for the bootstrap pod: no leftover from Airflow's former own Job.
    const forBootstrap = policies(json).filter(
      (p) => p.spec.pod_selector.match_labels?.["app.kubernetes.io/name"] === "airflow-db-bootstrap",
    );
    expect(forBootstrap).toHaveLength(1);
  });

  it("keeps the construct ids of Airflow's former database resources (a new id would replace them)", () => {
    const ids = (type: string) =>
      Object.keys(resourcesOf(json, type)).map((k) =>
        k.replace(/^.*?airflow_/, "").replace(/_[0-9A-F]{8}$/, ""),
      );
    expect(ids("kubernetes_job_v1")).toEqual(["DbBootstrap"]);
    expect(ids("kubernetes_config_map_v1")).toEqual(["DbBootstrapScript"]);
    // The generated password lives in this ExternalSecret: replacing it would change the password.
    expect(ids("kubernetes_manifest")).toEqual(
      expect.arrayContaining([
        "ExternalSecret-DbConnection",
        "Password-DbConnection-0",
        "ExternalSecret-DbMaster",
        "SecretStore-DbMaster",
      ]),
    );
    expect(ids("kubernetes_service_account_v1")).toContain("Secret-DbMaster_ServiceAccount");
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
