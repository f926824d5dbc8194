import type { Entry, Json } from "./model";
import { formatPath, isObject, type JsonPath } from "./values";

/**
 * Sensitive values never reach the comment or the JSON artifact: whole outputs and variables marked sensitive,
 * attributes the providers mark sensitive, any key that names a secret, values that reference a generated
 * password, and values that look like key material. A changed one reads `(redacted, changed)`.
 */

export const REDACTED = "(redacted)";
export const REDACTED_CHANGED = "(redacted, changed)";

/** Keys that name secret material anywhere in a path (Helm values included). */
const SECRET_KEY =
  /(pass(word|wd|phrase)?|secret|token|private[_-]?key|api[_-]?key|access[_-]?key|credential|auth[_-]?string|client[_-]?secret|connection[_-]?string|kubeconfig|\bcert(ificate)?[_-]?key|tls[_-]?key|sasl[_-]?jaas|jaas)/i;

/** Keys that contain a secret-like word but name something public: ARNs, names and references of secrets. */
const NOT_SECRET_KEY =
  /(_arn|Arn|_name|Name|Ref|_ref|_id|Id|_kms_key_id|Keys|_keys|_path|Path|_prefix|Prefix|Namespace)$/;

/** Attributes the providers mark sensitive, per resource type. */
const SENSITIVE_ATTRIBUTES: Record<string, readonly string[]> = {
  kubernetes_secret_v1: ["data", "binary_data"],
  kubernetes_secret: ["data", "binary_data"],
  aws_db_instance: ["password", "password_wo"],
  aws_rds_cluster: ["master_password", "master_password_wo"],
  aws_secretsmanager_secret_version: ["secret_string", "secret_binary", "secret_string_wo"],
  aws_iam_access_key: ["secret", "ses_smtp_password_v4"],
  aws_msk_scram_secret_association: ["secret_arn_list"],
  helm_release: ["set_sensitive"],
  random_password: ["result", "bcrypt_hash"],
  tls_private_key: ["private_key_pem", "private_key_openssh", "private_key_pem_pkcs8"],
};

/** Manifests whose data is secret whatever the keys are called. */
const SECRET_KINDS = new Set(["Secret"]);

/** References to generated secrets: `${random_password.X.result}`, a random_string's result. */
const GENERATED = /\$\{[^}]*\b(random_password|random_string|tls_private_key)\.[^}]*\}/;

/** Key material recognizable by its shape. */
const KEY_MATERIAL =
  /-----BEGIN [A-Z ]*PRIVATE KEY-----|\bAKIA[0-9A-Z]{16}\b|\bgh[pousr]_[A-Za-z0-9]{30,}\b|\bxox[abpr]-/;

/** Whether the value at `path` of `entry` (either side) must be hidden. */
export function isSensitive(
  entry: Entry | undefined,
  path: JsonPath,
  values: readonly (Json | undefined)[],
): boolean {
  if (!entry) return false;
  if (entry.sensitive) return true;
  const top = path[0];
  if (typeof top === "string" && SENSITIVE_ATTRIBUTES[entry.type]?.includes(top)) return true;
  if (entry.type === "kubernetes_manifest" && top === "manifest") {
    const m = entry.attrs.manifest;
    if (
      isObject(m) &&
      typeof m.kind === "string" &&
      SECRET_KINDS.has(m.kind) &&
      (path[1] === "data" || path[1] === "stringData")
    )
      return true;
  }
  // A switch or a count is never the secret itself (`automount_service_account_token: false` stays readable).
  const scalarOnly = values.every(
    (v) => v === undefined || v === null || typeof v === "boolean" || typeof v === "number",
  );
  if (!scalarOnly) {
    for (const p of path) {
      if (typeof p === "string" && SECRET_KEY.test(p) && !NOT_SECRET_KEY.test(p)) return true;
    }
  }
  return values.some((v) => typeof v === "string" && (GENERATED.test(v) || KEY_MATERIAL.test(v)));
}

/** Sensitive paths of a plan's `before_sensitive`/`after_sensitive` mask (true at sensitive leaves or blocks). */
export function maskPaths(mask: Json | undefined, path: JsonPath = [], out = new Set<string>()): Set<string> {
  if (mask === true) out.add(formatPath(path));
  else if (Array.isArray(mask)) for (const [i, m] of mask.entries()) maskPaths(m, [...path, i], out);
  else if (isObject(mask)) for (const [k, m] of Object.entries(mask)) maskPaths(m, [...path, k], out);
  return out;
}

/** Whether `path` is at or below one of `paths` (formatted paths). */
export function coveredBy(paths: ReadonlySet<string> | undefined, path: JsonPath): boolean {
  if (!paths || paths.size === 0) return false;
  for (let i = path.length; i >= 0; i--) if (paths.has(formatPath(path.slice(0, i)))) return true;
  return false;
}
