import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DbInstance } from "@cdktf/provider-aws/lib/db-instance";
import { DbParameterGroup } from "@cdktf/provider-aws/lib/db-parameter-group";
import { DbSubnetGroup } from "@cdktf/provider-aws/lib/db-subnet-group";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { Construct } from "constructs";
import { AwsContext } from "../core/aws-context";
import { protectStateful } from "../core/stateful";
import { mergeTags, type Tags } from "../core/tags";
import { type RdsEngine, validateRdsDatabaseProps } from "./rds-validation";

export type { RdsEngine } from "./rds-validation";

export interface RdsDatabaseProps {
  readonly engine: RdsEngine;
  /** DB instance identifier (also names the subnet group, parameter group, security group and log groups). */
  readonly identifier: string;
  /** Database created in the instance. */
  readonly databaseName: string;
  /**
   * Engine version. A major version (`"17"`, `"8.4"`) lets RDS pick and upgrade the minor version without a
   * Terraform diff; an exact version (`"17.6"`) pins it.
   * @default - "17" for postgres, "8.4" for mysql
   */
  readonly engineVersion?: string;
  /** @default "db.t4g.medium" */
  readonly instanceClass?: string;
  /** Initial gp3 storage. @default 20 */
  readonly allocatedStorageGiB?: number;
  /** Storage autoscaling ceiling; at least 10 % above `allocatedStorageGiB`. @default - max(5 × allocated, 100) */
  readonly maxAllocatedStorageGiB?: number;
  /** A standby in another AZ with synchronous replication and automatic failover. @default false */
  readonly multiAz?: boolean;
  /** Automated backup retention, 7-35 days. @default 7 */
  readonly backupRetentionInDays?: number;
  /** Encrypts storage, the master user secret, Performance Insights and the log groups. */
  readonly kmsKeyArn: string;
  readonly vpcId: string;
  /** Private subnets (≥ 2, in different AZs) of the DB subnet group. */
  readonly subnetIds: readonly string[];
  /** Security groups admitted on the engine port (usually the EKS cluster security group); no CIDR ingress. */
  readonly allowedSecurityGroupIds: readonly string[];
  /** @default "dbadmin" */
  readonly masterUsername?: string;
  /** RDS refuses to delete the instance while set. @default true */
  readonly deletionProtection?: boolean;
  /** Terraform `prevent_destroy` on the instance. @default true */
  readonly preventDestroy?: boolean;
  /** Retention of the exported engine logs (connection and error logs are audit evidence). @default 365 */
  readonly logRetentionInDays?: number;
  /**
   * Enhanced Monitoring (OS metrics every N seconds, through a role only RDS can assume); 0 turns it off.
   * One of 0, 1, 5, 10, 15, 30, 60. @default 60
   */
  readonly monitoringIntervalInSeconds?: number;
  /** `hh24:mi-hh24:mi` UTC. @default - chosen by RDS */
  readonly backupWindow?: string;
  /** `ddd:hh24:mi-ddd:hh24:mi` UTC. @default - chosen by RDS */
  readonly maintenanceWindow?: string;
  readonly tags?: Tags;
}

interface EngineDefaults {
  readonly version: string;
  readonly port: number;
  readonly logs: readonly string[];
  /** The parameter that makes the server refuse unencrypted connections. */
  readonly ssl: { readonly name: string; readonly value: string };
  readonly family: (major: string) => string;
}

export const RDS_ENGINES: Readonly<Record<RdsEngine, EngineDefaults>> = {
  postgres: {
    version: "17",
    port: 5432,
    logs: ["postgresql", "upgrade"],
    ssl: { name: "rds.force_ssl", value: "1" },
    family: (major) => `postgres${major}`,
  },
  mysql: {
    version: "8.4",
    port: 3306,
    logs: ["error", "slowquery"],
    // RDS documents the value as 1 (ON); giving it as RDS stores it avoids a perpetual diff.
    ssl: { name: "require_secure_transport", value: "1" },
    family: (major) => `mysql${major}`,
  },
};

/** `"17.6"` → `"17"`, `"8.4.7"` → `"8.4"`: the part that selects the parameter group family. */
export function engineMajor(engine: RdsEngine, version: string): string {
  const parts = version.split(".");
  return engine === "mysql" ? parts.slice(0, 2).join(".") : (parts[0] as string);
}

/**
 * A private, encrypted RDS instance for an in-cluster component's metadata (MLflow, Airflow, Kubeflow):
 * private subnets only, reachable on the engine port only from the given security groups, TLS enforced by the
 * parameter group, storage/secret/Performance Insights/logs encrypted with the platform key, and the master
 * password generated and kept by RDS in Secrets Manager, so no password ever exists in Terraform.
 */
export class RdsDatabase extends Construct {
  readonly instance: DbInstance;
  readonly subnetGroup: DbSubnetGroup;
  readonly parameterGroup: DbParameterGroup;
  readonly securityGroup: SecurityGroup;
  readonly logGroups: CloudwatchLogGroup[];
  /** Role RDS assumes to publish Enhanced Monitoring metrics; undefined when monitoring is off. */
  readonly monitoringRole?: IamRole;
  readonly engine: RdsEngine;
  readonly address: string;
  readonly port: number;
  readonly databaseName: string;
  readonly masterUsername: string;
  /** ARN of the RDS-managed Secrets Manager secret holding `{"username", "password"}` of the master user. */
  readonly masterSecretArn: string;
  readonly securityGroupId: string;

