import { TerraformOutput } from "cdktf";
import { describe, expect, it } from "vitest";
import { RdsDatabase, type RdsDatabaseProps } from "../../../constructs/database";
import { expectDependsOn } from "../../support/depends-on";
import type { Json } from "../../support/manifests";
import { onlyResource, resourcesOf, type SynthJson, synthScope } from "../../support/synth";

const output = (json: SynthJson, name: string) => (json.output?.[name] as Json | undefined)?.value;

const KEY = "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555";
const CLUSTER_SG = "sg-0123456789abcdef0";
const SUBNETS = ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"];

const BASE: RdsDatabaseProps = {
  engine: "postgres",
  identifier: "acme-dev-mlflow",
  databaseName: "mlflow",
  kmsKeyArn: KEY,
  vpcId: "vpc-0123456789abcdef0",
  subnetIds: SUBNETS,
  allowedSecurityGroupIds: [CLUSTER_SG],
};

function synthDb(props: Partial<RdsDatabaseProps> = {}): { json: SynthJson; db: RdsDatabase } {
  let db: RdsDatabase | undefined;
  const json = synthScope((scope) => {
    db = new RdsDatabase(scope, "Db", { ...BASE, ...props });
    // Outputs resolve the construct's token attributes, so tests can see what they reference.
    new TerraformOutput(scope, "address", { value: db.address });
    new TerraformOutput(scope, "secret", { value: db.masterSecretArn });
    new TerraformOutput(scope, "sg", { value: db.securityGroupId });
  });
  return { json, db: db as RdsDatabase };
}

