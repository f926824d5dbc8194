import { GlueCatalogDatabase } from "@cdktf/provider-aws/lib/glue-catalog-database";
import {
  LakeformationPermissions,
  type LakeformationPermissionsConfig,
} from "@cdktf/provider-aws/lib/lakeformation-permissions";
import { Construct } from "constructs";
import type { PolicyStatement } from "../core/addon";
import type { AwsContext } from "../core/aws-context";
import { protectStateful, type StatefulProtectionProps } from "../core/stateful";
import { mergeTags, type Tags } from "../core/tags";
import { pascalCase } from "../data-lake/naming";
import { type TeamLakeBucket, validateTeamLakeZones } from "./lake-access";
import { teamGlueDatabase, teamLakePrefix, teamTags } from "./naming";

/** Lake Formation permissions of the team's role on its own database (it creates and evolves its tables). */
export const TEAM_DATABASE_PERMISSIONS = ["CREATE_TABLE", "ALTER", "DROP", "DESCRIBE"] as const;
/** On a shared zone: see the database, read every table of it. */
export const SHARED_TABLE_PERMISSIONS = ["SELECT", "DESCRIBE"] as const;

export interface TeamLakeFormationProps extends StatefulProtectionProps {
  readonly team: string;
  /** The team's workload role: the principal of every grant. */
  readonly principalArn: string;
  /** The platform's zone buckets by zone (registered with Lake Formation by the foundation). */
  readonly buckets: Readonly<Record<string, TeamLakeBucket>>;
  /** The platform's Glue database per zone (`<prefix>_<zone>`). */
  readonly zoneDatabases: Readonly<Record<string, string>>;
  /** Zones where the team owns `teams/<name>/`: its data locations; the first holds its database's location. */
  readonly readWriteZones: readonly string[];
  /** Zones whose databases' tables the team reads. */
  readonly sharedReadZones: readonly string[];
  /**
   * Creates the team's database. A team has one (`team_<name>`) and an environment stack per environment, each
   * with its own role: the first environment's stack creates it, the others grant their role on it by name (so
   * those stacks are applied after the first). @default true
   */
  readonly createDatabase?: boolean;
  /** @default - the account of the provider */
  readonly catalogId?: string;
  /** Added to the team tag on the database. @default {} */
  readonly tags?: Tags;
}

/** The S3 location Lake Formation grants on for a team in a zone bucket: the folder `teams/<name>` (no object). */
export function teamDataLocationArn(bucketArn: string, team: string): string {
  // Lake Formation locations are a bucket or a folder in it, written without the trailing "/" as its
  // documentation does (not checked against AWS: whether teams/a also covers teams/ab/…).
  return `${bucketArn}/${teamLakePrefix(team).replace(/\/$/, "")}`;
}

function validateZoneDatabases(props: TeamLakeFormationProps): void {
  for (const zone of props.sharedReadZones) {
    if (!(zone in props.zoneDatabases)) {
      throw new Error(
        `Team "${props.team}": lake.sharedReadZones has zone ${JSON.stringify(zone)}, which has no Glue database (Lake Formation grants read tables of the zone's database): expected one of ${Object.keys(props.zoneDatabases).join(", ") || "(no databases: dataLake glue databases are off)"}`,
      );
    }
  }
}

/**
 * With Lake Formation on (`dataLake.enableLakeFormation`): the team's Glue database `team_<name>` and the grants of
 * its workload role — CREATE_TABLE, ALTER, DROP, DESCRIBE on that database, DATA_LOCATION_ACCESS on
 * `teams/<name>` of each read-write zone (so its tables may point there and nowhere else), and DESCRIBE on the
 * database plus SELECT, DESCRIBE on every table of each shared-read zone's database. No grant option anywhere.
 *
 * Encryption: the Data Catalog is encrypted per catalog (`aws_glue_data_catalog_encryption_settings`, an account
 * setting), not per database, so the database takes no key here; the data is under the lake key.
 */
export class TeamLakeFormation extends Construct {
  /** The database, when this construct created it (`createDatabase`). */
  readonly database?: GlueCatalogDatabase;
  readonly databaseName: string;
  readonly permissions: readonly LakeformationPermissions[];

