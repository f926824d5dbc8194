import { Ajv, type ErrorObject, type Options, type ValidateFunction } from "ajv";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import { compactSchema, pruningAsErrors } from "./schema-compact";

/**
 * Ajv for upstream Kubernetes / Helm schemas.
 *
 * - `strict: false`: CRD schemas carry `x-kubernetes-*` vendor keywords that strict mode rejects.
 * - `x-kubernetes-int-or-string` nodes already carry `anyOf: [integer, string]` (see SOURCES.md), so the
 *   keyword itself needs no implementation.
 * - `pattern` values are Go RE2 syntax. `re2ToJs` translates the RE2-only constructs found in the wild
 *   (leading inline flags such as `^(?i)(abort|warn)?$` in PrometheusRule, `(?i)` inside a group as in
 *   AlertmanagerConfig `^((?i)sun|mon|…)day…`, `(?P<name>`, `\A`, `\z`, POSIX classes) to JavaScript;
 *   anything still rejected fails loudly with the pattern named.
 * - Chart `values.schema.json` files declaring draft 2020-12 (external-secrets) compile with Ajv2020.
 */

// ajv-formats is CommonJS; under ESM the plugin function may sit on `.default`.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ??
  addFormatsModule) as unknown as (ajv: Ajv) => Ajv;

const POSIX_CLASSES: Record<string, string> = {
  alnum: "0-9A-Za-z",
  alpha: "A-Za-z",
  ascii: "\\x00-\\x7F",
  blank: "\\t ",
  cntrl: "\\x00-\\x1F\\x7F",
  digit: "0-9",
  graph: "!-~",
  lower: "a-z",
  print: " -~",
  punct: "!-\\/:-@\\[-`{-~",
  space: "\\t\\n\\v\\f\\r ",
  upper: "A-Z",
  word: "0-9A-Za-z_",
  xdigit: "0-9A-Fa-f",
};

/** Adds the other case of every letter (and letter range) in a character class body, for scoped `(?i)`. */
function caseFoldClass(body: string): string {
  let extra = "";
  for (let i = 0; i < body.length; i++) {
    const ch = body[i] as string;
    if (ch === "\\") {
      i++; // escapes (`\d`, `\-`, `\]`) are kept as they are
      continue;
    }
    const swap = (c: string) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase());
    if (body[i + 1] === "-" && i + 2 < body.length && body[i + 2] !== "\\") {
      const end = body[i + 2] as string;
      if (/[a-z]/i.test(ch) && /[a-z]/i.test(end) && swap(ch) !== ch) extra += `${swap(ch)}-${swap(end)}`;
      i += 2;
    } else if (/[a-z]/i.test(ch)) {
      extra += swap(ch);
    }
  }
  return body + extra;
}

/**
 * RE2 flags set inside the pattern (`a(?i)b`, `((?i)x|y)`, `(?i:x)`) hold until the end of the enclosing
 * group, across `|`. JavaScript (Node 20) has no scoped flags, so case-insensitivity is spelt out: each letter
 * in scope becomes `[xX]` and each character class gains the other case. Other scoped flags cannot be
 * expressed and throw.
 */
function expandScopedFlags(source: string, pattern: string, ignoreCase: boolean): string {
  const frames: boolean[] = [ignoreCase];
  let out = "";
  for (let i = 0; i < source.length; i++) {
    const ch = source[i] as string;
    const ci = frames[frames.length - 1] as boolean;
    if (ch === "\\") {
      const brace = /^\\[pPx]\{[^}]*\}/.exec(source.slice(i));
      const esc = brace ? brace[0] : source.slice(i, i + 2);
      out += esc;
      i += esc.length - 1;
    } else if (ch === "[") {
      // A `]` right after `[` or `[^` is a literal in RE2.
      let j = i + 1;
      if (source[j] === "^") j++;
      if (source[j] === "]") j++;
      while (j < source.length && source[j] !== "]") j += source[j] === "\\" ? 2 : 1;
      const open = source[i + 1] === "^" ? "[^" : "[";
      const body = source.slice(i + open.length, j);
      out += `${open}${ci ? caseFoldClass(body) : body}]`;
      i = j;
    } else if (ch === "(") {
      const flagGroup = /^\(\?([a-zA-Z]*)(?:-([a-zA-Z]*))?([):])/.exec(source.slice(i));
      if (flagGroup && (flagGroup[1] || flagGroup[2])) {
        const [whole, on = "", off = "", end] = flagGroup;
        for (const f of on + off) {
          if (f !== "i")
            throw new Error(
              `RE2 flag ${f} inside a group has no JavaScript equivalent in pattern ${pattern}`,
            );
        }
        const next = on.includes("i") ? true : off.includes("i") ? false : ci;
        if (end === ")") frames[frames.length - 1] = next;
        else {
          frames.push(next);
          out += "(?:";
        }
        i += whole.length - 1;
      } else {
        // `(`, `(?:`, lookarounds and `(?<name>`: the prefix is copied as is (a group name is no literal).
        const prefix = /^\((\?(<[A-Za-z_]\w*>|<=|<!|[:=!]))?/.exec(source.slice(i))?.[0] ?? "(";
        frames.push(ci);
        out += prefix;
        i += prefix.length - 1;
      }
    } else if (ch === ")") {
      if (frames.length > 1) frames.pop();
      out += ch;
    } else if (ci && /[a-z]/i.test(ch)) {
      out += `[${ch.toLowerCase()}${ch.toUpperCase()}]`;
    } else {
      out += ch;
    }
  }
  return out;
}

