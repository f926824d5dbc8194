/** Helpers for reading resolved Terraform JSON attributes, where single blocks may be objects or 1-lists. */

export type Json = Record<string, unknown>;

export function isObject(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** A nested block: an object, or the first item of a list block. */
export function block(v: unknown): Json | undefined {
  if (Array.isArray(v)) return isObject(v[0]) ? v[0] : undefined;
  return isObject(v) ? v : undefined;
}

/** A repeated block or list attribute as an array of objects. */
export function blocks(v: unknown): Json[] {
  if (Array.isArray(v)) return v.filter(isObject);
  return isObject(v) ? [v] : [];
}

/** Follows `a.b.c` through nested blocks. */
export function path(v: unknown, ...keys: string[]): unknown {
  let cur: unknown = v;
  for (const k of keys) {
    const o = block(cur);
    if (!o) return undefined;
    cur = o[k];
  }
  return cur;
}

export function strings(v: unknown): string[] {
  if (typeof v === "string") return [v];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
}

/** A Terraform expression (`${...}`) whose value is unknown at synthesis. */
export function isExpression(v: unknown): v is string {
  return typeof v === "string" && v.includes("${");
}

/** `true`, `"true"`; Terraform accepts both for booleans. */
export function isTrue(v: unknown): boolean {
  return v === true || v === "true";
}

export function isFalse(v: unknown): boolean {
  return v === false || v === "false";
}

export function toNumber(v: unknown): number | undefined {
  if (typeof v === "number") return v;
  if (typeof v === "string" && /^-?\d+(\.\d+)?$/.test(v)) return Number(v);
  return undefined;
}

export const ANYWHERE_CIDRS = ["0.0.0.0/0", "::/0"];