  constructor(scope: Construct, id: string, props: TeamLakeFormationProps) {
    super(scope, id);
    validateTeamLakeZones(props);
    validateZoneDatabases(props);
    const { team, principalArn, catalogId } = props;
    if (props.createDatabase ?? true) {
      const home = props.readWriteZones[0];
      this.database = new GlueCatalogDatabase(this, "Database", {
        name: teamGlueDatabase(team),
        description: `Team "${team}": its tables, over teams/${team}/ of its lake zones`,
        catalogId,
        locationUri: home ? `s3://${props.buckets[home]?.bucketName}/${teamLakePrefix(team)}` : undefined,
        tags: mergeTags(props.tags, teamTags(team)),
      });
      protectStateful(this.database, props);
    }
    // The reference orders the grant after the database where this stack creates it.
    this.databaseName = this.database?.name ?? teamGlueDatabase(team);

    const grant = (
      gid: string,
      permissions: readonly string[],
      resource: Pick<LakeformationPermissionsConfig, "database" | "dataLocation" | "table">,
    ) =>
      new LakeformationPermissions(this, gid, {
        principal: principalArn,
        permissions: [...permissions],
        catalogId,
        ...resource,
      });
    const permissions = [
      grant("DatabaseGrant", TEAM_DATABASE_PERMISSIONS, {
        database: { name: this.databaseName, catalogId },
      }),
    ];
    for (const zone of new Set(props.readWriteZones)) {
      const bucket = props.buckets[zone] as TeamLakeBucket;
      permissions.push(
        grant(`${pascalCase(zone)}DataLocationGrant`, ["DATA_LOCATION_ACCESS"], {
          dataLocation: { arn: teamDataLocationArn(bucket.bucketArn, team), catalogId },
        }),
      );
    }
    for (const zone of new Set(props.sharedReadZones)) {
      const databaseName = props.zoneDatabases[zone] as string;
      permissions.push(
        grant(`Shared${pascalCase(zone)}DatabaseGrant`, ["DESCRIBE"], {
          database: { name: databaseName, catalogId },
        }),
        grant(`Shared${pascalCase(zone)}TablesGrant`, SHARED_TABLE_PERMISSIONS, {
          table: { databaseName, wildcard: true, catalogId },
        }),
      );
    }
    this.permissions = permissions;
  }
}

const GLUE_READ = [
  "glue:GetDatabase",
  "glue:GetTable",
  "glue:GetTables",
  "glue:GetPartition",
  "glue:GetPartitions",
  "glue:BatchGetPartition",
];
const GLUE_WRITE = [
  "glue:CreateTable",
  "glue:UpdateTable",
  "glue:DeleteTable",
  "glue:CreatePartition",
  "glue:BatchCreatePartition",
  "glue:UpdatePartition",
  "glue:DeletePartition",
  "glue:BatchDeletePartition",
];

export interface TeamLakeFormationStatementsProps {
  readonly team: string;
  /** The Glue databases of the shared-read zones. */
  readonly sharedReadDatabases: readonly string[];
  readonly aws: Pick<AwsContext, "arn">;
}

/**
 * What the workload role needs in IAM to use its Lake Formation grants from Athena, Glue or EMR: the Data Catalog
 * calls on its own database (read and write its tables) and the shared ones (read), and `lakeformation:GetDataAccess`
 * for the credentials Lake Formation vends. GetDataAccess has no resource-level permissions, hence `*`; what it
 * vends is limited by the grants above.
 */
export function teamLakeFormationStatements(props: TeamLakeFormationStatementsProps): PolicyStatement[] {
  const glue = (resource: string) => props.aws.arn("glue", resource);
  const own = teamGlueDatabase(props.team);
  const statements: PolicyStatement[] = [
    { effect: "Allow", actions: ["lakeformation:GetDataAccess"], resources: ["*"] },
    {
      effect: "Allow",
      actions: [...GLUE_READ, ...GLUE_WRITE],
      resources: [glue("catalog"), glue(`database/${own}`), glue(`table/${own}/*`)],
    },
  ];
  if (props.sharedReadDatabases.length > 0) {
    statements.push({
      effect: "Allow",
      actions: GLUE_READ,
      resources: [
        glue("catalog"),
        ...props.sharedReadDatabases.flatMap((db) => [glue(`database/${db}`), glue(`table/${db}/*`)]),
      ],
    });
  }
  return statements;
}
