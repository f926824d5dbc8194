import type { SchemaIssue } from "./ajv";
import { isInterpolation } from "./ajv";

/** Kubernetes name rules (k8s.io/apimachinery/pkg/util/validation). */
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const RFC1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

export type NameRule = "dns1123-subdomain" | "dns1123-label" | "rfc1035-label" | "path-segment";

/** Which rule the API server applies to `metadata.name` of a kind (subdomain unless listed). */
export function nameRuleFor(kind: string): NameRule {
  switch (kind) {
    case "Namespace":
      return "dns1123-label";
    case "Service":
      return "rfc1035-label";
    case "Role":
    case "ClusterRole":
    case "RoleBinding":
    case "ClusterRoleBinding":
      return "path-segment";
    default:
      return "dns1123-subdomain";
  }
}

export function checkName(value: string, rule: NameRule): string | undefined {
  switch (rule) {
    case "dns1123-label":
      return value.length <= 63 && DNS1123_LABEL.test(value)
        ? undefined
        : "must be a DNS-1123 label: at most 63 lowercase alphanumerics or '-', starting and ending alphanumeric";
    case "rfc1035-label":
      return value.length <= 63 && RFC1035_LABEL.test(value)
        ? undefined
        : "must be an RFC 1035 label: at most 63 lowercase alphanumerics or '-', starting with a letter, ending alphanumeric";
    case "path-segment":
      return value && value !== "." && value !== ".." && !/[/%]/.test(value)
        ? undefined
        : "must be a path segment name: not empty, '.' or '..', and without '/' or '%'";
    default:
      return value.length <= 253 && DNS1123_SUBDOMAIN.test(value)
        ? undefined
        : "must be a DNS-1123 subdomain: at most 253 lowercase alphanumerics, '-' or '.', starting and ending alphanumeric";
  }
}

function checkQualifiedKey(key: string): string | undefined {
  const slash = key.lastIndexOf("/");
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && checkName(prefix, "dns1123-subdomain"))
    return "prefix must be a DNS-1123 subdomain";
  if (name.length > 63 || !QUALIFIED_NAME.test(name))
    return "name part must be at most 63 alphanumerics, '-', '_' or '.', starting and ending alphanumeric";
  return undefined;
}

/**
 * Checks `metadata`: name (per kind), namespace (DNS-1123 label; absent for cluster-scoped kinds is fine),
 * label keys/values and annotation keys. Terraform interpolations are skipped: they resolve at apply time.
 */
export function checkMetadata(
  kind: string,
  metadata: unknown,
  opts: { requireName?: boolean } = {},
): SchemaIssue[] {
  const issues: SchemaIssue[] = [];
  if (
    metadata === undefined ||
    metadata === null ||
    typeof metadata !== "object" ||
    Array.isArray(metadata)
  ) {
    return [{ path: "metadata", message: "is required and must be an object" }];
  }
  const m = metadata as Record<string, unknown>;
  if (m.name === undefined) {
    if (opts.requireName !== false && m.generateName === undefined)
      issues.push({ path: "metadata.name", message: "is required" });
  } else if (typeof m.name !== "string") {
    issues.push({ path: "metadata.name", message: `must be a string, got ${JSON.stringify(m.name)}` });
  } else if (!isInterpolation(m.name)) {
    const err = checkName(m.name, nameRuleFor(kind));
    if (err) issues.push({ path: "metadata.name", message: `${JSON.stringify(m.name)} ${err}` });
  }
  if (m.namespace !== undefined && !isInterpolation(m.namespace)) {
    const err =
      typeof m.namespace === "string" ? checkName(m.namespace, "dns1123-label") : "must be a string";
    if (err) issues.push({ path: "metadata.namespace", message: `${JSON.stringify(m.namespace)} ${err}` });
  }
  for (const field of ["labels", "annotations"] as const) {
    const map = m[field];
    if (map === undefined) continue;
    if (map === null || typeof map !== "object" || Array.isArray(map)) {
      issues.push({ path: `metadata.${field}`, message: "must be a map of strings" });
      continue;
    }
    for (const [k, v] of Object.entries(map)) {
      const path = `metadata.${field}[${JSON.stringify(k)}]`;
      if (!isInterpolation(k)) {
        const err = checkQualifiedKey(k);
        if (err) issues.push({ path, message: `key ${JSON.stringify(k)}: ${err}` });
      }
      if (typeof v !== "string")
        issues.push({ path, message: `value must be a string, got ${JSON.stringify(v)}` });
      else if (
        field === "labels" &&
        !isInterpolation(v) &&
        v !== "" &&
        (v.length > 63 || !QUALIFIED_NAME.test(v))
      )
        issues.push({
          path,
          message: `label value ${JSON.stringify(v)} must be empty or at most 63 alphanumerics, '-', '_' or '.', starting and ending alphanumeric`,
        });
    }
  }
  return issues;
}
