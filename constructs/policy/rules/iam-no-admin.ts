import { documentStatements, jsonStatements, type Statement } from "../iam-documents";
import type { PolicyRule, Violation } from "../types";
import { blocks, isExpression } from "../values";

const ANY_ACTION = new Set(["*", "*:*"]);

function violations(statements: Statement[]): Violation[] {
  const out: Violation[] = [];
  statements.forEach((s, i) => {
    if (s.effect !== "Allow" || !s.resources.includes("*")) return;
    const name = s.sid ? `statement ${JSON.stringify(s.sid)}` : `statement ${i + 1}`;
    if (s.actions.some((a) => ANY_ACTION.has(a)))
      out.push({ detail: `${name} allows action "*" on resource "*"` });
    else if (s.notActions.length > 0)
      out.push({ detail: `${name} allows everything except ${s.notActions.join(", ")} on resource "*"` });
  });
  return out;
}

export const iamNoAdmin: PolicyRule = {
  id: "MLOPS-IAM-001",
  severity: "error",
  message: 'IAM policy allows every action ("*") on every resource',
  explanation:
    'Action "*" on Resource "*" is administrator access: one leaked credential owns the account. Grant the ' +
    "specific actions on the specific ARNs the workload uses. Checked: aws_iam_policy_document statements and " +
    "literal JSON in aws_iam_policy, aws_iam_role_policy, aws_iam_user_policy, aws_iam_group_policy and " +
    "aws_iam_role inline_policy. KMS key policies granting kms:* on * to the account root are not flagged: that " +
    'is AWS\'s default key policy (it delegates to IAM; in a key policy "*" means the key itself) and kms:* is ' +
    "not the * action.",
  appliesTo: [
    "data.aws_iam_policy_document",
    "aws_iam_policy",
    "aws_iam_role_policy",
    "aws_iam_user_policy",
    "aws_iam_group_policy",
    "aws_iam_role",
  ],
  check(view, ctx) {
    if (view.type === "data.aws_iam_policy_document") return violations(documentStatements(view, ctx.index));
    const texts =
      view.type === "aws_iam_role"
        ? blocks(view.config.inline_policy).map((p) => p.policy)
        : [view.config.policy];
    const out: Violation[] = [];
    for (const t of texts) {
      // References to policy documents are checked on the document itself.
      if (typeof t !== "string" || (isExpression(t) && !t.trim().startsWith("{"))) continue;
      const statements = jsonStatements(t);
      if (statements) out.push(...violations(statements));
    }
    return out;
  },
};
