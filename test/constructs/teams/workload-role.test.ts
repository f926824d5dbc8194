import { describe, expect, it } from "vitest";
import { TeamWorkloadRole, type TeamWorkloadRoleProps } from "../../../constructs/teams/workload-role";
import { onlyResource, resourcesOf, type SynthJson, synthStack } from "../../support/synth";
import {
  BUCKETS,
  bucketArn,
  documentStatements,
  expectTeamScoped,
  KMS_KEY,
  S3_ENDPOINT,
  type StatementJson,
} from "./support";

const lake = (readWriteZones: string[], sharedReadZones: string[]) => ({
  buckets: BUCKETS,
  kmsKeyArn: KMS_KEY,
  s3ServiceEndpoint: S3_ENDPOINT,
  readWriteZones,
  sharedReadZones,
});

function props(team: string, overrides: Partial<TeamWorkloadRoleProps> = {}): TeamWorkloadRoleProps {
  return {
    team,
    environment: "dev",
    cluster: { clusterName: "ml-dev" },
    roleName: `ml-dev-team-${team}-dev`,
    lake: lake(["raw", "curated"], ["curated"]),
    ...overrides,
  };
}

/** Two teams whose names share a prefix (a, ab): a prefix match would leak one into the other. */
function synthTwoTeams(): SynthJson {
  return synthStack((stack) => {
    new TeamWorkloadRole(stack, "TeamA", props("a"));
    new TeamWorkloadRole(
      stack,
      "TeamAb",
      props("ab", { lake: lake(["raw", "features"], ["curated", "models"]) }),
    );
  });
}

const actionsOn = (statements: readonly StatementJson[], resource: string) =>
  statements.filter((s) => s.resources?.includes(resource)).flatMap((s) => s.actions ?? []);

describe("TeamWorkloadRole", () => {
  const json = synthTwoTeams();
  const a = documentStatements(json, "TeamA_AccessPolicy");
  const ab = documentStatements(json, "TeamAb_AccessPolicy");

  it("two teams: each statement stays in its own prefix, no wildcard action, no bucket-wide write", () => {
    expectTeamScoped(a, { team: "a", others: ["ab"], sharedReadBuckets: [bucketArn("curated")] });
    expectTeamScoped(ab, {
      team: "ab",
      others: ["a"],
      sharedReadBuckets: [bucketArn("curated"), bucketArn("models")],
    });
  });

  it("read-write zones: get, put, delete and multipart on teams/<name>/* and list under the prefix only", () => {
    for (const zone of ["raw", "curated"]) {
      const objects = actionsOn(a, `${bucketArn(zone)}/teams/a/*`);
      expect(objects).toEqual(
        expect.arrayContaining([
          "s3:GetObject",
          "s3:PutObject",
          "s3:DeleteObject",
          "s3:AbortMultipartUpload",
        ]),
      );
      const list = a.find(
        (s) => s.actions?.includes("s3:ListBucket") && s.resources?.includes(bucketArn(zone)) && s.condition,
      );
      expect(list?.condition).toEqual([
        { test: "StringLike", variable: "s3:prefix", values: ["teams/a/", "teams/a/*"] },
      ]);
    }
    // Zones the team was not given do not appear.
    for (const zone of ["features", "models"]) expect(JSON.stringify(a)).not.toContain(bucketArn(zone));
  });

  it("shared-read zones: list and get on the zone, nothing written", () => {
    const shared = actionsOn(ab, `${bucketArn("models")}/*`);
    expect(shared.sort()).toEqual(["s3:GetObject", "s3:GetObjectVersion"]);
    const list = ab.find(
      (s) => s.actions?.includes("s3:ListBucket") && s.resources?.includes(bucketArn("models")),
    );
    expect(list?.actions).toEqual(["s3:ListBucket"]);
    expect(list?.resources).not.toContain(bucketArn("raw"));
  });

  it("the lake key only through S3 in the region, decrypt and generate data key only", () => {
    const kms = a.filter((s) => s.actions?.some((x) => x.startsWith("kms:")));
    expect(kms.length).toBeGreaterThan(0);
    for (const s of kms) {
      expect(s.resources).toEqual([KMS_KEY]);
      expect(s.actions?.every((x) => ["kms:Decrypt", "kms:GenerateDataKey"].includes(x))).toBe(true);
      expect(s.condition).toContainEqual({
        test: "StringEquals",
        variable: "kms:ViaService",
        values: [S3_ENDPOINT],
      });
    }
    // Only S3 and KMS: nothing else.
    for (const s of [...a, ...ab]) for (const x of s.actions ?? []) expect(x).toMatch(/^(s3|kms):/);
  });

  it("trusts exactly service account team-<name> of namespace team-<name>-<env> and carries the team tag", () => {
    const associations = Object.values(resourcesOf(json, "aws_eks_pod_identity_association"));
    expect(associations.map((x) => [x.namespace, x.service_account]).sort()).toEqual([
      ["team-a-dev", "team-a"],
      ["team-ab-dev", "team-ab"],
    ]);
    for (const role of Object.values(resourcesOf(json, "aws_iam_role"))) {
      expect(role.tags).toMatchObject({ team: String(role.name).replace(/^ml-dev-team-(.+)-dev$/, "$1") });
    }
  });

  it("IRSA: the web identity subject is the team's service account", () => {
    const irsa = synthStack((stack) => {
      new TeamWorkloadRole(
        stack,
        "Team",
        props("a", {
          mode: "irsa",
          cluster: {
            clusterName: "ml-dev",
            oidcProviderArn: "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/X",
            oidcIssuerUrl: "https://oidc.eks.eu-west-1.amazonaws.com/id/X",
          },
        }),
      );
    });
    const trust = documentStatements(irsa, "TrustPolicy");
    expect(trust[0]?.condition).toContainEqual({
      test: "StringEquals",
      variable: "oidc.eks.eu-west-1.amazonaws.com/id/X:sub",
      values: ["system:serviceaccount:team-a-dev:team-a"],
    });
    expect(resourcesOf(irsa, "aws_eks_pod_identity_association")).toEqual({});
  });

  it("caller statements (e.g. MSK) join the one inline policy", () => {
    const json = synthStack((stack) => {
      new TeamWorkloadRole(
        stack,
        "Team",
        props("a", {
          lake: undefined,
          statements: [
            {
              sid: "Connect",
              effect: "Allow",
              actions: ["kafka-cluster:Connect"],
              resources: ["arn:aws:kafka:eu-west-1:123456789012:cluster/ml-dev-kafka/u"],
            },
          ],
        }),
      );
    });
    expect(documentStatements(json, "AccessPolicy").map((s) => s.sid)).toEqual(["Connect"]);
    expect(onlyResource(json, "aws_iam_role_policy").name).toBe("team-access");
  });

  it("fails when a zone is not one of the lake's, naming the prop and the zones there are", () => {
    expect(() =>
      synthStack((stack) => new TeamWorkloadRole(stack, "T", props("a", { lake: lake(["gold"], []) }))),
    ).toThrow(/lake\.readWriteZones has zone "gold".*expected one of raw, curated, features, models/);
    expect(() =>
      synthStack((stack) => new TeamWorkloadRole(stack, "T", props("a", { lake: lake([], ["silver"]) }))),
    ).toThrow(/lake\.sharedReadZones has zone "silver"/);
  });

  it("fails when the team name is not a DNS label of at most 20 characters", () => {
    for (const team of ["Team_A", "-a", "a".repeat(21)]) {
      expect(() => synthStack((stack) => new TeamWorkloadRole(stack, "T", props(team)))).toThrow(
        /Invalid team/,
      );
    }
  });
});
