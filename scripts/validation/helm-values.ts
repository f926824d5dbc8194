import { existsSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { parse as parseYaml } from "yaml";
import { editDistance } from "../../constructs/primitives";
import { compileCached, type SchemaIssue, toIssues } from "./ajv";
import { isKubernetesPassthrough, openPathFor } from "./open-paths";
import { schemaStore } from "./schema-store";

export interface HelmValuesResult {
  readonly chart: string;
  readonly valid: boolean;
  readonly issues: readonly SchemaIssue[];
}

type Plain = Record<string, unknown>;

export function isPlainObject(v: unknown): v is Plain {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/**
 * Helm's coalescing of values layers: maps merge deeply, later layers win, lists and scalars replace, and a
 * `null` in a later layer deletes the key.
 */
export function mergeValues(base: unknown, overlay: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(overlay)) return overlay === undefined ? base : overlay;
  const out: Plain = { ...base };
  for (const [k, v] of Object.entries(overlay)) {
    if (v === null) delete out[k];
    else out[k] = k in out ? mergeValues(out[k], v) : v;
  }
  return out;
}

/** Splits a `--set` name (`a.b\.c[0].d`) into segments; numbers are list indices. */
export function parseSetPath(name: string): (string | number)[] {
  const out: (string | number)[] = [];
  let cur = "";
  for (let i = 0; i < name.length; i++) {
    const ch = name[i];
    if (ch === "\\" && i + 1 < name.length) {
      cur += name[++i];
    } else if (ch === ".") {
      if (cur) out.push(cur);
      cur = "";
    } else if (ch === "[") {
      const end = name.indexOf("]", i);
      if (end < 0) throw new Error(`unclosed "[" in set name ${JSON.stringify(name)}`);
      if (cur) out.push(cur);
      cur = "";
      const idx = Number(name.slice(i + 1, end));
      if (!Number.isInteger(idx) || idx < 0)
        throw new Error(`bad list index in set name ${JSON.stringify(name)}`);
      out.push(idx);
      i = end;
    } else {
      cur += ch;
    }
  }
  if (cur) out.push(cur);
  if (out.length === 0) throw new Error(`empty set name ${JSON.stringify(name)}`);
  return out;
}

/** Helm's `--set` typing: `true`/`false`/`null` and integers are typed unless `type` is `string` or `literal`. */
function typedSetValue(value: unknown, type: string | undefined): unknown {
  if (typeof value !== "string" || type === "string" || type === "literal") return value;
  if (value === "true") return true;
  if (value === "false") return false;
  if (value === "null") return null;
  if (/^-?(0|[1-9]\d*)$/.test(value) && Number.isSafeInteger(Number(value))) return Number(value);
  return value;
}

/** Builds a values object from `set` entries (`{ name, value, type }`), as Helm's strvals does. */
export function valuesFromSet(entries: readonly { name: string; value?: unknown; type?: string }[]): Plain {
  const root: Plain = {};
  for (const e of entries) {
    const path = parseSetPath(e.name);
    let cur: Plain | unknown[] = root;
    for (let i = 0; i < path.length; i++) {
      const seg = path[i];
      const last = i === path.length - 1;
      const next = last ? typedSetValue(e.value, e.type) : typeof path[i + 1] === "number" ? [] : {};
      const container = cur as Record<string | number, unknown>;
      if (last) container[seg] = next;
      else {
        const existing = container[seg];
        if (existing === undefined || existing === null || typeof existing !== "object")
          container[seg] = next;
        cur = container[seg] as Plain | unknown[];
      }
    }
  }
  return root;
}

function closestKeys(word: string, candidates: readonly string[], max = 3): string[] {
  const lower = word.toLowerCase();
  const limit = Math.max(2, Math.floor(word.length / 3));
  return candidates
    .map((c) => ({ c, d: editDistance(lower, c.toLowerCase()) }))
    .filter((x) => x.d <= limit)
    .sort((a, b) => a.d - b.d || a.c.localeCompare(b.c))
    .slice(0, max)
    .map((x) => x.c);
}

function joinPath(segments: readonly string[]): string {
  return segments
    .map((s, i) => (/^[A-Za-z_][\w-]*$/.test(s) ? (i ? `.${s}` : s) : `[${JSON.stringify(s)}]`))
    .join("");
}

function describeValue(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "a list";
  if (isPlainObject(v)) return "a map";
  return `${typeof v} ${JSON.stringify(v)}`;
}

/** True when the default at a path leaves everything below it to the user. */
function isOpenDefault(d: unknown): boolean {
  return (
    d === null ||
    d === undefined ||
    d === "" ||
    Array.isArray(d) ||
    (isPlainObject(d) && Object.keys(d).length === 0)
  );
}

interface KeyCheckContext {
  readonly chart: string;
  readonly subcharts: ReadonlySet<string>;
  readonly issues: SchemaIssue[];
  /** The chart's values.schema.json, for `$ref` resolution. */
  readonly schemaRoot?: unknown;
}

/** Follows local `$ref`s (`#/definitions/…`, `#/$defs/…`) of a values.schema.json node. */
function resolveRef(root: unknown, node: unknown): Plain | undefined {
  let cur = node;
  for (let hops = 0; isPlainObject(cur) && typeof cur.$ref === "string" && hops < 20; hops++) {
    const ref: string = cur.$ref;
    if (!ref.startsWith("#/")) return undefined;
    cur = ref
      .slice(2)
      .split("/")
      .reduce<unknown>(
        (n, seg) => (isPlainObject(n) ? n[seg.replace(/~1/g, "/").replace(/~0/g, "~")] : undefined),
        root,
      );
  }
  return isPlainObject(cur) ? cur : undefined;
}

/** The subschema a values.schema.json declares for `key` under `properties` (also inside `allOf`), if any. */
function declaredProperty(root: unknown, node: unknown, key: string): Plain | undefined {
  const n = resolveRef(root, node);
  if (!n) return undefined;
  const own = isPlainObject(n.properties) ? resolveRef(root, n.properties[key]) : undefined;
  if (own) return own;
  const parts = Array.isArray(n.allOf) ? n.allOf : [];
  for (const part of parts) {
    const found = declaredProperty(root, part, key);
    if (found) return found;
  }
  return undefined;
}

/**
 * Every key the kit sets must exist in the chart's values.yaml, except under open defaults (see open-paths.ts)
 * or where the chart's values.schema.json declares it (values.yaml often shows such keys only commented out).
 */
function checkKeys(
  user: Plain,
  defaults: Plain,
  segments: string[],
  ctx: KeyCheckContext,
  schema?: unknown,
): void {
  for (const [key, value] of Object.entries(user)) {
    const here = [...segments, key];
    if (openPathFor(ctx.chart, here)) continue;
    // Subchart values are defined by the subchart's own values.yaml, which the reference data does not hold.
    if (segments.length === 0 && ctx.subcharts.has(key)) continue;
    const declared = declaredProperty(ctx.schemaRoot, schema, key);
    // values.schema.json validation (on the merged values) checks what lies below a declared key.
    if (!(key in defaults) && declared) continue;
    if (!(key in defaults)) {
      const keys = Object.keys(defaults);
      const near = closestKeys(key, keys);
      const hint = near.length
        ? `did you mean ${near.map((k) => JSON.stringify(joinPath([...segments, k]))).join(" or ")}?`
        : `keys at ${segments.length ? joinPath(segments) : "the top level"}: ${keys.slice(0, 12).join(", ")}${keys.length > 12 ? `, … (${keys.length} in all)` : ""}`;
      ctx.issues.push({
        path: joinPath(here),
        message: `chart ${ctx.chart} has no value ${JSON.stringify(joinPath(here))} in its values.yaml (Helm would ignore it); ${hint}`,
      });
      continue;
    }
    const d = defaults[key];
    if (isOpenDefault(d) || value === null) continue;
    if (isPlainObject(d)) {
      if (isKubernetesPassthrough(key, d)) continue;
      if (isPlainObject(value)) checkKeys(value, d, here, ctx, declared);
      else
        ctx.issues.push({
          path: joinPath(here),
          message: `chart ${ctx.chart} expects a map at ${JSON.stringify(joinPath(here))} (keys: ${Object.keys(d).join(", ")}), got ${describeValue(value)}`,
        });
    } else if (isPlainObject(value)) {
      ctx.issues.push({
        path: joinPath(here),
        message: `chart ${ctx.chart} has ${describeValue(d)} at ${JSON.stringify(joinPath(here))}, so it reads no keys below it; got a map with ${Object.keys(value).join(", ")}`,
      });
    }
  }
}

export interface ChartReference {
  /** Chart name (from Chart.yaml, else the dir name). */
  readonly name: string;
  readonly dir: string;
  readonly defaults: Plain;
  readonly schemaFile?: string;
  readonly subcharts: ReadonlySet<string>;
}

/** Loads a chart's reference data; `chartDir` is `charts/<name>`, `<name>` or an absolute path. */
export function chartReference(chartDir: string): ChartReference {
  const store = schemaStore();
  const dir = store.chartPath(chartDir);
  const valuesFile = join(dir, "values.yaml");
  // A chart whose git tree has only values.tmpl.yaml (Envoy Gateway: its release fills `${…}` placeholders
  // with envsubst) is checked against the template, placeholders read as strings.
  const template = join(dir, "values.tmpl.yaml");
  const fromTemplate = !existsSync(valuesFile) && existsSync(template);
  if (!existsSync(valuesFile) && !fromTemplate) {
    const known = store
      .charts()
      .filter((c) => c.hasValues)
      .map((c) => c.name);
    throw new Error(
      `no reference values.yaml for chart dir ${JSON.stringify(chartDir)} (${valuesFile}); charts with reference data: ${known.join(", ")}`,
    );
  }
  const chartYaml = existsSync(join(dir, "Chart.yaml"))
    ? (store.readYaml(join(dir, "Chart.yaml")) as Plain)
    : {};
  const deps = Array.isArray(chartYaml.dependencies) ? (chartYaml.dependencies as Plain[]) : [];
  const subcharts = new Set(deps.map((d) => String(d.alias ?? d.name)));
  const defaults = fromTemplate
    ? parseYaml(readFileSync(template, "utf8").replace(/\$\{[A-Za-z0-9_]+\}/g, "placeholder"))
    : store.readYaml(valuesFile);
  const schemaFile = join(dir, "values.schema.json");
  return {
    name: typeof chartYaml.name === "string" ? chartYaml.name : basename(dir),
    dir,
    defaults: isPlainObject(defaults) ? defaults : {},
    schemaFile: existsSync(schemaFile) ? schemaFile : undefined,
    subcharts,
  };
}

/**
 * Validates values the kit passes to a chart: (a) the merged values (chart defaults + kit values, as Helm
 * coalesces them) against the chart's `values.schema.json` when it ships one; (b) every key path the kit sets
 * exists in the chart's `values.yaml`, so nothing is silently ignored.
 */
export function validateHelmValues(chartDir: string, values: unknown): HelmValuesResult {
  const ref = chartReference(chartDir);
  const issues: SchemaIssue[] = [];
  if (values !== undefined && values !== null && !isPlainObject(values)) {
    issues.push({
      path: "(root)",
      message: `chart ${ref.name}: values must be a map, got ${describeValue(values)}`,
    });
    return { chart: ref.name, valid: false, issues };
  }
  const user = (values ?? {}) as Plain;
  const schemaRoot = ref.schemaFile ? schemaStore().readJson(ref.schemaFile) : undefined;
  checkKeys(
    user,
    ref.defaults,
    [],
    { chart: ref.name, subcharts: ref.subcharts, issues, schemaRoot },
    schemaRoot,
  );
  if (ref.schemaFile) {
    const file = ref.schemaFile;
    const validate = compileCached(`values:${file}`, () => schemaStore().readJson(file) as object);
    const merged = mergeValues(ref.defaults, user);
    if (!validate(merged)) {
      const unknownKeys = new Set(issues.map((i) => i.path));
      for (const issue of toIssues(validate.errors, merged)) {
        // A key the values.yaml check already named needs no second line from the schema.
        if (unknownKeys.has(issue.path)) continue;
        issues.push({
          path: issue.path,
          message: `chart ${ref.name} values.schema.json: ${issue.path}: ${issue.message}`,
        });
      }
    }
  }
  return { chart: ref.name, valid: issues.length === 0, issues };
}
