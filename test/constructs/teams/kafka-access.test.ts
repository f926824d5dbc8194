import { KubernetesProvider } from "@cdktf/provider-kubernetes/lib/provider";
import { describe, expect, it } from "vitest";
import {
  TeamStrimziKafkaAccess,
  type TeamStrimziKafkaAccessProps,
  teamKafkaGrant,
  teamMskStatements,
} from "../../../constructs/teams/kafka-access";
import { TeamWorkloadRole } from "../../../constructs/teams/workload-role";
import { all, type Json, manifests, named } from "../../support/manifests";
import { describeWithSchemas, expectValidStack } from "../../support/schemas";
import { type SynthJson, synthStack } from "../../support/synth";
import { documentStatements, expectTeamScoped, type StatementJson } from "./support";

type Auth = TeamStrimziKafkaAccessProps["authentication"];
const KAFKA = { namespace: "kafka", cluster: "platform" };
/** Team a reads the predictions topic, team ab does not; their names share a prefix. */
const TEAMS = [
  ["a", true],
  ["ab", false],
] as const;

/** Teams a (reads predictions) and ab (does not), whose names share a prefix, in one stack. */
function synthStrimzi(authentication: Auth): SynthJson {
  return synthStack((stack) => {
    const provider = new KubernetesProvider(stack, "k8s", {});
    for (const [team, readPredictions] of TEAMS) {
      new TeamStrimziKafkaAccess(stack, `Team-${team}`, {
        team,
        environment: "dev",
        kafka: KAFKA,
        authentication,
        provider,
        namespace: { name: `team-${team}-dev` },
        readPredictions,
        predictionsTopic: "predictions",
      });
    }
  });
}

const aclsOf = (user: Json) => user.spec.authorization.acls as Json[];

describeWithSchemas("Team Kafka access on Strimzi", () => {
  for (const auth of ["scram-sha-512", "tls"] as const) {
    it(`${auth}: KafkaUser team-<name>-<env> valid against the CRD, authentication as the cluster's, prefixed ACLs`, () => {
      const json = synthStrimzi(auth);
      const report = expectValidStack(json);
      expect(report.checked.KafkaUser).toBe(2);
      expect(report.checked.ExternalSecret).toBe(4);
      const users = manifests(json, "KafkaUser");
      expect(users.map((u) => [u.metadata.name, u.metadata.namespace]).sort()).toEqual([
        ["team-a-dev", "kafka"],
        ["team-ab-dev", "kafka"],
      ]);
      for (const u of users) {
        expect(u.metadata.labels).toEqual({ "strimzi.io/cluster": "platform" });
        expect(u.spec.authentication).toEqual({ type: auth });
      }
      const a = users.find((u) => u.metadata.name === "team-a-dev") as Json;
      expect(aclsOf(a)).toEqual([
        {
          type: "allow",
          resource: { type: "topic", name: "team.a.", patternType: "prefix" },
          operations: ["Read", "Write", "Create", "Describe", "DescribeConfigs"],
        },
        {
          type: "allow",
          resource: { type: "group", name: "team.a.", patternType: "prefix" },
          operations: ["Read", "Describe"],
        },
        {
          type: "allow",
          resource: { type: "topic", name: "predictions", patternType: "literal" },
          operations: ["Read", "Describe"],
        },
      ]);
    });
  }

  it("two teams: disjoint prefixes, the predictions topic only where allowed, nothing else", () => {
    const users = manifests(synthStrimzi("tls"), "KafkaUser");
    for (const u of users) {
      const team = String(u.metadata.name).replace(/^team-(.+)-dev$/, "$1");
      for (const acl of aclsOf(u)) {
        const name = acl.resource.name as string;
        if (acl.resource.patternType === "prefix") expect(name).toBe(`team.${team}.`);
        else expect([name, acl.operations]).toEqual(["predictions", ["Read", "Describe"]]);
      }
    }
    const ab = users.find((u) => u.metadata.name === "team-ab-dev") as Json;
    expect(aclsOf(ab).some((acl) => acl.resource.name === "predictions")).toBe(false);
  });
});