describe("RdsDatabase (postgres defaults)", () => {
  const { json, db } = synthDb();
  const instance = onlyResource(json, "aws_db_instance") as Json;

  it("creates aws_db_instance after the Enhanced Monitoring role's aws_iam_role_policy_attachment", () => {
    expectDependsOn(
      json,
      { type: "aws_db_instance" },
      { type: "aws_iam_role_policy_attachment", id: /_MonitoringPolicy_/ },
    );
  });

  it("encrypts storage, the master secret and Performance Insights with the given KMS key", () => {
    expect(instance.storage_encrypted).toBe(true);
    expect(instance.kms_key_id).toBe(KEY);
    expect(instance.master_user_secret_kms_key_id).toBe(KEY);
    expect(instance.performance_insights_enabled).toBe(true);
    expect(instance.performance_insights_kms_key_id).toBe(KEY);
  });

  it("lets RDS manage the master password: no password attribute anywhere in the JSON", () => {
    expect(instance.manage_master_user_password).toBe(true);
    expect(JSON.stringify(json)).not.toMatch(/"password(_wo)?"\s*:/);
    expect(output(json, "secret")).toMatch(/aws_db_instance\.\w+\.master_user_secret\[0\]\.secret_arn/);
  });

  it("is private: not public, in a subnet group of exactly the given private subnets", () => {
    expect(instance.publicly_accessible).toBe(false);
    const group = onlyResource(json, "aws_db_subnet_group") as Json;
    expect(group.subnet_ids).toEqual(SUBNETS);
    expect(instance.db_subnet_group_name).toMatch(/aws_db_subnet_group\..*\.name/);
  });

  it("admits only the engine port from the allowed security group, with no CIDR ingress", () => {
    const sg = onlyResource(json, "aws_security_group") as Json;
    expect(sg.ingress).toBeUndefined();
    expect(sg.egress).toBeUndefined();
    const rules = Object.values(resourcesOf(json, "aws_vpc_security_group_ingress_rule")) as Json[];
    expect(rules).toHaveLength(1);
    expect(rules[0]).toMatchObject({
      referenced_security_group_id: CLUSTER_SG,
      from_port: 5432,
      to_port: 5432,
      ip_protocol: "tcp",
    });
    expect(rules[0].cidr_ipv4).toBeUndefined();
    expect(rules[0].cidr_ipv6).toBeUndefined();
    expect(Object.keys(resourcesOf(json, "aws_vpc_security_group_egress_rule"))).toHaveLength(0);
  });

  it("keeps a week of backups, a final snapshot, deletion protection and prevent_destroy", () => {
    expect(instance.backup_retention_period).toBe(7);
    expect(instance.deletion_protection).toBe(true);
    expect(instance.skip_final_snapshot).toBe(false);
    expect(instance.final_snapshot_identifier).toBe("acme-dev-mlflow-final");
    expect(instance.copy_tags_to_snapshot).toBe(true);
    expect(instance.lifecycle).toEqual({ prevent_destroy: true });
  });

  it("uses IAM auth, gp3 with autoscaling, minor upgrades and single-AZ by default", () => {
    expect(instance.iam_database_authentication_enabled).toBe(true);
    expect(instance.storage_type).toBe("gp3");
    expect(instance.allocated_storage).toBe(20);
    expect(instance.max_allocated_storage).toBe(100);
    expect(instance.auto_minor_version_upgrade).toBe(true);
    expect(instance.multi_az).toBe(false);
    expect(instance.engine).toBe("postgres");
    expect(instance.engine_version).toBe("17");
  });

  it("forces TLS through a parameter group of the version's family", () => {
    const pg = onlyResource(json, "aws_db_parameter_group") as Json;
    expect(pg.family).toBe("postgres17");
    expect(pg.parameter).toEqual([{ name: "rds.force_ssl", value: "1", apply_method: "immediate" }]);
    expect(instance.parameter_group_name).toMatch(/aws_db_parameter_group\..*\.name/);
  });

  it("exports postgresql and upgrade logs into encrypted log groups it creates first", () => {
    expect(instance.enabled_cloudwatch_logs_exports).toEqual(["postgresql", "upgrade"]);
    const groups = Object.values(resourcesOf(json, "aws_cloudwatch_log_group")) as Json[];
    expect(groups.map((g) => g.name).sort()).toEqual([
      "/aws/rds/instance/acme-dev-mlflow/postgresql",
      "/aws/rds/instance/acme-dev-mlflow/upgrade",
    ]);
    for (const g of groups) {
      expect(g.kms_key_id).toBe(KEY);
      expect(g.retention_in_days, "engine logs are audit evidence: a year").toBe(365);
    }
    const groupAddresses = Object.keys(resourcesOf(json, "aws_cloudwatch_log_group")).map(
      (id) => `aws_cloudwatch_log_group.${id}`,
    );
    expect(instance.depends_on).toEqual(expect.arrayContaining(groupAddresses));
  });

  it("turns on Enhanced Monitoring through a role only RDS in this account can assume", () => {
    expect(instance.monitoring_interval).toBe(60);
    const role = onlyResource(json, "aws_iam_role") as Json;
    expect(instance.monitoring_role_arn).toMatch(/^\$\{aws_iam_role\..*\.arn\}$/);
    const trust = JSON.parse(role.assume_role_policy as string);
    expect(trust.Statement).toEqual([
      expect.objectContaining({
        Principal: { Service: "monitoring.rds.amazonaws.com" },
        Action: "sts:AssumeRole",
        Condition: { StringEquals: { "aws:SourceAccount": expect.stringMatching(/caller/) } },
      }),
    ]);
    const attachment = onlyResource(json, "aws_iam_role_policy_attachment") as Json;
    expect(attachment.policy_arn).toMatch(/:iam::aws:policy\/service-role\/AmazonRDSEnhancedMonitoringRole$/);
    const off = synthDb({ monitoringIntervalInSeconds: 0 });
    expect((onlyResource(off.json, "aws_db_instance") as Json).monitoring_interval).toBe(0);
    expect(resourcesOf(off.json, "aws_iam_role")).toEqual({});
  });

  it("fails when the monitoring interval is not one RDS accepts", () => {
    expect(() => synthDb({ monitoringIntervalInSeconds: 45 })).toThrow(
      /monitoringIntervalInSeconds got 45; expected one of 0, 1, 5/,
    );
  });

  it("exposes the engine port and the database coordinates", () => {
    expect(db.port).toBe(5432);
    expect(db.databaseName).toBe("mlflow");
    expect(db.masterUsername).toBe("dbadmin");
    expect(output(json, "address")).toMatch(/^\$\{aws_db_instance\.\w+\.address\}$/);
    expect(output(json, "sg")).toMatch(/^\$\{aws_security_group\.\w+\.id\}$/);
  });
});

