import { compileCached, type SchemaIssue, toIssues } from "./ajv";
import { isPlainObject } from "./helm-values";
import { checkMetadata } from "./names";
import { schemaStore } from "./schema-store";

export interface ObjectResult {
  readonly kind: string;
  readonly name: string;
  readonly valid: boolean;
  readonly issues: readonly SchemaIssue[];
}

/** `group/version` → [group, version]; core (`v1`) has group "". */
export function splitApiVersion(apiVersion: string): [string, string] {
  const slash = apiVersion.indexOf("/");
  return slash < 0 ? ["", apiVersion] : [apiVersion.slice(0, slash), apiVersion.slice(slash + 1)];
}

export function objectName(manifest: unknown): string {
  const meta = isPlainObject(manifest) ? manifest.metadata : undefined;
  return isPlainObject(meta) && typeof meta.name === "string" ? meta.name : "(unnamed)";
}

/** True when the reference data has a CRD schema for this apiVersion + kind. */
export function hasCrdSchema(apiVersion: string, kind: string): boolean {
  const [group, version] = splitApiVersion(apiVersion);
  return schemaStore().crd(group, version, kind) !== undefined;
}

/**
 * Validates a custom resource against its CRD's `openAPIV3Schema` from the reference data (spec, status and
 * any top-level fields the CRD defines) with Ajv, plus Kubernetes metadata naming rules. An unknown group/version/kind fails with the list of what the reference data has.
 */
export function validateCustomResource(manifest: unknown): ObjectResult {
  if (!isPlainObject(manifest)) {
    return {
      kind: "?",
      name: "?",
      valid: false,
      issues: [{ path: "(root)", message: "manifest must be an object" }],
    };
  }
  const kind = typeof manifest.kind === "string" ? manifest.kind : "?";
  const name = objectName(manifest);
  const fail = (message: string, path = "(root)"): ObjectResult => ({
    kind,
    name,
    valid: false,
    issues: [{ path, message }],
  });
  if (typeof manifest.apiVersion !== "string")
    return fail("apiVersion must be a string like group/version", "apiVersion");
  if (typeof manifest.kind !== "string") return fail("kind must be a string", "kind");
  const [group, version] = splitApiVersion(manifest.apiVersion);
  const store = schemaStore();
  const entry = store.crd(group, version, kind);
  if (!entry) {
    const sameKind = store.crds().filter((c) => c.group === group && c.kind === kind);
    const sameGroup = store.crds().filter((c) => c.group === group);
    const detail = sameKind.length
      ? `${kind} in ${group} is available as ${sameKind.map((c) => `${c.group}/${c.version}`).join(", ")}`
      : sameGroup.length
        ? `group ${group} has ${[...new Set(sameGroup.map((c) => `${c.kind} (${c.version})`))].join(", ")}`
        : `groups available: ${[...new Set(store.crds().map((c) => c.group))].sort().join(", ")}`;
    return fail(
      `no CRD schema for ${manifest.apiVersion} ${kind} in the reference data; ${detail}`,
      "apiVersion",
    );
  }
  const issues: SchemaIssue[] = checkMetadata(kind, manifest.metadata);
  // The openAPIV3Schema describes the whole object (some CRDs require `metadata` or have top-level fields).
  // Keyed by absolute path: a different schemas dir (MLOPS_SCHEMAS_DIR) must not reuse a compiled schema.
  const validate = compileCached(
    `crd:${store.dir}/${entry.file}`,
    () => store.readJson(entry.file) as object,
    {
      pruneUnknown: true,
    },
  );
  if (!validate(manifest)) issues.push(...toIssues(validate.errors, manifest));
  return { kind, name, valid: issues.length === 0, issues };
}
