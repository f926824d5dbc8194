import type { IConstruct } from "constructs";
import type { PolicyIndex, ResourceView } from "./policy-index";
import { blocks, isExpression, isObject, strings } from "./values";

/** An IAM statement in one shape, whether it came from `aws_iam_policy_document` or from policy JSON. */
export interface Statement {
  readonly sid?: string;
  readonly effect: "Allow" | "Deny";
  readonly actions: string[];
  readonly notActions: string[];
  readonly resources: string[];
  readonly notResources: string[];
  /** `{ AWS: [...], Service: [...], Federated: [...], "*": ["*"] }` */
  readonly principals: Record<string, string[]>;
  readonly conditions: { test: string; variable: string; values: string[] }[];
}

export interface PolicyDocument {
  readonly statements: Statement[];
  /** The construct that defines the statements (a data source, or the resource holding the JSON). */
  readonly definedBy: IConstruct;
}

/** Statements of an `aws_iam_policy_document` data source (effect defaults to Allow). */
/** Where a statement's scalar and list fields live: Terraform's policy-document blocks or IAM's JSON. */
type StatementKeys = Readonly<
  Record<"sid" | "effect" | "actions" | "notActions" | "resources" | "notResources", string>
>;
const TERRAFORM_KEYS: StatementKeys = {
  sid: "sid",
  effect: "effect",
  actions: "actions",
  notActions: "not_actions",
  resources: "resources",
  notResources: "not_resources",
};
const JSON_KEYS: StatementKeys = {
  sid: "Sid",
  effect: "Effect",
  actions: "Action",
  notActions: "NotAction",
  resources: "Resource",
  notResources: "NotResource",
};

function statement(
  s: Record<string, unknown>,
  k: StatementKeys,
  principals: Statement["principals"],
  conditions: Statement["conditions"],
): Statement {
  const sid = s[k.sid];
  return {
    sid: typeof sid === "string" ? sid : undefined,
    effect: s[k.effect] === "Deny" ? "Deny" : "Allow",
    actions: strings(s[k.actions]),
    notActions: strings(s[k.notActions]),
    resources: strings(s[k.resources]),
    notResources: strings(s[k.notResources]),
    principals,
    conditions,
  };
}

export function documentStatements(view: ResourceView, index?: PolicyIndex): Statement[] {
  const out: Statement[] = blocks(view.config.statement).map((s) => {
    const principals: Record<string, string[]> = {};
    for (const p of blocks(s.principals)) {
      const type = String(p.type);
      principals[type] = [...(principals[type] ?? []), ...strings(p.identifiers)];
    }
    const conditions = blocks(s.condition).map((c) => ({
      test: String(c.test),
      variable: String(c.variable),
      values: strings(c.values),
    }));
    return statement(s, TERRAFORM_KEYS, principals, conditions);
  });
  for (const src of [
    ...strings(view.config.source_policy_documents),
    ...strings(view.config.override_policy_documents),
  ]) {
    const doc = index ? policyDocument(view, src, index) : undefined;
    if (doc) out.push(...doc.statements);
  }
  return out;
}

/** Statements of IAM policy JSON, or undefined when it is not literal JSON. */
export function jsonStatements(text: string): Statement[] | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isObject(doc)) return undefined;
  const raw = Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
  return raw.filter(isObject).map((s) => {
    const principals: Record<string, string[]> = {};
    if (s.Principal === "*") principals["*"] = ["*"];
    else if (isObject(s.Principal))
      for (const [k, v] of Object.entries(s.Principal)) principals[k] = strings(v);
    const conditions: Statement["conditions"] = [];
    if (isObject(s.Condition))
      for (const [test, vars] of Object.entries(s.Condition))
        if (isObject(vars))
          for (const [variable, values] of Object.entries(vars))
            conditions.push({ test, variable, values: strings(values) });
    return statement(s, JSON_KEYS, principals, conditions);
  });
}

/**
 * The policy an attribute holds: a reference to an `aws_iam_policy_document` (`${data.….json}`) or literal
 * JSON. Undefined when it cannot be known at synthesis (e.g. `${jsonencode(…)}` of other values).
 */
export function policyDocument(
  from: ResourceView,
  value: unknown,
  index: PolicyIndex,
): PolicyDocument | undefined {
  if (typeof value !== "string") return undefined;
  const target = index.target(from, value);
  if (target?.type === "data.aws_iam_policy_document") {
    return { statements: documentStatements(target, index), definedBy: target.construct };
  }
  if (isExpression(value) && !value.trim().startsWith("{")) return undefined;
  const statements = jsonStatements(value);
  return statements ? { statements, definedBy: from.construct } : undefined;
}
