import type { RawChange, RawStackDiff } from "./compare";
import type { AttributeChange, Flag, Json, ResourceChange, StackDiff } from "./model";
import { noticeFlags } from "./notices";
import { coveredBy, isSensitive, REDACTED, REDACTED_CHANGED } from "./redact";
import { securityFlags } from "./security";
import { forcesReplacement, statefulReason } from "./stateful";
import { formatPath, type JsonPath, type Leaf, stableStringify } from "./values";

/** Raw changes → the report's changes: replacement, flags, redacted values, suggested `moved` blocks. */
export function analyzeStacks(stacks: readonly RawStackDiff[]): StackDiff[] {
  const secrets = secretValues(stacks.flatMap((s) => s.changes));
  return stacks.map((s) => ({
    name: s.name,
    changes: s.changes.map((c) => withRenameHint(analyzeChange(c, secrets), c, s.changes)),
  }));
}

/**
 * A stateful resource removed while one resource of its type is added in the same stack may be the same one
 * renamed with a changed attribute (so not recognized as a move): say which block would keep it.
 */
function withRenameHint(change: ResourceChange, raw: RawChange, all: readonly RawChange[]): ResourceChange {
  if (change.action !== "delete" || change.mode !== "managed" || !statefulReason(raw.before)) return change;
  const added = all.filter((c) => c.action === "create" && c.mode === "managed" && c.type === change.type);
  if (added.length !== 1) return change;
  const message =
    `if \`${added[0].address}\` is this resource under a new address, add ` +
    `moved { from = ${change.address}, to = ${added[0].address} } (its attributes differ, so the diff cannot tell)`;
  return { ...change, flags: [...change.flags, { kind: "stateful", level: "notice", message }] };
}

/** Whether a leaf of a change is sensitive by its path, its resource, the plan's masks or its own shape. */
function sensitiveLeaf(c: RawChange, l: Leaf): boolean {
  return (
    isSensitive(c.before, l.path, [l.before]) ||
    isSensitive(c.after, l.path, [l.after]) ||
    coveredBy(c.sensitivePaths, l.path)
  );
}

/**
 * The string values of every sensitive leaf: the same value elsewhere is redacted too (Terraform itself leaves
 * a copy unmarked at times, e.g. terraform_data's output of a sensitive input). Short values are left out, so a
 * secret "true" does not hide every true.
 */
function secretValues(changes: readonly RawChange[]): ReadonlySet<string> {
  const out = new Set<string>();
  for (const c of changes)
    for (const l of c.leaves)
      if (sensitiveLeaf(c, l))
        for (const v of [l.before, l.after])
          if (typeof v === "string" && v.length >= 6 && !v.includes("${")) out.add(v);
  return out;
}

const containsSecret = (secrets: ReadonlySet<string>, v: Json | undefined) =>
  typeof v === "string" && secrets.size > 0 && [...secrets].some((s) => v.includes(s));

/** Values longer than this are cut in the report (the JSON artifact keeps the same cut: it is for reading). */
const MAX_VALUE = 300;

export function analyzeChange(c: RawChange, secrets: ReadonlySet<string> = new Set()): ResourceChange {
  const forcing = c.replacePaths
    ? (p: JsonPath) =>
        c.replacePaths?.some((r) => r.length <= p.length && r.every((x, i) => x === p[i])) ?? false
    : (p: JsonPath) => forcesReplacement(c.type, p);
  const updating = c.action === "update" || c.action === "move" || c.action === "replace";
  const attributes: AttributeChange[] = c.leaves.map((l) => {
    const sensitive =
      sensitiveLeaf(c, l) || containsSecret(secrets, l.before) || containsSecret(secrets, l.after);
    const unknown = coveredBy(c.unknownPaths, l.path);
    const value = (v: Json | undefined, side: "before" | "after"): string | undefined => {
      if (side === "after" && unknown) return "(known after apply)";
      if (v === undefined) return undefined;
      if (sensitive) return updating && side === "after" ? REDACTED_CHANGED : REDACTED;
      const text = stableStringify(v);
      return text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE)}…` : text;
    };
    return {
      path: formatPath(l.path),
      ...(c.action !== "create" && l.before !== undefined ? { before: value(l.before, "before") } : {}),
      ...(c.action !== "delete" && (l.after !== undefined || unknown)
        ? { after: value(l.after, "after") }
        : {}),
      ...(updating && c.mode === "managed" && forcing(l.path) ? { forcesReplacement: true } : {}),
    };
  });
  const replaces =
    c.action === "replace" || (c.action === "update" && attributes.some((a) => a.forcesReplacement));
  const action = c.action === "update" && replaces ? "replace" : c.action;
  const flags: Flag[] = [...statefulFlags(c, action, attributes), ...securityFlags(c), ...noticeFlags(c)];
  const movedBlock =
    c.action === "move" && c.from && !c.movedDeclared
      ? `moved {\n  from = ${c.from}\n  to   = ${c.address}\n}`
      : undefined;
  return {
    address: c.address,
    type: c.type,
    mode: c.mode,
    action,
    ...(c.from ? { from: c.from } : {}),
    ...(c.path ? { path: c.path } : {}),
    attributes,
    flags: dedupe(flags),
    ...(movedBlock ? { movedBlock } : {}),
  };
}

function statefulFlags(
  c: RawChange,
  action: ResourceChange["action"],
  attributes: AttributeChange[],
): Flag[] {
  const why = statefulReason(c.before) ?? statefulReason(c.after);
  const out: Flag[] = [];
  if (action === "delete" && why) out.push(risk(`removes a stateful resource (${why}): its data is lost`));
  if (action === "replace") {
    const forcing = attributes.filter((a) => a.forcesReplacement).map((a) => `\`${a.path}\``);
    const by = forcing.length > 0 ? `: ${forcing.join(", ")} forces a new resource` : "";
    if (why) out.push(risk(`replaces a stateful resource (${why})${by}; the new one starts empty`));
    else out.push({ kind: "stateful", level: "notice", message: `replaced${by}` });
  }
  if (action === "move" && !c.movedDeclared) {
    const m = `moved from \`${c.from}\` without a \`moved\` block: Terraform destroys and recreates it`;
    out.push(
      why
        ? risk(`${m} (${why}); add the block below`)
        : { kind: "stateful", level: "notice", message: `${m}; add the block below` },
    );
  }
  return out;
}

const risk = (message: string): Flag => ({ kind: "stateful", level: "risk", message });

function dedupe(flags: Flag[]): Flag[] {
  const seen = new Set<string>();
  return flags.filter((f) => {
    const k = `${f.kind}|${f.level}|${f.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
