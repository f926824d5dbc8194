import { describe, expect, it } from "vitest";
import {
  TeamLakeFormation,
  type TeamLakeFormationProps,
  teamLakeFormationStatements,
} from "../../../constructs/teams/lake-formation";
import { TeamWorkloadRole } from "../../../constructs/teams/workload-role";
import type { Json } from "../../support/manifests";
import { resourcesOf, type SynthJson, synthStack } from "../../support/synth";
import {
  BUCKETS,
  bucketArn,
  bucketName,
  documentStatements,
  expectTeamScoped,
  KMS_KEY,
  S3_ENDPOINT,
  ZONES,
} from "./support";

const ZONE_DATABASES = Object.fromEntries(ZONES.map((z) => [z, `ml_dev_${z}`]));
const AWS = {
  arn: (service: string, resource: string) => `arn:aws:${service}:eu-west-1:123456789012:${resource}`,
};

interface TeamSpec {
  readonly team: string;
  readonly readWriteZones: string[];
  readonly sharedReadZones: string[];
}
const TEAMS: TeamSpec[] = [
  { team: "a", readWriteZones: ["raw", "curated"], sharedReadZones: ["curated"] },
  { team: "ab", readWriteZones: ["features"], sharedReadZones: [] },
];

/** Two teams as the team stack builds them: the workload role with the Lake Formation statements, then the grants. */
function synthTeams(teams = TEAMS, overrides: Partial<TeamLakeFormationProps> = {}): SynthJson {
  return synthStack((stack) => {
    for (const t of teams) {
      const role = new TeamWorkloadRole(stack, `Team-${t.team}`, {
        team: t.team,
        environment: "dev",
        cluster: { clusterName: "ml-dev" },
        roleName: `ml-dev-team-${t.team}-dev`,
        lake: { buckets: BUCKETS, kmsKeyArn: KMS_KEY, s3ServiceEndpoint: S3_ENDPOINT, ...t },
        statements: teamLakeFormationStatements({
          team: t.team,
          sharedReadDatabases: t.sharedReadZones.map((z) => ZONE_DATABASES[z] as string),
          aws: AWS,
        }),
      });
      new TeamLakeFormation(stack, `LakeFormation-${t.team}`, {
        principalArn: role.roleArn,
        buckets: BUCKETS,
        zoneDatabases: ZONE_DATABASES,
        ...t,
        ...overrides,
      });
    }
  });
}

type Grant = Json;
/** The grants whose principal is team `team`'s role (a reference to its aws_iam_role). */
function grantsOf(json: SynthJson, team: string): Grant[] {
  return Object.entries(resourcesOf(json, "aws_lakeformation_permissions"))
    .filter(([id]) => id.startsWith(`LakeFormation-${team}_`))
    .map(([, g]) => g as Grant);
}