describe("Team Kafka credentials", () => {
  for (const [auth, keys] of [
    ["scram-sha-512", ["password"]],
    ["tls", ["user.crt", "user.key"]],
  ] as const) {
    it(`${auth}: External Secrets copy ${keys.join(", ")} and ca.crt into the team namespace; the reader may get exactly those two Secrets`, () => {
      const json = synthStrimzi(auth);
      const role = named(json, "kubernetes_role_v1", "team-a-dev-kafka-team-a-dev-reader");
      expect(role.metadata.namespace).toBe("kafka");
      expect(role.rule).toEqual([
        {
          api_groups: [""],
          resources: ["secrets"],
          verbs: ["get"],
          resource_names: ["team-a-dev", "platform-cluster-ca-cert"],
        },
      ]);
      const copies = manifests(json, "ExternalSecret").filter((e) => e.metadata.namespace === "team-a-dev");
      expect(
        Object.fromEntries(
          copies.map((e) => [e.spec.target.name, e.spec.data.map((d: Json) => d.secretKey)]),
        ),
      ).toEqual({ "kafka-cluster-ca": ["ca.crt"], "kafka-user-team-a-dev": [...keys] });
      for (const e of copies)
        expect(e.spec.secretStoreRef).toEqual({ name: "kafka-team-a-dev", kind: "SecretStore" });
      // No secret value through Terraform.
      expect(all(json, "kubernetes_secret_v1")).toEqual([]);
      expect(all(json, "kubernetes_secret")).toEqual([]);
    });
  }
});

const MSK = {
  clusterArn: "arn:aws:kafka:eu-west-1:123456789012:cluster/ml-dev-kafka/uuid-1",
  clusterName: "ml-dev-kafka",
  clusterUuid: "uuid-1",
};
const AWS = {
  arn: (service: string, resource: string) => `arn:aws:${service}:eu-west-1:123456789012:${resource}`,
};
const arnOf = (type: string, name: string) =>
  `arn:aws:kafka:eu-west-1:123456789012:${type}/ml-dev-kafka/uuid-1/${name}`;

describe("Team Kafka access on MSK", () => {
  // Through the workload role, as the team stack attaches them: the synthesized policy documents.
  const json = synthStack((stack) => {
    for (const [team, readPredictions] of TEAMS) {
      new TeamWorkloadRole(stack, `Team-${team}`, {
        team,
        environment: "dev",
        cluster: { clusterName: "ml-dev" },
        roleName: `ml-dev-team-${team}-dev`,
        statements: teamMskStatements({
          team,
          cluster: MSK,
          aws: AWS,
          readPredictions,
          predictionsTopic: "predictions",
        }),
      });
    }
  });
  const a = documentStatements(json, "Team-a_AccessPolicy");
  const ab = documentStatements(json, "Team-ab_AccessPolicy");
  const bySid = (statements: StatementJson[]) => Object.fromEntries(statements.map((s) => [s.sid, s]));

  it("connect on the cluster; create, read and write team.<name>.*; groups team.<name>.*", () => {
    const s = bySid(ab);
    expect(s.Connect?.resources).toEqual([MSK.clusterArn]);
    expect(s.Connect?.actions).toContain("kafka-cluster:Connect");
    expect(s.ReadTopics?.resources).toEqual([arnOf("topic", "team.ab.*")]);
    expect(s.WriteTopics?.resources).toEqual([arnOf("topic", "team.ab.*")]);
    expect(s.CreateTopics?.resources).toEqual([arnOf("topic", "team.ab.*")]);
    expect(s.CreateTopics?.actions).toContain("kafka-cluster:CreateTopic");
    expect(s.ConsumerGroups?.resources).toEqual([arnOf("group", "team.ab.*")]);
  });

  it("the predictions topic is read (never written) only where allowed", () => {
    expect(bySid(a).ReadTopics?.resources).toEqual([
      arnOf("topic", "team.a.*"),
      arnOf("topic", "predictions"),
    ]);
    expect(JSON.stringify(bySid(a).WriteTopics)).not.toContain("predictions");
    expect(JSON.stringify(ab)).not.toContain("predictions");
  });

  it("two teams: disjoint prefixes and no wildcard action", () => {
    for (const [statements, team, other] of [
      [a, "a", "ab"],
      [ab, "ab", "a"],
    ] as const) {
      expectTeamScoped(statements, { team, others: [other] });
      for (const s of statements)
        for (const r of s.resources ?? [])
          if (r !== MSK.clusterArn) expect(r).toMatch(new RegExp(`/(team\\.${team}\\.\\*|predictions)$`));
    }
  });

  it("fails when readPredictions is set and the platform has no predictions topic", () => {
    expect(() => teamKafkaGrant("a", { readPredictions: true })).toThrow(
      /Team "a": kafka\.readPredictions is true but the platform has no predictions topic/,
    );
  });
});
