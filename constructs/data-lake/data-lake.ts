import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { GlueCatalogDatabase } from "@cdktf/provider-aws/lib/glue-catalog-database";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { type ITerraformDependable, Token } from "cdktf";
import { Construct } from "constructs";
import type { DataLakeRef, PolicyStatement } from "../core/addon";
import { AwsContext } from "../core/aws-context";
import { KmsKey } from "../core/kms-key";
import { protectStateful, type StatefulProtectionProps } from "../core/stateful";
import { mergeTags, type Tags } from "../core/tags";
import { ARN } from "../primitives";
import { AccessLogBucket } from "./access-log-bucket";
import { DataLakeBucket, type DataLakeZoneProps, validateZoneLifecycle } from "./data-lake-bucket";
import { type DataLakeAccess, dataLakeStatements, normalizePrefix, s3ServiceEndpoint } from "./grants";
import { LakeFormationRegistration } from "./lake-formation-registration";
import {
  ACCESS_LOG_BUCKET_ZONE,
  glueDatabaseName,
  pascalCase,
  validateBucketNameLengths,
  validateNamePrefix,
  validateZoneName,
} from "./naming";
import {
  BucketAccessDeniedAlarm,
  DataLakeAlarmTopic,
  type DataLakeRequestMetricsProps,
  validateRequestMetrics,
} from "./request-metrics";

export const DEFAULT_DATA_LAKE_ZONES: Readonly<Record<string, DataLakeZoneProps>> = {
  raw: {},
  curated: {},
  features: {},
  models: {},
};

export interface DataLakeProps extends StatefulProtectionProps {
  /**
   * Start of every bucket name (`<namePrefix>-<zone>-<accountId>-<region>`) and Glue database name
   * (`<namePrefix>_<zone>`, hyphens become underscores). Lowercase DNS-safe; with the longest zone name it
   * must leave bucket names ≤ 63 characters (prefix + zone ≤ 34 characters).
   */
  readonly namePrefix: string;
  /** Zones keyed by name (lowercase DNS-safe), one bucket and Glue database each. @default DEFAULT_DATA_LAKE_ZONES (raw, curated, features, models) */
  readonly zones?: Readonly<Record<string, DataLakeZoneProps>>;
  /** Bring-your-own customer-managed key for SSE-KMS. @default - a KmsKey with rotation is created */
  readonly kmsKeyArn?: string;
  /** Creates the bucket that receives the zones' server access logs. @default true */
  readonly createAccessLogBucket?: boolean;
  /**
   * Bring-your-own access-log bucket (`createAccessLogBucket: false`); its policy must admit
   * `logging.s3.amazonaws.com` for the lake buckets. @default - required when createAccessLogBucket is false
   */
  readonly accessLogBucketName?: string;
  /** Days server access logs are kept. @default 365 */
  readonly accessLogRetentionInDays?: number;
  /** Days after which incomplete multipart uploads are aborted, in every zone. @default 7 */
  readonly abortIncompleteMultipartUploadAfterDays?: number;
  /** Creates a Glue Data Catalog database per zone. @default true */
  readonly createGlueDatabases?: boolean;
  /**
   * Registers every zone bucket with Lake Formation. Once registered, integrated services (Athena, Glue,
   * EMR) use Lake Formation permissions for the data; direct S3 access by IAM principals is unchanged.
   * @default false
   */
  readonly enableLakeFormation?: boolean;
  /** Bring-your-own Lake Formation registration role. @default - a dedicated role with read/write on the buckets and key */
  readonly lakeFormationRoleArn?: string;
  /**
   * S3 request metrics per zone bucket and a CloudWatch alarm on 4xx spikes (S3 bills request metrics).
   * @default - none
   */
  readonly requestMetrics?: DataLakeRequestMetricsProps;
  /** Tags on every resource. @default {} */
  readonly tags?: Tags;
  /** Added to the access-log bucket. @default {} */
  readonly accessLogBucketTags?: Tags;
}