describe("RdsDatabase (mysql, overrides)", () => {
  const { json, db } = synthDb({
    engine: "mysql",
    databaseName: "airflow",
    multiAz: true,
    backupRetentionInDays: 14,
    deletionProtection: false,
    preventDestroy: false,
    allocatedStorageGiB: 50,
    maxAllocatedStorageGiB: 200,
    instanceClass: "db.m7g.large",
    allowedSecurityGroupIds: [CLUSTER_SG, "sg-0fedcba9876543210"],
  });
  const instance = onlyResource(json, "aws_db_instance") as Json;

  it("uses MySQL 8.4 on 3306, requiring secure transport and exporting error/slowquery logs", () => {
    expect(instance.engine_version).toBe("8.4");
    expect(db.port).toBe(3306);
    const pg = onlyResource(json, "aws_db_parameter_group") as Json;
    expect(pg.family).toBe("mysql8.4");
    expect(pg.parameter[0]).toMatchObject({ name: "require_secure_transport", value: "1" });
    expect(instance.enabled_cloudwatch_logs_exports).toEqual(["error", "slowquery"]);
  });

  it("applies Multi-AZ, retention, storage, class and protection overrides", () => {
    expect(instance).toMatchObject({
      multi_az: true,
      backup_retention_period: 14,
      deletion_protection: false,
      allocated_storage: 50,
      max_allocated_storage: 200,
      instance_class: "db.m7g.large",
    });
    expect(instance.lifecycle).toBeUndefined();
  });

  it("admits each allowed security group on 3306", () => {
    const rules = Object.values(resourcesOf(json, "aws_vpc_security_group_ingress_rule")) as Json[];
    expect(rules.map((r) => [r.referenced_security_group_id, r.from_port])).toEqual([
      [CLUSTER_SG, 3306],
      ["sg-0fedcba9876543210", 3306],
    ]);
  });

  it("takes an exact engine version and derives the family from it", () => {
    const { json: j } = synthDb({ engineVersion: "16.4" });
    expect((onlyResource(j, "aws_db_parameter_group") as Json).family).toBe("postgres16");
    expect((onlyResource(j, "aws_db_instance") as Json).engine_version).toBe("16.4");
  });
});

describe("RdsDatabase validation", () => {
  const cases: [string, Partial<RdsDatabaseProps>, RegExp][] = [
    ["backups are kept under 7 days", { backupRetentionInDays: 3 }, /backupRetentionInDays: got 3;.*7 to 35/],
    ["backups exceed 35 days", { backupRetentionInDays: 36 }, /backupRetentionInDays: got 36/],
    ["the engine is unknown", { engine: "oracle" as never }, /engine: got "oracle"/],
    ["the version is of an unsupported major", { engineVersion: "9.6" }, /engineVersion: got "9.6"/],
    ["a mysql version is given to postgres", { engineVersion: "8.4" }, /engineVersion: got "8.4"/],
    ["the identifier has upper case", { identifier: "Acme-Db" }, /identifier: got "Acme-Db"/],
    ["the identifier has a double hyphen", { identifier: "acme--db" }, /identifier: got "acme--db"/],
    ["the database name has a hyphen", { databaseName: "ml-flow" }, /databaseName: got "ml-flow"/],
    ["storage is below the gp3 minimum", { allocatedStorageGiB: 10 }, /allocatedStorageGiB: got 10/],
    [
      "the autoscaling ceiling is not 10 % above the allocation",
      { allocatedStorageGiB: 100, maxAllocatedStorageGiB: 105 },
      /maxAllocatedStorageGiB: got 105;.*110 to 65536/,
    ],
    ["only one subnet is given", { subnetIds: ["subnet-1"] }, /subnetIds: got \["subnet-1"\]/],
    ["no security group is admitted", { allowedSecurityGroupIds: [] }, /allowedSecurityGroupIds: got \[\]/],
    ["the key is not a KMS ARN", { kmsKeyArn: "alias/foo" }, /kmsKeyArn: got "alias\/foo"/],
    ["the master user is reserved", { masterUsername: "admin" }, /masterUsername: got "admin"/],
    ["the instance class is malformed", { instanceClass: "t3.micro" }, /instanceClass: got "t3.micro"/],
    ["the backup window is malformed", { backupWindow: "3am" }, /backupWindow: got "3am"/],
  ];
  for (const [what, props, message] of cases) {
    it(`fails when ${what}`, () => {
      expect(() => synthDb(props)).toThrow(message);
    });
  }
});
