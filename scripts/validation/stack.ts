import { parse as parseYaml } from "yaml";
import { CHARTS, type ChartPin } from "../../constructs/core/charts";
import type { SchemaIssue } from "./ajv";
import { isInterpolation } from "./ajv";
import { isCoreKind, validateCoreObject } from "./core-objects";
import { validateCustomResource } from "./custom-resource";
import { isPlainObject, mergeValues, validateHelmValues, valuesFromSet } from "./helm-values";
import { schemaStore } from "./schema-store";
import { TYPED_KINDS, typedResourceToObject, UNCONVERTED_TYPED_KINDS } from "./terraform-to-k8s";

/** One object the walker looked at. */
export interface ObjectRef {
  /** Terraform address (`kubernetes_manifest.kafka`) plus the construct path when the JSON carries it. */
  readonly address: string;
  readonly constructPath?: string;
  readonly kind: string;
  readonly name: string;
}

export interface ValidationFailure extends ObjectRef {
  /** Every issue, one per line: `<path>: <message>`. */
  readonly error: string;
  readonly issues: readonly SchemaIssue[];
}

export interface UncheckedObject extends ObjectRef {
  readonly reason: string;
}

/** A release validated against an older chart version than it pins (declared in `referenceVersions`). */
export interface OlderReference extends ObjectRef {
  readonly pinned: string;
  readonly reference: string;
}

export interface StackValidationReport {
  /** Objects validated (valid or not), per kind. Helm releases count as `HelmRelease`. */
  readonly checked: Record<string, number>;
  readonly failures: ValidationFailure[];
  /** Objects with no reference data or not convertible: never counted as valid. */
  readonly unchecked: UncheckedObject[];
  /** Releases counted in `checked` whose values were validated against an older chart version. */
  readonly olderReference: OlderReference[];
}

export interface StackValidationOptions {
  /** Chart name → reference dir (`charts/<dir>`), overriding the lookup by name in index.json. */
  readonly chartDirs?: Readonly<Record<string, string>>;
  /** A chart version that differs from the reference data fails (default) or is reported unchecked. */
  readonly versionMismatch?: "fail" | "unchecked";
  /** Stop at the first failure (used by `assertValid`). */
  readonly failFast?: boolean;
  /**
   * API groups of custom resources the kit emits knowingly without reference CRD schemas, each with the reason:
   * reported as unchecked instead of failing. Any other group without a schema fails.
   * @default UNREFERENCED_CRD_GROUPS
   */
  readonly uncheckedGroups?: Readonly<Record<string, string>>;
  /**
   * Chart name → a pinned version and the older version of the reference data its values may be validated
   * against instead of failing on the version difference. Each use is listed in the report's `olderReference`.
   * @default PINNED_REFERENCE_VERSIONS
   */
  readonly referenceVersions?: Readonly<
    Record<string, { readonly pinned: string; readonly reference: string }>
  >;
}

/**
 * Custom resources whose CRDs are not in `../shared/schemas`: reported as unchecked, never counted as valid.
 * None at present (the External Secrets CRDs joined the reference data with release 2.9.0).
 */
export const UNREFERENCED_CRD_GROUPS: Readonly<Record<string, string>> = {};

/** The chart pins that declare an older `referenceVersion` (see constructs/core/charts.ts). */
export const PINNED_REFERENCE_VERSIONS: Readonly<
  Record<string, { readonly pinned: string; readonly reference: string }>
> = Object.fromEntries(
  Object.values(CHARTS as Record<string, ChartPin>).flatMap((p) =>
    p.referenceVersion ? [[p.chart, { pinned: p.version, reference: p.referenceVersion }]] : [],
  ),
);

type Json = Record<string, unknown>;

export class StackValidationError extends Error {
  constructor(readonly failure: ValidationFailure) {
    super(formatFailure(failure));
    this.name = "StackValidationError";
  }
}

export function formatFailure(f: ValidationFailure): string {
  const where = f.constructPath ? `${f.constructPath} (${f.address})` : f.address;
  return `${where}: ${f.kind} ${JSON.stringify(f.name)} is invalid:\n  ${f.error.split("\n").join("\n  ")}`;
}

function constructPathOf(config: Json): string | undefined {
  const meta = config["//"];
  if (isPlainObject(meta) && isPlainObject(meta.metadata) && typeof meta.metadata.path === "string")
    return meta.metadata.path;
  return undefined;
}