describe("TeamLakeFormation", () => {
  const json = synthTeams();
  const roles = resourcesOf(json, "aws_iam_role");
  const roleRef = (team: string) => {
    const id = Object.keys(roles).find((k) => k.startsWith(`Team-${team}_`));
    return `\${aws_iam_role.${id}.arn}`;
  };

  it("a Glue database team_<name> per team, located in its prefix of its first read-write zone, protected and tagged", () => {
    const dbs = Object.values(resourcesOf(json, "aws_glue_catalog_database"));
    expect(dbs.map((d) => [d.name, d.location_uri]).sort()).toEqual([
      ["team_a", `s3://${bucketName("raw")}/teams/a/`],
      ["team_ab", `s3://${bucketName("features")}/teams/ab/`],
    ]);
    for (const d of dbs) {
      expect(d.lifecycle).toEqual({ prevent_destroy: true });
      expect(d.tags).toEqual({ team: String(d.name).replace("team_", "") });
    }
  });

  it("grants go to the team's own role, without grant option or ALL", () => {
    for (const team of ["a", "ab"]) {
      const grants = grantsOf(json, team);
      expect(grants.length).toBeGreaterThan(0);
      for (const g of grants) {
        expect(g.principal).toBe(roleRef(team));
        expect(g.permissions_with_grant_option).toBeUndefined();
        expect(g.permissions).not.toContain("ALL");
        expect(g.catalog_resource).toBeUndefined();
      }
    }
  });

  it("its database: CREATE_TABLE, ALTER, DROP, DESCRIBE; its data locations: teams/<name> of each read-write zone", () => {
    const a = grantsOf(json, "a");
    const own = a.filter((g) => String(g.database?.name).includes("aws_glue_catalog_database"));
    expect(own.map((g) => g.permissions)).toEqual([["CREATE_TABLE", "ALTER", "DROP", "DESCRIBE"]]);
    expect(own[0]?.database.name).toMatch(
      /^\$\{aws_glue_catalog_database\.LakeFormation-a_Database_\w+\.name\}$/,
    );
    const locations = a.filter((g) => g.data_location);
    expect(locations.map((g) => [g.data_location.arn, g.permissions]).sort()).toEqual([
      [`${bucketArn("curated")}/teams/a`, ["DATA_LOCATION_ACCESS"]],
      [`${bucketArn("raw")}/teams/a`, ["DATA_LOCATION_ACCESS"]],
    ]);
  });

  it("shared data: DESCRIBE on the shared zone's database and SELECT, DESCRIBE on its tables, only where sharedReadZones say", () => {
    const a = grantsOf(json, "a");
    const shared = a.filter((g) => g.table || (g.database && !String(g.database.name).includes("${")));
    expect(
      shared.map((g) => [
        g.database?.name ?? g.table.database_name,
        g.table?.wildcard ?? false,
        g.permissions,
      ]),
    ).toEqual([
      ["ml_dev_curated", false, ["DESCRIBE"]],
      ["ml_dev_curated", true, ["SELECT", "DESCRIBE"]],
    ]);
    // Team ab reads no shared zone: no grant on any zone database.
    expect(JSON.stringify(grantsOf(json, "ab"))).not.toMatch(/ml_dev_/);
  });

  it("two teams: no grant names the other team's database or prefix", () => {
    for (const [team, other] of [
      ["a", "ab"],
      ["ab", "a"],
    ] as const) {
      for (const g of grantsOf(json, team)) {
        const arn = g.data_location?.arn as string | undefined;
        if (arn) expect(arn.endsWith(`/teams/${team}`)).toBe(true);
        expect(JSON.stringify(g)).not.toContain(`LakeFormation-${other}_`);
      }
    }
  });

  it("the role's IAM side: Glue on its database (read-write) and the shared ones (read), GetDataAccess, within its prefix", () => {
    const a = documentStatements(json, "Team-a_AccessPolicy");
    expectTeamScoped(a, { team: "a", others: ["ab"], sharedReadBuckets: [bucketArn("curated")] });
    const ab = documentStatements(json, "Team-ab_AccessPolicy");
    expectTeamScoped(ab, { team: "ab", others: ["a"] });
    const writesGlue = a.filter((s) => s.actions?.includes("glue:CreateTable"));
    expect(writesGlue.flatMap((s) => s.resources)).toEqual([
      AWS.arn("glue", "catalog"),
      AWS.arn("glue", "database/team_a"),
      AWS.arn("glue", "table/team_a/*"),
    ]);
    const readsShared = a.find((s) => s.resources?.includes(AWS.arn("glue", "database/ml_dev_curated")));
    expect(
      readsShared?.actions?.every((x) => x.startsWith("glue:Get") || x === "glue:BatchGetPartition"),
    ).toBe(true);
    expect(JSON.stringify(ab)).not.toContain("ml_dev_");
  });

  it("another environment of the team: no second database, its own role granted on team_<name> by name", () => {
    const prod = synthTeams(TEAMS.slice(0, 1), { createDatabase: false });
    expect(resourcesOf(prod, "aws_glue_catalog_database")).toEqual({});
    const grants = grantsOf(prod, "a");
    const own = grants.filter((g) => g.database?.name === "team_a");
    expect(own.map((g) => g.permissions)).toEqual([["CREATE_TABLE", "ALTER", "DROP", "DESCRIBE"]]);
    // The same data locations and shared grants as the first environment, for this stack's role.
    expect(
      grants
        .map((g) => g.data_location?.arn)
        .filter(Boolean)
        .sort(),
    ).toEqual([`${bucketArn("curated")}/teams/a`, `${bucketArn("raw")}/teams/a`]);
    expect(grants.filter((g) => g.table).map((g) => g.table.database_name)).toEqual(["ml_dev_curated"]);
    for (const g of grants) expect(g.principal).toMatch(/^\$\{aws_iam_role\.Team-a_/);
  });

  it("fails when a shared-read zone has no Glue database, naming the zone and the databases there are", () => {
    expect(() => synthTeams(TEAMS.slice(0, 1), { zoneDatabases: { raw: "ml_dev_raw" } })).toThrow(
      /Team "a": lake\.sharedReadZones has zone "curated", which has no Glue database.*expected one of raw/,
    );
  });

  it("fails when a read-write zone is not the lake's", () => {
    expect(() => synthTeams([{ team: "a", readWriteZones: ["gold"], sharedReadZones: [] }])).toThrow(
      /lake\.readWriteZones has zone "gold"/,
    );
  });
});
