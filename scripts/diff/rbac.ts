import type { RawChange } from "./compare";
import type { JsonObject } from "./model";
import { asList, isObject, codeList as list, strings } from "./values";

/**
 * Kubernetes access widening: RBAC roles and bindings (the provider's `kubernetes_*role*` resources and
 * `kubernetes_manifest` objects alike) and EKS access policy associations. As for IAM, a new object is flagged
 * only for what is wide on its own (wildcards, escalation verbs, cluster-wide Secret reads, `cluster-admin`, the
 * built-in everyone groups, a cluster-wide admin access policy); a changed one for every permission, subject,
 * namespace or policy level it gains.
 */
export function kubernetesAccessFlags(
  c: RawChange,
  before: JsonObject | undefined,
  after: JsonObject,
): string[] {
  return [
    ...roleFlags(c.type, before, after),
    ...bindingFlags(c.type, before, after),
    ...eksAccess(c.type, before, after),
  ];
}

const unique = (xs: readonly string[]) => [...new Set(xs)].sort();

/** The object's kind and its body (the manifest, or the provider resource's attributes), when it is `kinds`. */
function objectOf(
  type: string,
  attrs: JsonObject | undefined,
  kinds: Record<string, string>,
): { kind: string; body: JsonObject } | undefined {
  if (!attrs) return undefined;
  if (type === "kubernetes_manifest") {
    const m = attrs.manifest;
    if (!isObject(m) || typeof m.kind !== "string" || !Object.values(kinds).includes(m.kind))
      return undefined;
    return { kind: m.kind, body: m };
  }
  const kind = kinds[type.replace(/_v1$/, "")];
  return kind ? { kind, body: attrs } : undefined;
}

// ---------- Roles ----------

const ROLE_KINDS = { kubernetes_role: "Role", kubernetes_cluster_role: "ClusterRole" };
const ESCALATION = new Set(["bind", "escalate", "impersonate"]);
const READ = new Set(["get", "list", "watch", "*"]);

interface Permission {
  readonly group: string;
  readonly resource: string;
  readonly verb: string;
  /** `*` when the rule names no objects. */
  readonly name: string;
}

/** Every (API group, resource, verb, object name) a role's rules grant, in either field spelling. */
function permissions(body: JsonObject | undefined): Permission[] {
  if (!body) return [];
  const out: Permission[] = [];
  for (const rule of [...asList(body.rule), ...asList(body.rules)]) {
    if (!isObject(rule)) continue;
    const groups = strings(rule.api_groups ?? rule.apiGroups);
    const names = strings(rule.resource_names ?? rule.resourceNames);
    for (const group of groups.length > 0 ? groups : [""])
      for (const resource of strings(rule.resources))
        for (const verb of strings(rule.verbs))
          for (const name of names.length > 0 ? names : ["*"]) out.push({ group, resource, verb, name });
  }
  return out;
}

const match = (granted: string, wanted: string) => granted === "*" || granted === wanted;
/** `b` grants `p` already (RBAC's `*` matches anything; a rule without names covers every object). */
const covers = (b: Permission, p: Permission) =>
  match(b.group, p.group) && match(b.resource, p.resource) && match(b.verb, p.verb) && match(b.name, p.name);
const resourceOf = (p: Permission) => (p.group ? `${p.group}/${p.resource}` : p.resource);

/** What a set of permissions holds that is wide on its own. */
function wide(kind: string, ps: readonly Permission[]): string[] {
  const out: string[] = [];
  const wildcard = ps.filter((p) => p.group === "*" || p.resource === "*" || p.verb === "*");
  if (wildcard.length > 0)
    out.push(`${kind} grants \`*\` (${list(unique(wildcard.map((p) => `${p.verb} ${resourceOf(p)}`)))})`);
  const escalation = unique(ps.filter((p) => ESCALATION.has(p.verb)).map((p) => p.verb));
  if (escalation.length > 0) out.push(`${kind} grants privilege-escalation verbs ${list(escalation)}`);
  const secrets = ps.some(
    (p) =>
      p.resource === "secrets" && (p.group === "" || p.group === "*") && READ.has(p.verb) && p.name === "*",
  );
  if (kind === "ClusterRole" && secrets) out.push("ClusterRole reads Secrets in every namespace");
  return out;
}

function roleFlags(type: string, before: JsonObject | undefined, after: JsonObject): string[] {
  const now = objectOf(type, after, ROLE_KINDS);
  if (!now) return [];
  const was = objectOf(type, before, ROLE_KINDS);
  const psBefore = permissions(was?.body);
  const psAfter = permissions(now.body);
  const added = psAfter.filter((p) => !psBefore.some((b) => covers(b, p)));
  // Flag what is wide now and was not.
  const wideBefore = new Set(wide(now.kind, psBefore));
  const out = added.length > 0 ? wide(now.kind, psAfter).filter((m) => !wideBefore.has(m)) : [];
  if (was && added.length > 0)
    out.push(
      `${now.kind} widened: ${list(unique(added.map((p) => `${p.verb} ${resourceOf(p)}${p.name === "*" ? "" : `/${p.name}`}`)))}`,
    );
  return out;
}

