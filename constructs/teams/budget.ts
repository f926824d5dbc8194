/**
 * A team's monthly AWS cost budget on its cost-allocation tag (issue 13): `ACTUAL` alerts at each configured
 * percentage of the limit and one `FORECASTED` alert at 100 %, to e-mail recipients and optionally an SNS topic.
 */
import { BudgetsBudget } from "@cdktf/provider-aws/lib/budgets-budget";
import { Token } from "cdktf";
import { Construct } from "constructs";
import type { Tags } from "../core/tags";

/** AWS Budgets: at most 10 notifications per budget; one is the forecast alert. */
export const MAX_BUDGET_THRESHOLDS = 9;
/** AWS Budgets: a notification has at most 10 e-mail subscribers (and one SNS topic). */
export const MAX_BUDGET_RECIPIENTS = 10;
/** The forecast alert's percentage: "on course to spend the whole limit this month". */
export const FORECAST_THRESHOLD_PERCENT = 100;

export interface TeamBudgetProps {
  /** The team's name: the value of its cost-allocation tag. */
  readonly team: string;
  /** The budget's name, unique in the account (e.g. the team stack's name). */
  readonly budgetName: string;
  /** Monthly limit in USD. */
  readonly limitUsdPerMonth: number;
  /** An `ACTUAL` alert when spend passes each of these percentages of the limit (1–1000, each once). */
  readonly thresholdsPercent: readonly number[];
  /** E-mail addresses every alert goes to (1–10). */
  readonly recipients: readonly string[];
  /** An SNS topic every alert also goes to; its policy must let `budgets.amazonaws.com` publish. */
  readonly snsTopicArn?: string;
  /** The cost-allocation tag key whose value is the team's name. @default "team" */
  readonly tagKey?: string;
  /** Where these values come from in the configuration, for error messages. @default "teams.<team>.budget" */
  readonly configPath?: string;
  readonly tags?: Tags;
}

/**
 * Every problem of a team budget's settings, each naming the configuration path, the value and what was
 * expected; empty when valid. Exported so the configuration schema can report them at load time too.
 */
export function teamBudgetProblems(
  b: Pick<TeamBudgetProps, "limitUsdPerMonth" | "thresholdsPercent" | "recipients">,
  path: string,
): string[] {
  const problems: string[] = [];
  if (!Number.isFinite(b.limitUsdPerMonth) || b.limitUsdPerMonth <= 0)
    problems.push(`${path}.limitUsdPerMonth: got ${b.limitUsdPerMonth}; expected a positive amount in USD`);
  if (b.recipients.length === 0)
    problems.push(`${path}.recipients: got []; expected at least one e-mail address to alert`);
  if (b.recipients.length > MAX_BUDGET_RECIPIENTS)
    problems.push(
      `${path}.recipients: got ${b.recipients.length} addresses; expected at most ${MAX_BUDGET_RECIPIENTS} (AWS Budgets' limit per notification)`,
    );
  if (b.thresholdsPercent.length === 0)
    problems.push(`${path}.thresholdsPercent: got []; expected at least one percentage`);
  if (b.thresholdsPercent.length > MAX_BUDGET_THRESHOLDS)
    problems.push(
      `${path}.thresholdsPercent: got ${b.thresholdsPercent.length} thresholds; expected at most ${MAX_BUDGET_THRESHOLDS} (AWS Budgets allows 10 notifications, one is the forecast)`,
    );
  const seen = new Set<number>();
  b.thresholdsPercent.forEach((t, i) => {
    if (!Number.isInteger(t) || t < 1 || t > 1000)
      problems.push(`${path}.thresholdsPercent[${i}]: got ${t}; expected a whole percentage from 1 to 1000`);
    if (seen.has(t)) problems.push(`${path}.thresholdsPercent[${i}]: got ${t} twice; expected each once`);
    seen.add(t);
  });
  return problems;
}

/**
 * `aws_budgets_budget` (COST, MONTHLY, USD) filtered on the tag `<tagKey>=<team>` (Budgets' TagKeyValue
 * filter: `user:<key>$<value>`). Costs show up only once the tag is activated as a cost-allocation tag in the
 * payer account (Billing console, or `aws_ce_cost_allocation_tag`), which is account-wide and so not made here.
 * The filter is by team, not by environment: one budget per team, in one of its environment stacks.
 */
export class TeamBudget extends Construct {
  readonly resource: BudgetsBudget;

  constructor(scope: Construct, id: string, props: TeamBudgetProps) {
    super(scope, id);
    const path = props.configPath ?? `teams.${props.team}.budget`;
    const problems = teamBudgetProblems(props, path);
    if (props.snsTopicArn !== undefined && !Token.isUnresolved(props.snsTopicArn)) {
      if (!/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/.test(props.snsTopicArn))
        problems.push(
          `${path}.snsTopicArn: got ${JSON.stringify(props.snsTopicArn)}; expected an SNS topic ARN (arn:aws:sns:<region>:<account>:<name>)`,
        );
    }
    if (problems.length > 0) throw new Error(`Invalid team budget:\n  ${problems.join("\n  ")}`);

    const subscribers = {
      subscriberEmailAddresses: [...props.recipients],
      ...(props.snsTopicArn ? { subscriberSnsTopicArns: [props.snsTopicArn] } : {}),
    };
    const alert = (notificationType: "ACTUAL" | "FORECASTED", threshold: number) => ({
      notificationType,
      comparisonOperator: "GREATER_THAN",
      threshold,
      thresholdType: "PERCENTAGE",
      ...subscribers,
    });
    this.resource = new BudgetsBudget(this, "Budget", {
      name: props.budgetName,
      budgetType: "COST",
      timeUnit: "MONTHLY",
      limitAmount: String(props.limitUsdPerMonth),
      limitUnit: "USD",
      // `$` before a letter is no Terraform interpolation, so the value reaches AWS as written.
      costFilter: [{ name: "TagKeyValue", values: [`user:${props.tagKey ?? "team"}$${props.team}`] }],
      notification: [
        ...[...props.thresholdsPercent].sort((a, b) => a - b).map((t) => alert("ACTUAL", t)),
        alert("FORECASTED", FORECAST_THRESHOLD_PERCENT),
      ],
      tags: props.tags ? { ...props.tags } : undefined,
    });
  }
}