/** An IAM role to grant data-lake access to: its name is enough (the policy is attached inline). */
export interface GrantableRole {
  readonly name: string;
  readonly arn?: string;
}

export interface DataLakeGrantOptions {
  /** Zone the grant is limited to. @default - every zone */
  readonly zone?: string;
  /** Key prefix (folder) the grant is limited to, e.g. `mlflow/`. @default - the whole bucket */
  readonly prefix?: string;
}

export interface DataLakeBucketRef {
  readonly bucketName: string;
  readonly bucketArn: string;
}

/**
 * The platform's S3 data lake: one hardened, KMS-encrypted, access-logged bucket and one Glue database per zone,
 * optionally registered with Lake Formation, plus least-privilege grants for IAM roles.
 */
export class DataLake extends Construct implements DataLakeRef {
  /** Bucket per zone. */
  readonly buckets: Readonly<Record<string, DataLakeBucketRef>>;
  readonly logBucketName: string;
  readonly kmsKeyArn: string;
  /** Glue database name per zone (empty when createGlueDatabases is false). */
  readonly glueDatabaseNames: Readonly<Record<string, string>>;
  /** The created key; undefined with a bring-your-own key. */
  readonly kmsKey?: KmsKey;
  /** Role Lake Formation uses for the buckets; undefined unless enableLakeFormation. */
  readonly lakeFormationRoleArn?: string;
  /** Topic the request-metrics alarms publish to; undefined unless requestMetrics. */
  readonly alarmTopicArn?: string;

  private readonly s3ServiceEndpoint: string;
  private readonly namePrefix: string;
  private grantCount = 0;

