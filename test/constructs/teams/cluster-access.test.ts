import { describe, expect, it } from "vitest";
import { TeamClusterAccess } from "../../../constructs/teams/cluster-access";
import { resourcesOf, synthScope } from "../../support/synth";

describe("TeamClusterAccess", () => {
  const members = [
    { arn: "arn:aws:iam::111122223333:role/alice", access: "edit" as const },
    { arn: "arn:aws:iam::111122223333:user/bob", access: "view" as const },
  ];
  const synth = (list = members) =>
    synthScope((scope) => {
      new TeamClusterAccess(scope, "Access", {
        clusterName: "acme-dev",
        members: list,
        namespaces: ["team-fraud-dev", "team-fraud-prod"],
      });
    });

  it("associates each member's level policy with namespace scope only", () => {
    const associations = Object.values(resourcesOf(synth(), "aws_eks_access_policy_association")) as {
      policy_arn: string;
      access_scope: { type: string; namespaces: string[] };
    }[];
    expect(associations.map((a) => a.policy_arn.split("/").pop())).toEqual([
      "AmazonEKSEditPolicy",
      "AmazonEKSViewPolicy",
    ]);
    for (const a of associations) {
      expect(a.access_scope).toEqual({
        type: "namespace",
        namespaces: ["team-fraud-dev", "team-fraud-prod"],
      });
    }
  });

  it("keeps construct ids by ARN, so reordering members replaces nothing", () => {
    const ids = (json: ReturnType<typeof synth>) =>
      Object.keys(resourcesOf(json, "aws_eks_access_entry")).sort();
    expect(ids(synth([...members].reverse()))).toEqual(ids(synth()));
  });

  it("fails when it is given no namespace to scope to", () => {
    expect(() =>
      synthScope((scope) => {
        new TeamClusterAccess(scope, "Access", { clusterName: "c", members, namespaces: [] });
      }),
    ).toThrow(/namespaces: got \[\]/);
  });
});