/** `oci://host/repo/name` or `https://…/name-1.2.3.tgz` → `name`. */
function chartName(chart: string): string {
  if (!/^(oci|https?|file):\/\//.test(chart) && !chart.includes("/")) return chart;
  const last = chart.replace(/\/+$/, "").split("/").pop() ?? chart;
  return last.replace(/-v?\d+\.\d+\.\d+.*\.tgz$/, "").replace(/\.tgz$/, "");
}

const stripV = (v: string) => v.replace(/^v/, "");

interface Walk {
  readonly report: StackValidationReport;
  readonly options: StackValidationOptions;
}

function count(w: Walk, kind: string): void {
  w.report.checked[kind] = (w.report.checked[kind] ?? 0) + 1;
}

function record(w: Walk, ref: ObjectRef, issues: readonly SchemaIssue[]): void {
  count(w, ref.kind);
  if (issues.length === 0) return;
  const failure: ValidationFailure = {
    ...ref,
    issues,
    error: issues.map((i) => (i.message.includes(i.path) ? i.message : `${i.path}: ${i.message}`)).join("\n"),
  };
  w.report.failures.push(failure);
  if (w.options.failFast) throw new StackValidationError(failure);
}

function setEntries(value: unknown): { name: string; value?: unknown; type?: string }[] {
  if (!Array.isArray(value)) return [];
  return value.filter(isPlainObject).map((e) => ({
    name: String(e.name),
    value: e.value,
    type: typeof e.type === "string" ? e.type : undefined,
  }));
}

function walkHelmRelease(w: Walk, address: string, config: Json): void {
  const chart = typeof config.chart === "string" ? config.chart : "";
  const ref: ObjectRef = {
    address,
    constructPath: constructPathOf(config),
    kind: "HelmRelease",
    name: typeof config.name === "string" ? config.name : "(unnamed)",
  };
  const name = chartName(chart);
  const store = schemaStore();
  const override = w.options.chartDirs?.[name];
  const entry = store.chartByName(
    name,
    typeof config.repository === "string" ? config.repository : undefined,
  );
  const dir = override ?? (entry?.hasValues || entry?.valuesTemplate ? entry.dir : undefined);
  if (!dir) {
    w.report.unchecked.push({
      ...ref,
      reason: entry
        ? `chart ${name} has no values.yaml in the reference data`
        : `chart ${JSON.stringify(chart)} has no reference data in ${store.dir} (charts there: ${store
            .charts()
            .map((c) => c.name)
            .join(", ")})`,
    });
    return;
  }
  const version = typeof config.version === "string" ? config.version : undefined;
  if (
    !override &&
    entry &&
    version &&
    !isInterpolation(version) &&
    stripV(version) !== stripV(entry.version)
  ) {
    const gap = (w.options.referenceVersions ?? PINNED_REFERENCE_VERSIONS)[name];
    if (gap && stripV(gap.pinned) === stripV(version) && stripV(gap.reference) === stripV(entry.version)) {
      w.report.olderReference.push({ ...ref, pinned: version, reference: entry.version });
    } else {
      const message = `chart ${name} version ${version} differs from the reference data (${entry.version}); pin ${entry.version} or refresh ${store.dir}`;
      if (w.options.versionMismatch === "unchecked") w.report.unchecked.push({ ...ref, reason: message });
      else record(w, ref, [{ path: "version", message }]);
      return;
    }
  }
  // Helm applies `values` files in order, then `set`, `set_list` and `set_sensitive` on top.
  let merged: unknown = {};
  const issues: SchemaIssue[] = [];
  const values = Array.isArray(config.values) ? config.values : [];
  for (const [i, doc] of values.entries()) {
    if (typeof doc !== "string") continue;
    if (/^\$\{[^}]*\}$/s.test(doc.trim())) {
      w.report.unchecked.push({
        ...ref,
        reason: `values[${i}] is a Terraform expression (${doc.slice(0, 60)}), known only at apply`,
      });
      return;
    }
    try {
      const parsed = parseYaml(doc);
      if (parsed !== null && parsed !== undefined) merged = mergeValues(merged, parsed);
    } catch (err) {
      issues.push({
        path: `values[${i}]`,
        message: `chart ${name}: values[${i}] is not valid YAML: ${(err as Error).message}`,
      });
    }
  }
  try {
    merged = mergeValues(merged, valuesFromSet(setEntries(config.set)));
    // `set_list` values are lists (Helm `--set name={a,b}`), kept as they are.
    merged = mergeValues(
      merged,
      valuesFromSet(setEntries(config.set_list).map((e) => ({ ...e, type: "literal" }))),
    );
    merged = mergeValues(merged, valuesFromSet(setEntries(config.set_sensitive)));
  } catch (err) {
    issues.push({ path: "set", message: `chart ${name}: ${(err as Error).message}` });
  }
  if (isPlainObject(merged)) issues.push(...validateHelmValues(dir, merged).issues);
  record(w, ref, issues);
}

