import { describe, expect, it } from "vitest";
import {
  MAX_BUDGET_THRESHOLDS,
  TeamBudget,
  type TeamBudgetProps,
  teamBudgetProblems,
} from "../../../constructs/teams/budget";
import { onlyResource, resourcesOf, synthScope } from "../../support/synth";

const BASE: TeamBudgetProps = {
  team: "fraud",
  budgetName: "mlops-dev-team-fraud-dev",
  limitUsdPerMonth: 1500,
  thresholdsPercent: [100, 80],
  recipients: ["ops@example.com", "lead@example.com"],
  tags: { team: "fraud" },
};

interface Notification {
  notification_type: string;
  comparison_operator: string;
  threshold: number;
  threshold_type: string;
  subscriber_email_addresses: string[];
  subscriber_sns_topic_arns?: string[];
}

function budget(props: Partial<TeamBudgetProps> = {}) {
  const json = synthScope((scope) => new TeamBudget(scope, "Budget", { ...BASE, ...props }));
  return onlyResource(json, "aws_budgets_budget") as Record<string, unknown> & {
    notification: Notification[];
    cost_filter: { name: string; values: string[] }[];
  };
}

describe("TeamBudget", () => {
  it("is a monthly USD cost budget on the team's cost-allocation tag and nothing else", () => {
    const b = budget();
    expect(b).toMatchObject({
      name: BASE.budgetName,
      budget_type: "COST",
      time_unit: "MONTHLY",
      limit_amount: "1500",
      limit_unit: "USD",
      tags: { team: "fraud" },
    });
    // Budgets' TagKeyValue format: user:<key>$<value>; one filter, so no other cost narrows or widens it.
    expect(b.cost_filter).toEqual([{ name: "TagKeyValue", values: ["user:team$fraud"] }]);
  });

  it("alerts on actual spend at each threshold and on the forecast at 100 %, to every recipient", () => {
    const b = budget();
    const actual = b.notification.filter((n) => n.notification_type === "ACTUAL");
    const forecast = b.notification.filter((n) => n.notification_type === "FORECASTED");
    expect(actual.map((n) => n.threshold)).toEqual([80, 100]);
    expect(forecast.map((n) => n.threshold)).toEqual([100]);
    for (const n of b.notification) {
      expect(n.comparison_operator).toBe("GREATER_THAN");
      expect(n.threshold_type).toBe("PERCENTAGE");
      expect(n.subscriber_email_addresses).toEqual(BASE.recipients);
      expect(n.subscriber_sns_topic_arns).toBeUndefined();
    }
  });

  it("sends every alert to the SNS topic too when one is given", () => {
    const topic = "arn:aws:sns:eu-west-1:111122223333:team-fraud-cost";
    const b = budget({ snsTopicArn: topic });
    expect(b.notification).toHaveLength(3);
    for (const n of b.notification) expect(n.subscriber_sns_topic_arns).toEqual([topic]);
  });

  it("filters on another tag key when given, and two teams never share a filter", () => {
    const json = synthScope((scope) => {
      new TeamBudget(scope, "A", { ...BASE, team: "a", budgetName: "a" });
      new TeamBudget(scope, "B", { ...BASE, team: "b", budgetName: "b", tagKey: "cost-team" });
    });
    const filters = Object.values(resourcesOf(json, "aws_budgets_budget")).map(
      (r) => (r.cost_filter as { values: string[] }[])[0]?.values,
    );
    expect(filters).toEqual([["user:team$a"], ["user:cost-team$b"]]);
  });

  it("fails when there is no recipient, naming the configuration path", () => {
    expect(() => budget({ recipients: [] })).toThrow(
      /teams\.fraud\.budget\.recipients: got \[\]; expected at least one e-mail address/,
    );
  });

  it("fails when a threshold is outside 1..1000, not whole or given twice", () => {
    expect(() => budget({ thresholdsPercent: [0] })).toThrow(
      /thresholdsPercent\[0\]: got 0; expected a whole percentage from 1 to 1000/,
    );
    expect(() => budget({ thresholdsPercent: [80, 1001] })).toThrow(/thresholdsPercent\[1\]: got 1001/);
    expect(() => budget({ thresholdsPercent: [50.5] })).toThrow(/thresholdsPercent\[0\]: got 50.5/);
    expect(() => budget({ thresholdsPercent: [80, 80] })).toThrow(/thresholdsPercent\[1\]: got 80 twice/);
  });

  it("fails when AWS Budgets' limits would refuse it: too many thresholds or recipients", () => {
    const many = Array.from({ length: MAX_BUDGET_THRESHOLDS + 1 }, (_, i) => (i + 1) * 10);
    expect(() => budget({ thresholdsPercent: many })).toThrow(/got 10 thresholds; expected at most 9/);
    const people = Array.from({ length: 11 }, (_, i) => `p${i}@example.com`);
    expect(() => budget({ recipients: people })).toThrow(/got 11 addresses; expected at most 10/);
  });

  it("fails when the limit is not positive or the SNS topic is not an SNS ARN, with the given path", () => {
    expect(() => budget({ limitUsdPerMonth: 0, configPath: "x.budget" })).toThrow(
      /x\.budget\.limitUsdPerMonth: got 0; expected a positive amount/,
    );
    expect(() => budget({ snsTopicArn: "arn:aws:sqs:eu-west-1:111122223333:q" })).toThrow(
      /snsTopicArn: got "arn:aws:sqs:eu-west-1:111122223333:q"; expected an SNS topic ARN/,
    );
  });

  it("reports every problem at once and none for a valid budget", () => {
    expect(teamBudgetProblems(BASE, "p")).toEqual([]);
    expect(teamBudgetProblems({ ...BASE, recipients: [], thresholdsPercent: [0] }, "p")).toHaveLength(2);
  });
});
