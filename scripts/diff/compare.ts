import { cmp } from "./load";
import type { Action, Entry, Json, JsonObject, Snapshot, StackSnapshot } from "./model";
import { diffValues, isObject, type Leaf, stableStringify } from "./values";

/**
 * One entry's change before analysis: both sides, the differing leaves, and what the source knows about
 * replacement (a plan's `replace_paths`) and sensitivity (a plan's masks). The offline diff and the plan
 * summary both produce these; analyze.ts turns them into the report's `ResourceChange`.
 */
export interface RawChange {
  readonly action: Action;
  readonly address: string;
  readonly type: string;
  readonly mode: Entry["mode"];
  readonly path?: string;
  readonly before?: Entry;
  readonly after?: Entry;
  readonly leaves: readonly Leaf[];
  /** The previous address of a moved resource. */
  readonly from?: string;
  /** The stack already declares the move (a `moved` block), so nothing needs adding. */
  readonly movedDeclared?: boolean;
  /** From a plan: the attribute paths the provider says force replacement. */
  readonly replacePaths?: readonly (readonly (string | number)[])[];
  /** From a plan: sensitive leaves (paths, formatted) and leaves known only after apply. */
  readonly sensitivePaths?: ReadonlySet<string>;
  readonly unknownPaths?: ReadonlySet<string>;
}

export interface RawStackDiff {
  readonly name: string;
  readonly changes: readonly RawChange[];
}

const EMPTY_STACK = (name: string): StackSnapshot => ({ name, entries: new Map(), moved: new Map() });

/** Compares two snapshots stack by stack (head's deploy order, then stacks only the base has). */
export function compareSnapshots(base: Snapshot, head: Snapshot): RawStackDiff[] {
  const names = [...head.stacks.map((s) => s.name)];
  for (const s of base.stacks) if (!names.includes(s.name)) names.push(s.name);
  return names.map((name) => ({
    name,
    changes: compareStacks(
      base.stacks.find((s) => s.name === name) ?? EMPTY_STACK(name),
      head.stacks.find((s) => s.name === name) ?? EMPTY_STACK(name),
    ),
  }));
}

/** Addresses in Terraform expressions and `depends_on`: `aws_s3_bucket.X`, `data.aws_iam_policy_document.Y`. */
const ADDRESS = /\b((?:data\.)?[a-z][a-z0-9_]*)\.([A-Za-z0-9_-]+)/g;

function mapStrings(v: Json, f: (s: string) => string): Json {
  if (typeof v === "string") return f(v);
  if (Array.isArray(v)) return v.map((x) => mapStrings(x, f));
  if (isObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, mapStrings(x, f)]));
  return v;
}

/** Rewrites references in expressions (`${...}`) and `depends_on`, leaving literal strings alone. */
function rewriteRefs(attrs: JsonObject, f: (type: string, id: string) => string): JsonObject {
  const inExpr = (s: string) =>
    s.includes("${")
      ? s.replace(/\$\{[^}]*\}/g, (expr) => expr.replace(ADDRESS, (_m, t, id) => f(t, id)))
      : s;
  const out = mapStrings(attrs, inExpr) as JsonObject;
  if (Array.isArray(out.depends_on))
    out.depends_on = out.depends_on.map((d) =>
      typeof d === "string"
        ? d.replace(/^((?:data\.)?[a-z][a-z0-9_]*)\.([A-Za-z0-9_-]+)$/, (_m, t, id) => f(t, id))
        : d,
    );
  return out;
}

/**
 * An entry's attributes with every address replaced by its type, so a resource under a new construct id (and
 * every reference that moved with it) compares equal to the old one: the id-derived parts are the address
 * itself, cdktf's metadata (already dropped) and references to resources that were renamed together.
 */
const identityFree = (e: Entry) => stableStringify(rewriteRefs(e.attrs, (t) => `${t}.*`));

function compareStacks(base: StackSnapshot, head: StackSnapshot): RawChange[] {
  const removed = [...base.entries.keys()].filter((a) => !head.entries.has(a)).sort(cmp);
  const added = new Set([...head.entries.keys()].filter((a) => !base.entries.has(a)));
  const moves = new Map<string, { to: string; declared: boolean }>();

  // Moves the stack declares, then moves inferred: the same type with equal identity-free attributes, paired
  // only when the match is unique (two identical buckets renamed at once stay a remove and an add).
  for (const from of removed) {
    const to = head.moved.get(from);
    if (to && added.has(to)) {
      moves.set(from, { to, declared: true });
      added.delete(to);
    }
  }
  const groups = new Map<string, { removed: string[]; added: string[] }>();
  const group = (e: Entry) => {
    const key = `${e.mode}|${e.type}|${identityFree(e)}`;
    let g = groups.get(key);
    if (!g) {
      g = { removed: [], added: [] };
      groups.set(key, g);
    }
    return g;
  };
  for (const a of removed) {
    const e = base.entries.get(a) as Entry;
    if (!moves.has(a) && e.mode !== "output" && e.mode !== "variable") group(e).removed.push(a);
  }
  for (const a of [...added].sort(cmp)) {
    const e = head.entries.get(a) as Entry;
    if (e.mode !== "output" && e.mode !== "variable") group(e).added.push(a);
  }
  for (const g of groups.values()) {
    if (g.removed.length === 1 && g.added.length === 1) {
      moves.set(g.removed[0], { to: g.added[0], declared: false });
      added.delete(g.added[0]);
    }
  }

  // References to a moved resource in the base read as the new address, so its dependents show no change.
  const renamed = new Map([...moves].map(([from, m]) => [from, m.to]));
  const rename = (t: string, id: string) => renamed.get(`${t}.${id}`) ?? `${t}.${id}`;
  const baseAttrs = (e: Entry) => (renamed.size === 0 ? e.attrs : rewriteRefs(e.attrs, rename));

  const changes: RawChange[] = [];
  for (const [address, after] of head.entries) {
    const before = base.entries.get(address);
    if (!before) continue;
    const leaves = diffValues(baseAttrs(before), after.attrs);
    if (leaves.length > 0) changes.push(change("update", after, before, after, leaves));
  }
  for (const address of added) {
    const after = head.entries.get(address) as Entry;
    changes.push(change("create", after, undefined, after, diffValues(undefined, after.attrs)));
  }
  for (const address of removed) {
    const before = base.entries.get(address) as Entry;
    const move = moves.get(address);
    if (move) {
      const after = head.entries.get(move.to) as Entry;
      const leaves = diffValues(baseAttrs(before), after.attrs);
      changes.push({
        ...change("move", after, before, after, leaves),
        from: address,
        movedDeclared: move.declared,
      });
    } else changes.push(change("delete", before, before, undefined, diffValues(before.attrs, undefined)));
  }
  return changes.sort((a, b) => cmp(a.address, b.address));
}

function change(
  action: Action,
  e: Entry,
  before: Entry | undefined,
  after: Entry | undefined,
  leaves: Leaf[],
): RawChange {
  // A data source is read, whatever changed about it: Terraform creates or destroys nothing for it.
  const a = e.mode === "data" && action !== "move" ? "read" : action;
  return { action: a, address: e.address, type: e.type, mode: e.mode, path: e.path, before, after, leaves };
}