function walkObject(w: Walk, address: string, constructPath: string | undefined, object: unknown): void {
  const kind = isPlainObject(object) && typeof object.kind === "string" ? object.kind : "?";
  const apiVersion = isPlainObject(object) && typeof object.apiVersion === "string" ? object.apiVersion : "?";
  const meta = isPlainObject(object) && isPlainObject(object.metadata) ? object.metadata : {};
  const ref: ObjectRef = {
    address,
    constructPath,
    kind,
    name: typeof meta.name === "string" ? meta.name : "(unnamed)",
  };
  if (isCoreKind(apiVersion, kind)) {
    record(w, ref, validateCoreObject(object).issues);
    return;
  }
  const group = apiVersion.includes("/") ? apiVersion.slice(0, apiVersion.indexOf("/")) : "";
  const version = apiVersion.slice(apiVersion.indexOf("/") + 1);
  // Groups under k8s.io are core, except those installed as CRDs (Gateway API): the reference data decides.
  const crd = schemaStore().crd(group, version, kind) !== undefined;
  if (
    group === "" ||
    (!crd && group.endsWith("k8s.io")) ||
    ["apps", "batch", "policy", "autoscaling"].includes(group)
  ) {
    w.report.unchecked.push({
      ...ref,
      reason: `no core schema wired for ${apiVersion} ${kind} (see core-objects.ts)`,
    });
    return;
  }
  const unreferenced = (w.options.uncheckedGroups ?? UNREFERENCED_CRD_GROUPS)[group];
  if (unreferenced !== undefined) {
    w.report.unchecked.push({ ...ref, reason: `${apiVersion} ${kind}: ${unreferenced}` });
    return;
  }
  // Custom kinds without reference data fail: the error lists what the reference data has.
  record(w, ref, validateCustomResource(object).issues);
}

/**
 * Validates every Kubernetes object and Helm release in a synthesized stack's Terraform JSON:
 * `helm_release` values (YAML documents merged as Helm does, then `set`) against the chart reference data,
 * `kubernetes_manifest.*.manifest` against CRD or core schemas, and typed kubernetes resources converted to
 * Kubernetes objects (see terraform-to-k8s.ts).
 */
export function validateSynthesizedStack(
  json: unknown,
  options: StackValidationOptions = {},
): StackValidationReport {
  const report: StackValidationReport = { checked: {}, failures: [], unchecked: [], olderReference: [] };
  const w: Walk = { report, options };
  const resources = isPlainObject(json) && isPlainObject(json.resource) ? json.resource : {};
  for (const [type, byName] of Object.entries(resources)) {
    if (!isPlainObject(byName)) continue;
    for (const [logical, config] of Object.entries(byName)) {
      if (!isPlainObject(config)) continue;
      const address = `${type}.${logical}`;
      const constructPath = constructPathOf(config);
      if (type === "helm_release") walkHelmRelease(w, address, config);
      else if (type === "kubernetes_manifest") walkObject(w, address, constructPath, config.manifest);
      else if (TYPED_KINDS[type]) walkObject(w, address, constructPath, typedResourceToObject(type, config));
      else if (UNCONVERTED_TYPED_KINDS[type]) {
        const meta = isPlainObject(config.metadata)
          ? config.metadata
          : Array.isArray(config.metadata)
            ? config.metadata[0]
            : {};
        report.unchecked.push({
          address,
          constructPath,
          kind: UNCONVERTED_TYPED_KINDS[type],
          name: isPlainObject(meta) && typeof meta.name === "string" ? meta.name : "(unnamed)",
          reason: `typed ${type} has no converter (see terraform-to-k8s.ts); emit it as kubernetes_manifest to schema-check it`,
        });
      } else if (type.startsWith("kubernetes_")) {
        report.unchecked.push({
          address,
          constructPath,
          kind: type,
          name: logical,
          reason: `no converter for ${type}`,
        });
      }
    }
  }
  return report;
}

/**
 * "validated N objects: Kind=n, …" (kinds sorted), the one wording the synth hook and the test suites print,
 * so a reader can compare the counts of a synth with those of the tests.
 */
export function formatCheckedCounts(checked: Readonly<Record<string, number>>): string {
  const kinds = Object.entries(checked).sort(([a], [b]) => a.localeCompare(b));
  const total = kinds.reduce((sum, [, n]) => sum + n, 0);
  const list = kinds.map(([k, n]) => `${k}=${n}`).join(", ");
  return `validated ${total} objects${list ? `: ${list}` : ""}`;
}

/** Validates a synthesized stack and throws on the first invalid object (construct path, kind, name, error). */
export function assertValid(json: unknown, options: StackValidationOptions = {}): StackValidationReport {
  return validateSynthesizedStack(json, { ...options, failFast: true });
}
