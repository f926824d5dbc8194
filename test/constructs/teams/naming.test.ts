import { describe, expect, it } from "vitest";
import {
  teamGlueDatabase,
  teamKafkaTopicPrefix,
  teamLakePrefix,
  teamMlflowExperimentPrefix,
  teamMlflowModelPrefix,
  teamNamespace,
  teamServiceAccount,
  teamStackName,
  teamTags,
} from "../../../constructs/teams/naming";

describe("team naming", () => {
  it("derives every name of the contract from the team and its environment", () => {
    expect(teamNamespace("fraud-ml", "prod")).toBe("team-fraud-ml-prod");
    expect(teamStackName("mlops-dev", "fraud-ml", "prod")).toBe("mlops-dev-team-fraud-ml-prod");
    expect(teamServiceAccount("fraud-ml")).toBe("team-fraud-ml");
    expect(teamLakePrefix("fraud-ml")).toBe("teams/fraud-ml/");
    expect(teamKafkaTopicPrefix("fraud-ml")).toBe("team.fraud-ml.");
    expect(teamGlueDatabase("fraud-ml")).toBe("team_fraud_ml");
    expect(teamMlflowExperimentPrefix("fraud-ml")).toBe("fraud-ml/");
    expect(teamMlflowModelPrefix("fraud-ml")).toBe("fraud-ml.");
    expect(teamTags("fraud-ml")).toEqual({ team: "fraud-ml" });
  });

  it("keeps the longest names within Kubernetes' 63-character label limit", () => {
    const team = "t".repeat(20);
    const env = "e".repeat(12);
    expect(teamNamespace(team, env).length).toBeLessThanOrEqual(63);
    expect(teamServiceAccount(team).length).toBeLessThanOrEqual(63);
  });

  it("keeps one team's lake prefix from being a prefix of another's", () => {
    expect(teamLakePrefix("a").startsWith("teams/a")).toBe(true);
    expect(teamLakePrefix("ab").startsWith(teamLakePrefix("a"))).toBe(false);
    expect(teamKafkaTopicPrefix("ab").startsWith(teamKafkaTopicPrefix("a"))).toBe(false);
  });
});
