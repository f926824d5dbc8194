function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * Merges `over` onto `base` the way Helm merges values files: objects (and maps) merge by key, anything else
 * (lists, scalars) is replaced; `undefined` in `over` keeps `base`.
 */
export function deepMerge<T = unknown>(base: unknown, over: unknown): T {
  if (!isPlainObject(base) || !isPlainObject(over)) return (over === undefined ? base : over) as T;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = deepMerge(base[k], v);
  return out as T;
}