  constructor(scope: Construct, id: string, props: RdsDatabaseProps) {
    super(scope, id);
    validateRdsDatabaseProps(props);
    const engine = RDS_ENGINES[props.engine];
    const version = props.engineVersion ?? engine.version;
    const allocated = props.allocatedStorageGiB ?? 20;
    const maxAllocated = props.maxAllocatedStorageGiB ?? Math.max(allocated * 5, 100);
    const name = props.identifier;
    const tags = mergeTags(props.tags, { "mlops.io/database": name });
    this.engine = props.engine;
    this.databaseName = props.databaseName;
    this.masterUsername = props.masterUsername ?? "dbadmin";

    this.subnetGroup = new DbSubnetGroup(this, "SubnetGroup", {
      name,
      description: `Private subnets of ${name}`,
      subnetIds: [...props.subnetIds],
      tags,
    });

    this.securityGroup = new SecurityGroup(this, "SecurityGroup", {
      name: `${name}-db`,
      description: `${name}: ${props.engine} port from the allowed security groups only`,
      vpcId: props.vpcId,
      // No egress rules: the database answers on established connections and starts none of its own.
      tags: { ...tags, Name: `${name}-db` },
    });
    this.securityGroupId = this.securityGroup.id;
    props.allowedSecurityGroupIds.forEach((sg, i) => {
      new VpcSecurityGroupIngressRule(this, `Ingress${i}`, {
        securityGroupId: this.securityGroup.id,
        referencedSecurityGroupId: sg,
        ipProtocol: "tcp",
        fromPort: engine.port,
        toPort: engine.port,
        description: `${props.engine} clients`,
        tags,
      });
    });

    this.parameterGroup = new DbParameterGroup(this, "ParameterGroup", {
      name,
      family: engine.family(engineMajor(props.engine, version)),
      description: `${name}: TLS-only connections`,
      parameter: [{ name: engine.ssl.name, value: engine.ssl.value, applyMethod: "immediate" }],
      tags,
    });

    // Created here rather than by RDS, so exported logs are encrypted and expire.
    this.logGroups = engine.logs.map(
      (log) =>
        new CloudwatchLogGroup(this, `Logs-${log}`, {
          name: `/aws/rds/instance/${name}/${log}`,
          retentionInDays: props.logRetentionInDays ?? 365,
          kmsKeyId: props.kmsKeyArn,
          tags,
        }),
    );

    const monitoringInterval = props.monitoringIntervalInSeconds ?? 60;
    if (![0, 1, 5, 10, 15, 30, 60].includes(monitoringInterval)) {
      throw new Error(
        `RdsDatabase ${name}: monitoringIntervalInSeconds got ${monitoringInterval}; expected one of 0, 1, 5, 10, 15, 30, 60`,
      );
    }
    // RDS checks the monitoring role's permissions when the instance is created or modified.
    let monitoringGrant: IamRolePolicyAttachment | undefined;
    if (monitoringInterval > 0) {
      const aws = AwsContext.of(this);
      this.monitoringRole = new IamRole(this, "MonitoringRole", {
        namePrefix: "rds-monitoring-",
        description: `Enhanced Monitoring of RDS ${name}`,
        assumeRolePolicy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            {
              Effect: "Allow",
              Principal: { Service: "monitoring.rds.amazonaws.com" },
              Action: "sts:AssumeRole",
              Condition: { StringEquals: { "aws:SourceAccount": aws.accountId } },
            },
          ],
        }),
        tags,
      });
      monitoringGrant = new IamRolePolicyAttachment(this, "MonitoringPolicy", {
        role: this.monitoringRole.name,
        policyArn: `arn:${aws.partition}:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole`,
      });
    }

    this.instance = new DbInstance(this, "Instance", {
      monitoringInterval,
      monitoringRoleArn: this.monitoringRole?.arn,
      identifier: name,
      engine: props.engine,
      engineVersion: version,
      instanceClass: props.instanceClass ?? "db.t4g.medium",
      dbName: props.databaseName,
      username: this.masterUsername,
      manageMasterUserPassword: true,
      masterUserSecretKmsKeyId: props.kmsKeyArn,
      iamDatabaseAuthenticationEnabled: true,
      port: engine.port,
      storageType: "gp3",
      allocatedStorage: allocated,
      maxAllocatedStorage: maxAllocated,
      storageEncrypted: true,
      kmsKeyId: props.kmsKeyArn,
      dbSubnetGroupName: this.subnetGroup.name,
      vpcSecurityGroupIds: [this.securityGroup.id],
      publiclyAccessible: false,
      multiAz: props.multiAz ?? false,
      parameterGroupName: this.parameterGroup.name,
      caCertIdentifier: "rds-ca-rsa2048-g1",
      backupRetentionPeriod: props.backupRetentionInDays ?? 7,
      backupWindow: props.backupWindow,
      maintenanceWindow: props.maintenanceWindow,
      copyTagsToSnapshot: true,
      deleteAutomatedBackups: false,
      deletionProtection: props.deletionProtection ?? true,
      skipFinalSnapshot: false,
      finalSnapshotIdentifier: `${name}-final`,
      autoMinorVersionUpgrade: true,
      allowMajorVersionUpgrade: false,
      performanceInsightsEnabled: true,
      performanceInsightsKmsKeyId: props.kmsKeyArn,
      performanceInsightsRetentionPeriod: 7,
      enabledCloudwatchLogsExports: [...engine.logs],
      tags,
      dependsOn: [...this.logGroups, ...(monitoringGrant ? [monitoringGrant] : [])],
    });
    protectStateful(this.instance, { preventDestroy: props.preventDestroy });

    this.address = this.instance.address;
    // The engine's fixed port, known at synth so NetworkPolicies and SG rules can use it.
    this.port = engine.port;
    this.masterSecretArn = this.instance.masterUserSecret.get(0).secretArn;
  }
}