  constructor(scope: Construct, id: string, props: DataLakeProps) {
    super(scope, id);
    const zones = props.zones ?? DEFAULT_DATA_LAKE_ZONES;
    validateDataLakeProps(props, zones);
    const aws = AwsContext.of(this);
    this.s3ServiceEndpoint = s3ServiceEndpoint(aws);
    const prefix = props.namePrefix;
    this.namePrefix = prefix;
    const bucketName = (zone: string) => `${prefix}-${zone}-${aws.accountId}-${aws.region}`;

    if (props.kmsKeyArn) {
      this.kmsKeyArn = props.kmsKeyArn;
    } else {
      // S3 uses the key with the caller's own permissions (kms:ViaService). CloudWatch is admitted only when
      // its alarms publish to a topic encrypted with this key: a service principal has no IAM policy.
      const alarmTopicOnKey = props.requestMetrics !== undefined && !props.requestMetrics.alarmTopicArn;
      this.kmsKey = new KmsKey(this, "Key", {
        description: `Data lake ${prefix}`,
        aliasName: `${prefix}-data-lake`,
        allowServicePrincipals: alarmTopicOnKey ? ["cloudwatch.amazonaws.com"] : undefined,
        preventDestroy: props.preventDestroy,
        tags: props.tags,
      });
      this.kmsKeyArn = this.kmsKey.keyArn;
    }

    // The log bucket comes first and the zone buckets' logging references it and depends on its policy, so
    // Terraform creates both before logging is switched on; the policy names the zone buckets by computed ARN
    // to avoid a cycle.
    let accessLogDependsOn: ITerraformDependable[] = [];
    if (props.createAccessLogBucket ?? true) {
      const logBucket = new AccessLogBucket(this, "AccessLogBucket", {
        bucketName: bucketName(ACCESS_LOG_BUCKET_ZONE),
        sourceBucketArns: Object.keys(zones).map((zone) => `arn:${aws.partition}:s3:::${bucketName(zone)}`),
        retentionInDays: props.accessLogRetentionInDays,
        preventDestroy: props.preventDestroy,
        tags: mergeTags(props.tags, props.accessLogBucketTags),
      });
      this.logBucketName = logBucket.bucketName;
      accessLogDependsOn = [logBucket.policy];
    } else {
      this.logBucketName = props.accessLogBucketName as string;
    }

    const buckets: Record<string, DataLakeBucketRef> = {};
    for (const [zone, zoneProps] of Object.entries(zones)) {
      const bucket = new DataLakeBucket(this, `${pascalCase(zone)}Bucket`, {
        ...zoneProps,
        zone,
        bucketName: bucketName(zone),
        kmsKeyArn: this.kmsKeyArn,
        accessLogBucketName: this.logBucketName,
        accessLogPrefix: `${zone}/`,
        accessLogDependsOn,
        abortIncompleteMultipartUploadAfterDays: props.abortIncompleteMultipartUploadAfterDays,
        preventDestroy: props.preventDestroy,
        tags: mergeTags(props.tags, { "mlops:data-lake-zone": zone }, zoneProps.tags),
      });
      buckets[zone] = { bucketName: bucket.bucketName, bucketArn: bucket.bucketArn };
    }
    this.buckets = buckets;

    if (props.requestMetrics) {
      const metrics = props.requestMetrics;
      // With a bring-your-own lake key, its policy must admit cloudwatch.amazonaws.com (see README).
      const topic = metrics.alarmTopicArn
        ? undefined
        : new DataLakeAlarmTopic(this, "AlarmTopic", {
            topicName: `${prefix}-data-lake-alarms`,
            kmsKeyArn: this.kmsKeyArn,
            tags: props.tags,
          });
      this.alarmTopicArn = metrics.alarmTopicArn ?? (topic as DataLakeAlarmTopic).topicArn;
      for (const [zone, zoneProps] of Object.entries(zones)) {
        new BucketAccessDeniedAlarm(this, `${pascalCase(zone)}AccessDeniedAlarm`, {
          zone,
          alarmName: `${prefix}-data-lake-${zone}-4xx-errors`,
          bucketName: buckets[zone].bucketName,
          threshold: metrics.accessDeniedThreshold ?? 10,
          alarmTopicArn: this.alarmTopicArn,
          dependsOn: topic ? [topic.policy] : [],
          tags: mergeTags(props.tags, zoneProps.tags),
        });
      }
    }

    const glueDatabaseNames: Record<string, string> = {};
    if (props.createGlueDatabases ?? true) {
      for (const [zone, zoneProps] of Object.entries(zones)) {
        const database = new GlueCatalogDatabase(this, `${pascalCase(zone)}Database`, {
          name: glueDatabaseName(prefix, zone),
          description: `Data lake zone "${zone}"`,
          locationUri: `s3://${buckets[zone].bucketName}/`,
          tags: mergeTags(props.tags, zoneProps.tags),
        });
        protectStateful(database, props);
        glueDatabaseNames[zone] = database.name;
      }
    }
    this.glueDatabaseNames = glueDatabaseNames;

    if (props.enableLakeFormation) {
      const registration = new LakeFormationRegistration(this, "LakeFormation", {
        bucketArns: Object.fromEntries(Object.entries(buckets).map(([zone, b]) => [zone, b.bucketArn])),
        roleStatements: [...this.policyStatements("read"), ...this.policyStatements("write")],
        // IAM is global; bucket names are per region, so is the role.
        roleName: `${prefix}-lakeformation-${aws.region}`,
        roleArn: props.lakeFormationRoleArn,
        tags: props.tags,
      });
      this.lakeFormationRoleArn = registration.roleArn;
    }
  }