/** Translates a Go RE2 pattern to a JavaScript pattern plus flags (see the module comment). */
export function re2ToJs(pattern: string): { source: string; flags: string } {
  // `\A` first, so `\A(?i)…` is seen as flags right after the start anchor.
  let source = pattern.replace(/\\A/g, "^");
  let flags = "";
  // Inline flags are only translatable when they apply to the whole pattern: at the start, or right after `^`.
  const lead = /^(\^?)\(\?([imsU]+)\)/.exec(source);
  if (lead) {
    for (const f of lead[2]) {
      if (f === "U")
        throw new Error(`RE2 flag U (ungreedy) has no JavaScript equivalent in pattern ${pattern}`);
      if (!flags.includes(f)) flags += f;
    }
    source = lead[1] + source.slice(lead[0].length);
  }
  source = source
    .replace(/\(\?P</g, "(?<")
    .replace(/\\z/g, "$")
    .replace(/\[:(\^?)([a-z]+):\]/g, (whole, neg: string, name: string) => {
      const cls = POSIX_CLASSES[name];
      if (!cls) return whole;
      // Negated POSIX classes inside a bracket cannot be spliced in; leave them for the JS engine to reject.
      return neg ? whole : cls;
    });
  if (/\(\?[a-zA-Z]*-?[a-zA-Z]*[):]/.test(source.replace(/\(\?(<|:|=|!)/g, ""))) {
    // A leading `(?i)` then becomes part of the expansion, so a later `(?-i)` can switch it off.
    source = expandScopedFlags(source, pattern, flags.includes("i"));
    flags = flags.replace("i", "");
  }
  return { source, flags };
}

/** `code.regExp` engine for Ajv: JS RegExp over the translated RE2 pattern. */
function re2RegExp(pattern: string, u: string): RegExp {
  const { source, flags } = re2ToJs(pattern);
  try {
    return new RegExp(source, flags + u);
  } catch (unicodeErr) {
    // Upstream patterns sometimes escape characters (`\-`, `\/`) that are only invalid under the `u` flag.
    try {
      return new RegExp(source, flags);
    } catch {
      throw new Error(
        `schema pattern ${JSON.stringify(pattern)} is not valid JavaScript even after RE2 translation: ${(unicodeErr as Error).message}`,
      );
    }
  }
}
re2RegExp.code = "re2RegExp /* see scripts/validation/ajv.ts */";

export function createAjv(extra: Options = {}, draft: "07" | "2020-12" = "07"): Ajv {
  const ajv = new (draft === "2020-12" ? Ajv2020 : Ajv)({
    strict: false,
    allErrors: true,
    validateSchema: false,
    ...extra,
    code: { ...extra.code, regExp: re2RegExp as unknown as NonNullable<Options["code"]>["regExp"] },
  });
  addFormats(ajv);
  // Kubernetes formats ajv-formats does not know; upstream values are free-form strings in these.
  for (const f of [
    "int32",
    "int64",
    "float",
    "double",
    "byte",
    "binary",
    "password",
    "quantity",
    "date-time-k8s",
  ]) {
    ajv.addFormat(f, true);
  }
  return ajv;
}

const shared: Partial<Record<"07" | "2020-12", Ajv>> = {};
const compiled = new Map<string, ValidateFunction>();

/**
 * Compiles (once per key) a schema with the shared Ajv instance. `pruneUnknown` turns fields the API server
 * would prune from a custom resource into errors (see `pruningAsErrors`).
 */
export function compileCached(
  key: string,
  schema: () => object,
  opts: { pruneUnknown?: boolean } = {},
): ValidateFunction {
  let fn = compiled.get(key);
  if (!fn) {
    // CRD files declare draft-07 `$schema`, which Ajv 8 validates without loading the meta-schema; a
    // 2020-12 chart schema gets the 2020-12 vocabulary (prefixItems, unevaluated*, $dynamicRef).
    const { $schema, ...raw } = schema() as Record<string, unknown>;
    const draft = typeof $schema === "string" && $schema.includes("2020-12") ? "2020-12" : "07";
    shared[draft] ??= createAjv({}, draft);
    fn = shared[draft].compile(compactSchema(opts.pruneUnknown ? pruningAsErrors(raw) : raw));
    compiled.set(key, fn);
  }
  return fn;
}

/** True when the value at `instancePath` is a Terraform interpolation, resolved only at apply time. */
export function isInterpolation(value: unknown): boolean {
  return typeof value === "string" && value.includes("${");
}

function valueAtPointer(root: unknown, pointer: string): unknown {
  if (!pointer) return root;
  let cur: unknown = root;
  for (const raw of pointer.split("/").slice(1)) {
    const seg = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string, unknown>)[seg];
  }
  return cur;
}

/** JSON pointer `/spec/kafka/0/name` → `spec.kafka[0].name` (with a prefix). */
export function pointerToPath(pointer: string, prefix = ""): string {
  let out = prefix;
  for (const raw of pointer.split("/").slice(1)) {
    const seg = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (/^\d+$/.test(seg)) out += `[${seg}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(seg)) out += out ? `.${seg}` : seg;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out || "(root)";
}

export interface SchemaIssue {
  /** Dotted path of the offending value, e.g. `spec.kafka.listeners[0].port`. */
  readonly path: string;
  readonly message: string;
}

function describe(err: ErrorObject, data: unknown): string {
  const value = valueAtPointer(data, err.instancePath);
  const shown = value === undefined ? "" : ` (got ${truncate(JSON.stringify(value))})`;
  switch (err.keyword) {
    case "enum":
      return `must be one of ${JSON.stringify((err.params as { allowedValues: unknown[] }).allowedValues)}${shown}`;
    default:
      return `${err.message ?? err.keyword}${shown}`;
  }
}

function truncate(text: string | undefined): string {
  const t = text ?? "undefined";
  return t.length > 80 ? `${t.slice(0, 77)}...` : t;
}

function escapePointer(seg: string): string {
  return seg.replace(/~/g, "~0").replace(/\//g, "~1");
}

/** The pointer an error is about: the missing or unknown property itself for required/additionalProperties. */
function errorPointer(err: ErrorObject): string {
  if (err.keyword === "required")
    return `${err.instancePath}/${escapePointer((err.params as { missingProperty: string }).missingProperty)}`;
  if (err.keyword === "additionalProperties")
    return `${err.instancePath}/${escapePointer((err.params as { additionalProperty: string }).additionalProperty)}`;
  return err.instancePath;
}

function message(err: ErrorObject, data: unknown): string {
  if (err.keyword === "required") return "is required but missing";
  if (err.keyword === "additionalProperties")
    return "is not a field of this schema (Helm rejects it; the API server silently prunes it from custom resources)";
  return describe(err, data);
}

/**
 * Turns Ajv errors into path-named issues. Errors on Terraform interpolations are dropped (their value is only
 * known at apply time). Where an `anyOf`/`oneOf` failed only on types (int-or-string), its branch errors are
 * folded into one "must be integer or string" issue.
 */
export function toIssues(
  errors: readonly ErrorObject[] | null | undefined,
  data: unknown,
  prefix = "",
): SchemaIssue[] {
  const all = (errors ?? []).filter((e) => !isInterpolation(valueAtPointer(data, e.instancePath)));
  const typeOnlyUnions = new Set<string>();
  for (const e of all) {
    if (e.keyword !== "anyOf" && e.keyword !== "oneOf") continue;
    const branches = all.filter((b) => b !== e && b.schemaPath.startsWith(`${e.schemaPath}/`));
    if (
      branches.length > 0 &&
      branches.every((b) => b.keyword === "type" && b.instancePath === e.instancePath)
    )
      typeOnlyUnions.add(e.schemaPath);
  }
  const out: SchemaIssue[] = [];
  const seen = new Set<string>();
  for (const err of all) {
    let text: string;
    if (typeOnlyUnions.has(err.schemaPath)) {
      const types = all
        .filter((b) => b.schemaPath.startsWith(`${err.schemaPath}/`))
        .map((b) => String((b.params as { type: string }).type));
      const value = valueAtPointer(data, err.instancePath);
      text = `must be ${types.join(" or ")} (got ${truncate(JSON.stringify(value))})`;
    } else if ([...typeOnlyUnions].some((u) => err.schemaPath.startsWith(`${u}/`))) {
      continue;
    } else {
      text = message(err, data);
    }
    const path = pointerToPath(errorPointer(err), prefix);
    const key = `${path}|${text}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ path, message: text });
  }
  return out;
}
