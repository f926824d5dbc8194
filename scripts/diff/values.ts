import type { Json, JsonObject } from "./model";

/** A path into a JSON value: object keys and list indexes. */
export type JsonPath = readonly (string | number)[];

/** One differing leaf of two values (a value absent on one side is `undefined`). */
export interface Leaf {
  readonly path: JsonPath;
  readonly before?: Json;
  readonly after?: Json;
}

export const isObject = (v: unknown): v is JsonObject =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** JSON with object keys sorted at every level: the same value always gives the same text. */
export function stableStringify(v: unknown, indent?: number): string {
  return JSON.stringify(sortKeys(v), null, indent);
}

export function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (isObject(v))
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, sortKeys(v[k])]),
    );
  return v;
}

export const jsonEqual = (a: unknown, b: unknown) => stableStringify(a) === stableStringify(b);

/**
 * The leaves at which two values differ, in a stable order (sorted keys, list indexes ascending). Objects are
 * compared key by key and lists index by index; anything else that differs is one leaf.
 */
export function diffValues(before: Json | undefined, after: Json | undefined, path: JsonPath = []): Leaf[] {
  if (jsonEqual(before, after)) return [];
  // A block that appears or disappears is listed leaf by leaf, so each leaf can be judged (and redacted) alone.
  if (before === undefined && (isObject(after) || Array.isArray(after)) && !isEmpty(after))
    return diffValues(Array.isArray(after) ? [] : {}, after, path);
  if (after === undefined && (isObject(before) || Array.isArray(before)) && !isEmpty(before))
    return diffValues(before, Array.isArray(before) ? [] : {}, path);
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((k) => diffValues(before[k], after[k], [...path, k]));
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const n = Math.max(before.length, after.length);
    const out: Leaf[] = [];
    for (let i = 0; i < n; i++) out.push(...diffValues(before[i], after[i], [...path, i]));
    return out;
  }
  return [{ path, before, after }];
}

const isEmpty = (v: Json) => (Array.isArray(v) ? v.length === 0 : isObject(v) && Object.keys(v).length === 0);

/** `scaling_config[0].max_size`, `labels["mlops.io/pool"]`. */
export function formatPath(path: JsonPath): string {
  let out = "";
  for (const p of path) {
    if (typeof p === "number") out += `[${p}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(p)) out += out === "" ? p : `.${p}`;
    else out += `[${JSON.stringify(p)}]`;
  }
  return out;
}

/** The path without list indexes, dotted (`vpc_config.subnet_ids`), as the force-new table names attributes. */
export const schemaPath = (path: JsonPath) => path.filter((p) => typeof p === "string").join(".");

/** The value at `path`, or undefined. */
export function at(v: Json | undefined, path: JsonPath): Json | undefined {
  let cur: Json | undefined = v;
  for (const p of path) {
    if (cur === undefined || cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string | number, Json>)[p];
  }
  return cur;
}

/** Every leaf of a value with its path (for values that appear or disappear as a whole). */
export function leaves(v: Json | undefined, path: JsonPath = []): { path: JsonPath; value: Json }[] {
  if (isObject(v))
    return Object.keys(v)
      .sort()
      .flatMap((k) => leaves(v[k], [...path, k]));
  if (Array.isArray(v) && v.length > 0) return v.flatMap((x, i) => leaves(x, [...path, i]));
  return v === undefined ? [] : [{ path, value: v }];
}

/** The value as the list it may be (Terraform blocks are lists or single objects in cdktf's JSON). */
export const asList = (v: Json | undefined): Json[] =>
  v === undefined || v === null ? [] : Array.isArray(v) ? v : [v];

export const strings = (v: Json | undefined): string[] =>
  asList(v).filter((x): x is string => typeof x === "string");

/** Values as inline code, comma-separated, for flag messages. */
export const codeList = (xs: readonly string[]) => xs.map((x) => `\`${x}\``).join(", ");