  /**
   * Least-privilege statements for `access` to one zone (or all) and one key prefix (or all), for embedding in
   * other policies (e.g. IRSA roles). Pure: creates nothing. Read = Get*, write = Put/Delete/multipart;
   * both include prefix-limited `s3:ListBucket` and KMS use of the lake key only via S3.
   */
  policyStatements(access: DataLakeAccess, zone?: string, prefix?: string): PolicyStatement[] {
    if (access !== "read" && access !== "write") {
      throw new Error(`DataLake: access "${access}" is invalid: expected "read" or "write"`);
    }
    if (zone !== undefined && !(zone in this.buckets)) {
      throw new Error(
        `DataLake: zone "${zone}" does not exist: expected one of ${Object.keys(this.buckets).join(", ")}`,
      );
    }
    const zones = zone === undefined ? Object.keys(this.buckets) : [zone];
    return dataLakeStatements({
      access,
      bucketArns: zones.map((z) => this.buckets[z].bucketArn),
      kmsKeyArn: this.kmsKeyArn,
      s3ServiceEndpoint: this.s3ServiceEndpoint,
      prefix: normalizePrefix(prefix),
    });
  }

  /** Attaches an inline policy letting `role` read objects of the zone/prefix. */
  grantRead(role: GrantableRole, options: DataLakeGrantOptions = {}): IamRolePolicy {
    return this.grant("read", role, options);
  }

  /** Attaches an inline policy letting `role` write (put/delete) objects of the zone/prefix. */
  grantWrite(role: GrantableRole, options: DataLakeGrantOptions = {}): IamRolePolicy {
    return this.grant("write", role, options);
  }

  private grant(access: DataLakeAccess, role: GrantableRole, options: DataLakeGrantOptions): IamRolePolicy {
    if (!role?.name) {
      throw new Error(
        `DataLake grant: role.name is ${JSON.stringify(role?.name)}: expected the IAM role name`,
      );
    }
    const statements = this.policyStatements(access, options.zone, options.prefix);
    const n = this.grantCount++;
    const label = `${access === "read" ? "Read" : "Write"}Grant${n}`;
    const document = new DataAwsIamPolicyDocument(this, `${label}Document`, { statement: statements });
    return new IamRolePolicy(this, label, {
      // Inline policy names are unique per role; prefix and counter keep lakes and repeated grants apart.
      name: `${this.namePrefix}-data-lake-${access}-${options.zone ?? "all-zones"}-${n}`,
      role: role.name,
      policy: document.json,
    });
  }
}

function validateDataLakeProps(
  props: DataLakeProps,
  zones: Readonly<Record<string, DataLakeZoneProps>>,
): void {
  validateNamePrefix(props?.namePrefix);
  const names = Object.keys(zones);
  if (names.length === 0)
    throw new Error("DataLake: zones is empty: expected at least one zone, e.g. { raw: {} }");
  for (const zone of names) {
    validateZoneName(zone);
    validateZoneLifecycle(zone, {
      ...zones[zone],
      abortIncompleteMultipartUploadAfterDays: props.abortIncompleteMultipartUploadAfterDays,
    });
  }
  validateBucketNameLengths(
    props.namePrefix,
    props.createAccessLogBucket === false ? names : [...names, ACCESS_LOG_BUCKET_ZONE],
  );
  if (props.createAccessLogBucket === false && !props.accessLogBucketName) {
    throw new Error(
      "DataLake: accessLogBucketName is undefined but createAccessLogBucket is false: expected the name of an existing access-log bucket",
    );
  }
  if (props.createAccessLogBucket !== false && props.accessLogBucketName) {
    throw new Error(
      `DataLake: accessLogBucketName "${props.accessLogBucketName}" is only used with createAccessLogBucket: false`,
    );
  }
  const arn = props.kmsKeyArn;
  if (arn && !Token.isUnresolved(arn) && !ARN.kmsKey.test(arn)) {
    throw new Error(
      `DataLake: kmsKeyArn "${arn}" is not a KMS key ARN: expected arn:<partition>:kms:<region>:<account>:key/<id> (the bucket policy compares the full key ARN)`,
    );
  }
  if (props.requestMetrics) validateRequestMetrics(props.requestMetrics);
  if (props.lakeFormationRoleArn && !props.enableLakeFormation) {
    throw new Error(
      "DataLake: lakeFormationRoleArn is set but enableLakeFormation is not true: enable it or drop the role",
    );
  }
}