// ---------- Bindings ----------

const BINDING_KINDS = {
  kubernetes_role_binding: "RoleBinding",
  kubernetes_cluster_role_binding: "ClusterRoleBinding",
};
/** Built-in groups and users that mean "everyone" (or every workload). */
const EVERYONE = new Set([
  "Group:system:authenticated",
  "Group:system:unauthenticated",
  "Group:system:serviceaccounts",
  "User:system:anonymous",
]);
const ADMIN_ROLES = new Set(["ClusterRole/cluster-admin"]);

function roleRef(body: JsonObject | undefined): string | undefined {
  const ref = asList(body?.role_ref ?? body?.roleRef)[0];
  return isObject(ref) ? `${String(ref.kind)}/${String(ref.name)}` : undefined;
}

function subjects(body: JsonObject | undefined): string[] {
  return asList(body?.subject ?? body?.subjects).flatMap((s) =>
    isObject(s)
      ? [
          `${String(s.kind)}:${typeof s.namespace === "string" && s.namespace ? `${s.namespace}/` : ""}${String(s.name)}`,
        ]
      : [],
  );
}

function bindingFlags(type: string, before: JsonObject | undefined, after: JsonObject): string[] {
  const now = objectOf(type, after, BINDING_KINDS);
  if (!now) return [];
  const was = objectOf(type, before, BINDING_KINDS);
  const ref = roleRef(now.body) ?? "?";
  const refBefore = roleRef(was?.body);
  const sameOrNarrower = refBefore === ref || (refBefore !== undefined && ADMIN_ROLES.has(refBefore));
  const had = new Set(sameOrNarrower ? subjects(was?.body) : []);
  const added = subjects(now.body).filter((s) => !had.has(s));
  const out: string[] = [];
  if (ADMIN_ROLES.has(ref) && added.length > 0) out.push(`${now.kind} grants \`${ref}\` to ${list(added)}`);
  const everyone = added.filter((s) => EVERYONE.has(s));
  if (everyone.length > 0) out.push(`${now.kind} grants \`${ref}\` to everyone in ${list(everyone)}`);
  // A different role is a different grant, unless it replaces cluster-admin, which holds every other.
  if (was && refBefore !== undefined && refBefore !== ref && !ADMIN_ROLES.has(refBefore))
    out.push(`${now.kind} now grants \`${ref}\` (was \`${refBefore}\`)`);
  else if (was && added.length > 0 && out.length === 0)
    out.push(`${now.kind} grants \`${ref}\` to more subjects: ${list(added)}`);
  return out;
}

// ---------- EKS access policies ----------

/** AWS's managed EKS access policies, weakest first. */
const EKS_POLICY_RANK: Record<string, number> = {
  AmazonEKSViewPolicy: 0,
  AmazonEKSEditPolicy: 1,
  AmazonEKSAdminPolicy: 2,
  AmazonEKSClusterAdminPolicy: 3,
};

function eksAccess(type: string, before: JsonObject | undefined, after: JsonObject): string[] {
  if (type !== "aws_eks_access_policy_association") return [];
  const policy = (a: JsonObject | undefined) =>
    String(a?.policy_arn ?? "")
      .split("/")
      .pop() ?? "";
  const scope = (a: JsonObject | undefined) => {
    const s = asList(a?.access_scope)[0];
    return isObject(s) ? { type: String(s.type), namespaces: strings(s.namespaces) } : undefined;
  };
  const now = scope(after);
  const was = scope(before);
  const name = policy(after);
  const rank = EKS_POLICY_RANK[name] ?? -1;
  const out: string[] = [];
  if (
    now?.type === "cluster" &&
    rank >= EKS_POLICY_RANK.AmazonEKSAdminPolicy &&
    (was?.type !== "cluster" || policy(before) !== name)
  )
    out.push(`EKS access: \`${name}\` on the whole cluster`);
  if (!was) return out;
  if (now?.type === "cluster" && was.type !== "cluster" && out.length === 0)
    out.push(`EKS access widened from namespaces to the whole cluster (\`${name}\`)`);
  const more = (now?.namespaces ?? []).filter((n) => !was.namespaces.includes(n));
  if (now?.type === "namespace" && was.type === "namespace" && more.length > 0)
    out.push(`EKS access extended to namespaces ${list(more)} (\`${name}\`)`);
  const rankBefore = EKS_POLICY_RANK[policy(before)] ?? -1;
  if (rank > rankBefore && rankBefore >= 0)
    out.push(`EKS access policy raised: \`${policy(before)}\` → \`${name}\``);
  return out;
}
