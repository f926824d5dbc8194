import type { z } from "zod";

/** One configuration problem: where it is, what was found, what was expected. */
export interface ConfigProblem {
  /** Dotted path, e.g. `nodePools.gpu.instanceTypes[0]`; empty for the document root. */
  readonly path: string;
  readonly message: string;
}

/** Thrown when the platform configuration is invalid; its message lists every problem, one per line. */
export class ConfigError extends Error {
  constructor(
    readonly source: string,
    readonly problems: readonly ConfigProblem[],
  ) {
    super(
      `invalid platform configuration (${source}): ${problems.length} problem${problems.length === 1 ? "" : "s"}\n` +
        problems.map((p) => `  - ${p.path || "(root)"}: ${p.message}`).join("\n"),
    );
    this.name = "ConfigError";
  }
}

export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const seg of path) {
    if (typeof seg === "number") out += `[${seg}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(String(seg))) out += out ? `.${String(seg)}` : String(seg);
    else out += `[${JSON.stringify(String(seg))}]`;
  }
  return out;
}

/** Short, quoted rendering of a bad value for messages. */
export function show(value: unknown): string {
  if (value === undefined) return "nothing";
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = root;
  for (const seg of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[seg as string];
  }
  return cur;
}

/** Levenshtein distance, for "did you mean". */
export function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length];
}

export function closest(word: string, candidates: readonly string[]): string | undefined {
  const lower = word.toLowerCase();
  let best: string | undefined;
  let bestScore = Number.POSITIVE_INFINITY;
  for (const c of candidates) {
    const d = editDistance(lower, c.toLowerCase());
    if (d < bestScore) {
      best = c;
      bestScore = d;
    }
  }
  const limit = Math.max(2, Math.floor(word.length / 3));
  return best !== undefined && bestScore <= limit ? best : undefined;
}

// Walks zod 4 wrappers to the object schema at a path, to list the keys allowed there.
type AnySchema = { _zod: { def: Record<string, unknown> } };

function unwrap(schema: AnySchema): AnySchema {
  let s = schema;
  for (let i = 0; i < 20; i++) {
    const def = s._zod.def;
    const inner = (def.innerType ??
      def.in ??
      (def.type === "lazy" ? (def.getter as () => AnySchema)() : undefined)) as AnySchema | undefined;
    if (!inner) return s;
    s = inner;
  }
  return s;
}

export function schemaAt(schema: AnySchema, path: readonly PropertyKey[]): AnySchema | undefined {
  let s: AnySchema | undefined = unwrap(schema);
  for (const seg of path) {
    if (!s) return undefined;
    const def: Record<string, unknown> = s._zod.def;
    if (def.type === "object") s = (def.shape as Record<string, AnySchema>)[String(seg)];
    else if (def.type === "record") s = def.valueType as AnySchema;
    else if (def.type === "array") s = def.element as AnySchema;
    else return undefined;
    if (s) s = unwrap(s);
  }
  return s;
}

export function allowedKeys(schema: AnySchema, path: readonly PropertyKey[]): string[] {
  const s = schemaAt(schema, path);
  if (s?._zod.def.type !== "object") return [];
  return Object.keys(s._zod.def.shape as Record<string, unknown>);
}

const MOVED_KEYS = new WeakMap<object, Readonly<Record<string, string>>>();

/**
 * Marks keys an object schema no longer has, with the full config path of what replaced each, so a
 * configuration still using one fails naming the new key. Returns the schema.
 */
export function movedKeys<T extends object>(schema: T, moved: Readonly<Record<string, string>>): T {
  MOVED_KEYS.set(schema, moved);
  return schema;
}

/** Turns zod issues into problems that name the path, quote the value and say what was expected. */
export function describeIssues(
  issues: readonly z.core.$ZodIssue[],
  input: unknown,
  schema: AnySchema,
): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const i of issues) {
    if (i.code === "unrecognized_keys") {
      const allowed = allowedKeys(schema, i.path);
      const moved = MOVED_KEYS.get(schemaAt(schema, i.path) ?? {});
      for (const key of i.keys) {
        if (moved?.[key]) {
          problems.push({
            path: formatPath([...i.path, key]),
            message: `unknown key ${JSON.stringify(key)}: it moved to ${moved[key]}`,
          });
          continue;
        }
        const guess = closest(key, allowed);
        problems.push({
          path: formatPath([...i.path, key]),
          message:
            `unknown key ${JSON.stringify(key)}` +
            (guess ? `; did you mean ${JSON.stringify(guess)}?` : "") +
            (allowed.length > 0 ? ` Allowed keys: ${allowed.join(", ")}` : ""),
        });
      }
      continue;
    }
    if (i.code === "invalid_union") {
      // Report the branch that got furthest: its issues are the helpful ones.
      const branches = i.errors.filter((e) => e.length > 0);
      if (branches.length > 0) {
        const best = branches.reduce((a, b) => (b.length < a.length ? b : a));
        problems.push(
          ...describeIssues(
            best.map((e) => ({ ...e, path: [...i.path, ...e.path] }) as z.core.$ZodIssue),
            input,
            schema,
          ),
        );
        continue;
      }
    }
    if (i.code === "custom" && (i.params as { formatted?: boolean } | undefined)?.formatted) {
      problems.push({ path: formatPath(i.path), message: i.message });
      continue;
    }
    const value = "input" in i && i.input !== undefined ? i.input : valueAt(input, i.path);
    const path = formatPath(i.path);
    let message: string;
    switch (i.code) {
      case "invalid_type":
        message =
          value === undefined
            ? `required: expected ${i.expected}`
            : `got ${show(value)} (${Array.isArray(value) ? "array" : value === null ? "null" : typeof value}); expected ${i.expected}`;
        break;
      case "invalid_value":
        message = `got ${show(value)}; expected one of ${i.values.map((v) => JSON.stringify(v)).join(", ")}`;
        break;
      case "invalid_key":
        // A record key failed its schema: the key is the bad value, and the key schema's issues say why.
        message = `got the key ${show(i.path[i.path.length - 1])}; ${i.issues.map((k) => k.message).join("; ")}`;
        break;
      default:
        message = `got ${show(value)}; ${i.message}`;
    }
    problems.push({ path, message });
  }
  return problems;
}
