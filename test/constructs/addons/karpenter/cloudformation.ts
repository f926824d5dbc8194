import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse, type ScalarTag } from "yaml";
import { schemasLocation } from "../../../../scripts/validation";

/**
 * Karpenter's getting-started CloudFormation template for the pinned release, as stored in the reference data
 * (../shared/schemas, SOURCES.md: aws/karpenter-provider-aws v1.14.1), with its intrinsic functions resolved.
 */
export const KARPENTER_TEMPLATE_PATH =
  "iam/karpenter/website/content/en/preview/getting-started/getting-started-with-karpenter/cloudformation.yaml";

interface Sub {
  readonly sub: string;
}
interface GetAtt {
  readonly getAtt: string;
}
interface Ref {
  readonly ref: string;
}

const TAGS: ScalarTag[] = [
  { tag: "!Sub", resolve: (value: string): Sub => ({ sub: value }) },
  { tag: "!GetAtt", resolve: (value: string): GetAtt => ({ getAtt: value }) },
  { tag: "!Ref", resolve: (value: string): Ref => ({ ref: value }) },
];

export interface CfnResource {
  readonly Type: string;
  readonly Properties: Record<string, unknown>;
}

export function loadKarpenterTemplate(): Record<string, CfnResource> {
  const dir = schemasLocation().dir;
  if (!dir) throw new Error(`reference data missing: ${schemasLocation().reason}`);
  const doc = parse(readFileSync(join(dir, KARPENTER_TEMPLATE_PATH), "utf8"), { customTags: TAGS }) as {
    Resources: Record<string, CfnResource>;
  };
  return doc.Resources;
}

/**
 * Resolves `!Sub`/`!GetAtt`/`!Ref` with `values` (keys: `ClusterName`, `AWS::Partition`, `KarpenterNodeRole.Arn`,
 * …); an unknown name throws, so a new variable in the template cannot go unnoticed.
 */
export function resolveIntrinsics(node: unknown, values: Readonly<Record<string, string>>): unknown {
  const lookup = (name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`template variable ${name} has no value in the test`);
    return value;
  };
  if (Array.isArray(node)) return node.map((n) => resolveIntrinsics(n, values));
  if (node && typeof node === "object") {
    if ("sub" in node) return (node as Sub).sub.replace(/\$\{([^}]+)\}/g, (_, name: string) => lookup(name));
    if ("getAtt" in node) return lookup((node as GetAtt).getAtt);
    if ("ref" in node) return lookup((node as Ref).ref);
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, resolveIntrinsics(v, values)]));
  }
  return node;
}

/** A statement reduced to what is compared: Sid, effect, actions, resources, principals, conditions (sorted). */
export interface NormalStatement {
  readonly sid?: string;
  readonly effect: string;
  readonly actions: string[];
  readonly resources: string[];
  readonly principals?: string[];
  readonly conditions: string[];
}

const list = (v: unknown): string[] =>
  v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)];

/** An IAM JSON statement (`Action`, `Resource`, `Condition: { test: { variable: value(s) } }`). */
export function normalizeIamStatement(s: Record<string, unknown>): NormalStatement {
  const conditions = Object.entries((s.Condition ?? {}) as Record<string, Record<string, unknown>>).flatMap(
    ([test, vars]) =>
      Object.entries(vars).map(([variable, v]) => `${test} ${variable} = ${list(v).sort().join(" | ")}`),
  );
  const principal = s.Principal as Record<string, unknown> | string | undefined;
  return {
    sid: s.Sid as string | undefined,
    effect: String(s.Effect),
    actions: list(s.Action).sort(),
    resources: list(s.Resource).sort(),
    principals:
      principal === undefined
        ? undefined
        : typeof principal === "string"
          ? [`* ${principal}`]
          : Object.entries(principal)
              .flatMap(([type, ids]) => list(ids).map((id) => `${type} ${id}`))
              .sort(),
    conditions: conditions.sort(),
  };
}

/** A statement of a synthesized `aws_iam_policy_document` (`actions`, `resources`, `condition: [{ test, variable, values }]`). */
export function normalizeDocumentStatement(s: Record<string, unknown>): NormalStatement {
  const principals = s.principals as { type: string; identifiers: string[] }[] | undefined;
  return {
    sid: s.sid as string | undefined,
    effect: String(s.effect ?? "Allow"),
    actions: list(s.actions).sort(),
    resources: list(s.resources).sort(),
    principals: principals
      ?.flatMap((p) => p.identifiers.map((id) => `${p.type === "*" ? "*" : p.type} ${id}`))
      .sort(),
    conditions: ((s.condition ?? []) as { test: string; variable: string; values: string[] }[])
      .map((c) => `${c.test} ${c.variable} = ${[...c.values].sort().join(" | ")}`)
      .sort(),
  };
}
