import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { analyzeStacks } from "./analyze";
import type { RawChange } from "./compare";
import { cmp, InputError } from "./load";
import type { Action, Entry, Json, JsonObject, Section } from "./model";
import { coveredBy, maskPaths } from "./redact";
import { diffValues, isObject } from "./values";

/**
 * A saved plan's JSON (`terraform show -json PLAN`, format_version 1.x) → a report section, through the same
 * analysis and renderer as the offline diff. The plan knows what the diff can only infer: its own actions
 * (create, update, delete, replace as ["delete","create"] or ["create","delete"]), the attributes that force
 * replacement (`replace_paths`), values known only after apply (`after_unknown`), sensitive values
 * (`before_sensitive`/`after_sensitive`) and moves (`previous_address`).
 */

interface PlanResourceChange {
  address: string;
  previous_address?: string;
  mode: "managed" | "data";
  type: string;
  change: {
    actions: string[];
    before: Json;
    after: Json;
    after_unknown?: Json;
    before_sensitive?: Json;
    after_sensitive?: Json;
    replace_paths?: (string | number)[][];
  };
}

interface PlanJson {
  format_version?: string;
  resource_changes?: PlanResourceChange[];
  output_changes?: Record<
    string,
    {
      actions: string[];
      before: Json;
      after: Json;
      before_sensitive?: Json;
      after_sensitive?: Json;
      after_unknown?: Json;
    }
  >;
}

/** `STACK=FILE` or `FILE` (the stack is then the file name without `.json`, `.plan` and `tfplan`). */
export function parsePlanArg(arg: string): { stack: string; file: string } {
  const eq = arg.indexOf("=");
  if (eq > 0) return { stack: arg.slice(0, eq), file: arg.slice(eq + 1) };
  return { stack: basename(arg).replace(/(\.tfplan)?(\.plan)?\.json$/, "") || arg, file: arg };
}

export function readPlan(file: string): PlanJson {
  let plan: PlanJson;
  try {
    plan = JSON.parse(readFileSync(file, "utf8")) as PlanJson;
  } catch (err) {
    throw new InputError(
      `--plan-json ${file}: not readable JSON (${err instanceof Error ? err.message : String(err)})`,
    );
  }
  if (
    !isObject(plan as unknown as Json) ||
    typeof plan.format_version !== "string" ||
    !plan.format_version.startsWith("1.")
  )
    throw new InputError(
      `--plan-json ${file}: not a plan in Terraform's JSON format (expected format_version 1.x, from terraform show -json PLANFILE)`,
    );
  return plan;
}

function planAction(actions: readonly string[]): Action | undefined {
  const a = actions.join(",");
  if (a === "create") return "create";
  if (a === "update") return "update";
  if (a === "delete") return "delete";
  if (a === "delete,create" || a === "create,delete") return "replace";
  if (a === "read") return "read";
  return undefined; // no-op
}

/** The plan's changes of one stack as raw changes (no-ops left out unless moved). */
export function planChanges(plan: PlanJson): RawChange[] {
  const out: RawChange[] = [];
  for (const rc of plan.resource_changes ?? []) {
    const moved = rc.previous_address && rc.previous_address !== rc.address ? rc.previous_address : undefined;
    const action = planAction(rc.change.actions) ?? (moved ? "move" : undefined);
    if (!action) continue;
    const entry = (attrs: Json): Entry | undefined =>
      isObject(attrs) ? { address: rc.address, type: rc.type, mode: rc.mode, attrs } : undefined;
    const before = entry(rc.change.before);
    const after = entry(rc.change.after);
    const sensitivePaths = new Set([
      ...maskPaths(rc.change.before_sensitive),
      ...maskPaths(rc.change.after_sensitive),
    ]);
    const unknownPaths = maskPaths(rc.change.after_unknown);
    out.push({
      action: action === "update" && moved ? "move" : action,
      address: rc.address,
      type: rc.type,
      mode: rc.mode,
      before,
      after,
      // Nulls on both sides are attributes the configuration leaves unset: not a change.
      leaves: diffValues(
        nullToAbsent(rc.change.before),
        withUnknown(rc.change.after, rc.change.after_unknown),
      ).filter(
        (l) => (l.before ?? null) !== null || (l.after ?? null) !== null || coveredBy(unknownPaths, l.path),
      ),
      ...(moved ? { from: moved, movedDeclared: true } : {}),
      replacePaths: rc.change.replace_paths ?? [],
      sensitivePaths,
      unknownPaths,
    });
  }
  for (const [name, oc] of Object.entries(plan.output_changes ?? {}).sort(([a], [b]) => cmp(a, b))) {
    const action = planAction(oc.actions);
    if (!action) continue;
    const sensitive = oc.before_sensitive === true || oc.after_sensitive === true;
    const e = (v: Json): Entry => ({
      address: `output.${name}`,
      type: "output",
      mode: "output",
      attrs: { value: v },
      sensitive,
    });
    out.push({
      action,
      address: `output.${name}`,
      type: "output",
      mode: "output",
      before: e(oc.before),
      after: e(oc.after),
      leaves: diffValues(
        oc.before === null ? undefined : { value: oc.before },
        oc.after === null && oc.after_unknown !== true ? undefined : { value: oc.after },
      ),
      unknownPaths: oc.after_unknown === true ? new Set(["value"]) : new Set(),
    });
  }
  return out.sort((a, b) => cmp(a.address, b.address));
}

const nullToAbsent = (v: Json) => (v === null ? undefined : v);

/** `after` with unknown leaves present (as null) so they show as "(known after apply)". */
function withUnknown(after: Json, unknown: Json | undefined): Json | undefined {
  if (unknown === true) return after ?? null;
  if (isObject(unknown)) {
    const base: JsonObject = isObject(after) ? { ...after } : {};
    for (const [k, u] of Object.entries(unknown)) {
      if (u === false) continue;
      base[k] = withUnknown(base[k] ?? null, u) ?? null;
    }
    return base;
  }
  if (Array.isArray(unknown) && Array.isArray(after))
    return after.map((v, i) => withUnknown(v, unknown[i]) ?? null);
  return nullToAbsent(after);
}

/** Plans of several stacks (one file each) → one section titled `terraform plan`. */
export function planSection(args: readonly string[]): Section {
  const stacks = args
    .map(parsePlanArg)
    .map(({ stack, file }) => ({ name: stack, changes: planChanges(readPlan(file)) }));
  return { title: "terraform plan", source: "plan", stacks: analyzeStacks(stacks), notes: [] };
}
