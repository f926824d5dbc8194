import type { RawChange } from "./compare";
import type { Flag, Json, JsonObject } from "./model";
import { kubernetesAccessFlags } from "./rbac";
import { asList, formatPath, isObject, leaves, codeList as list, schemaPath, strings } from "./values";

/**
 * Security widening between the two sides of one change. On a changed resource every widening is flagged; on a
 * new one only what is wide on its own (wildcards, the whole internet, public endpoints), since a new grant to
 * a named action on a named resource is the ordinary way the platform grows. Kubernetes RBAC and EKS access
 * policies: rbac.ts.
 */
export function securityFlags(c: RawChange): Flag[] {
  if (c.action === "delete") return removedProtection(c);
  const before = c.action === "create" ? undefined : c.before?.attrs;
  const after = c.after?.attrs;
  if (!after) return [];
  const out = [
    ...iam(before, after, before === undefined),
    ...securityGroup(c.type, before, after),
    ...networkPolicy(c, before, after),
    ...publicEndpoint(c, before, after),
    ...protectionOff(c),
    ...pssLowered(c.type, before, after),
    ...kubernetesAccessFlags(c, before, after),
  ];
  return out.map((message) => ({ kind: "security", level: "risk", message }));
}

// ---------- IAM ----------

interface Grant {
  readonly effect: string;
  readonly actions: string[];
  readonly resources: string[];
  readonly principals: string[];
  /** NotAction / NotResource: everything except, i.e. wide. */
  readonly negated: string[];
}

/** Statements of an IAM document in either form: the data source's `statement` blocks or a JSON `Statement`. */
function grants(attrs: JsonObject | undefined): Grant[] {
  if (!attrs) return [];
  const out: Grant[] = [];
  const visit = (v: Json) => {
    if (!isObject(v)) return;
    for (const s of asList(v.statement)) if (isObject(s)) out.push(fromBlock(s));
    for (const s of asList(v.Statement)) if (isObject(s)) out.push(fromJson(s));
    for (const [k, x] of Object.entries(v))
      if (k !== "statement" && k !== "Statement") for (const y of asList(x)) visit(y);
  };
  visit(attrs);
  return out;
}

function fromBlock(s: JsonObject): Grant {
  return {
    effect: typeof s.effect === "string" ? s.effect : "Allow",
    actions: strings(s.actions),
    resources: strings(s.resources),
    principals: asList(s.principals).flatMap((p) => (isObject(p) ? strings(p.identifiers) : [])),
    negated: [...strings(s.not_actions), ...strings(s.not_resources)].map((x) => `not ${x}`),
  };
}

function fromJson(s: JsonObject): Grant {
  const principal = s.Principal;
  const principals =
    principal === "*"
      ? ["*"]
      : isObject(principal)
        ? Object.values(principal).flatMap((v) => strings(v))
        : [];
  return {
    effect: typeof s.Effect === "string" ? s.Effect : "Allow",
    actions: strings(s.Action),
    resources: strings(s.Resource),
    principals,
    negated: [...strings(s.NotAction), ...strings(s.NotResource)].map((x) => `not ${x}`),
  };
}

/** Whether IAM pattern `pattern` (with `*` and `?`) matches all that `value` matches (a pattern itself). */
function globCovers(pattern: string, value: string): boolean {
  if (pattern === value) return true;
  const re = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replace(/\*/g, ".*")
      .replace(/\?/g, ".")}$`,
    "i",
  );
  return re.test(value);
}

const wildcardAction = (a: string) => a === "*" || /^[a-z0-9-]+:\*$/i.test(a);
const wildcardResource = (r: string) => r === "*" || r === "arn:aws:*" || /^arn:[^:]*:[^:]*:::?\*$/.test(r);

/**
 * A resource policy's statement for the account root: the standard delegation of a key (or bucket) to the
 * account's IAM policies. In a key policy `Resource: "*"` means the key itself and `kms:*` for the root is what
 * AWS's default key policy grants, so neither is a wildcard grant to anyone.
 */
const delegatesToAccount = (g: Grant) =>
  g.principals.length > 0 && g.principals.every((p) => /:root$/.test(p));

function iam(before: JsonObject | undefined, after: JsonObject, created: boolean): string[] {
  const allow = (attrs: JsonObject | undefined) =>
    grants(attrs).filter((g) => g.effect === "Allow" && !delegatesToAccount(g));
  const allowAfter = allow(after);
  if (allowAfter.length === 0) return [];
  const allowBefore = allow(before);
  // New values not already covered by an old one (`s3:GetObject` is within `s3:*`, a bucket's ARN within `*`).
  const newly = (pick: (g: Grant) => string[]) => {
    const old = allowBefore.flatMap(pick);
    return [...new Set(allowAfter.flatMap(pick))].filter((x) => !old.some((o) => globCovers(o, x))).sort();
  };
  const out: string[] = [];
  const actions = newly((g) => g.actions);
  const resources = newly((g) => g.resources);
  const principals = newly((g) => g.principals);
  const negated = newly((g) => g.negated);
  const wideActions = actions.filter(wildcardAction);
  // In a resource policy (a statement with principals) the resource is the policy's own bucket or key.
  const identityResources = new Set(
    allowAfter.filter((g) => g.principals.length === 0).flatMap((g) => g.resources),
  );
  const wideResources = resources.filter((r) => wildcardResource(r) && identityResources.has(r));
  if (wideActions.length > 0) out.push(`IAM allows wildcard actions ${list(wideActions)}`);
  if (wideResources.length > 0) out.push(`IAM allows actions on every resource (${list(wideResources)})`);
  if (principals.includes("*")) out.push("IAM trusts or allows any principal (`*`)");
  if (negated.length > 0) out.push(`IAM allows everything except ${list(negated)} (NotAction/NotResource)`);
  if (!created) {
    const narrow = (xs: string[], wide: string[]) => xs.filter((x) => !wide.includes(x));
    const moreActions = narrow(actions, wideActions);
    const moreResources = narrow(resources, wideResources);
    const morePrincipals = principals.filter((p) => p !== "*");
    if (moreActions.length > 0) out.push(`IAM actions broadened: ${list(moreActions)}`);
    if (moreResources.length > 0) out.push(`IAM resources broadened: ${list(moreResources)}`);
    if (morePrincipals.length > 0) out.push(`IAM principals added: ${list(morePrincipals)}`);
  }
  return out;
}

// ---------- Security groups ----------

const WORLD = new Set(["0.0.0.0/0", "::/0"]);

/** Ingress sources of a security group or rule: CIDRs, prefix lists and referenced groups. */
function ingressSources(type: string, attrs: JsonObject | undefined): string[] {
  if (!attrs) return [];
  const of = (r: JsonObject) => [
    ...strings(r.cidr_blocks),
    ...strings(r.ipv6_cidr_blocks),
    ...strings(r.cidr_ipv4),
    ...strings(r.cidr_ipv6),
    ...strings(r.prefix_list_ids),
    ...strings(r.security_groups),
    ...strings(r.source_security_group_id),
    ...strings(r.referenced_security_group_id),
    ...(r.self === true ? ["self"] : []),
  ];
  const ports = (r: JsonObject) =>
    r.from_port === undefined
      ? ""
      : ` port ${r.from_port === r.to_port ? r.from_port : `${r.from_port}-${r.to_port}`}`;
  if (type === "aws_vpc_security_group_ingress_rule") return of(attrs).map((s) => `${s}${ports(attrs)}`);
  if (type === "aws_security_group_rule")
    return attrs.type === "ingress" ? of(attrs).map((s) => `${s}${ports(attrs)}`) : [];
  if (type === "aws_security_group")
    return asList(attrs.ingress).flatMap((r) => (isObject(r) ? of(r).map((s) => `${s}${ports(r)}`) : []));
  return [];
}

/** IPv4 CIDR `outer` contains `inner` (same port text); other sources compare as text. */
function sourceCovers(outer: string, inner: string): boolean {
  if (outer === inner) return true;
  const [o, oPort = ""] = outer.split(/ (.*)/s);
  const [i, iPort = ""] = inner.split(/ (.*)/s);
  if (oPort !== iPort) return false;
  const parse = (c: string) => {
    const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(c);
    if (!m) return undefined;
    return { ip: ((+m[1] << 24) | (+m[2] << 16) | (+m[3] << 8) | +m[4]) >>> 0, bits: +m[5] };
  };
  const a = parse(o);
  const b = parse(i);
  if (!a || !b || b.bits < a.bits) return false;
  const mask = a.bits === 0 ? 0 : (~0 << (32 - a.bits)) >>> 0;
  return (a.ip & mask) >>> 0 === (b.ip & mask) >>> 0;
}

function securityGroup(type: string, before: JsonObject | undefined, after: JsonObject): string[] {
  const old = ingressSources(type, before);
  const added = ingressSources(type, after).filter((s) => !old.some((o) => sourceCovers(o, s)));
  const world = added.filter((s) => WORLD.has(s.split(" ")[0]));
  const out: string[] = [];
  if (world.length > 0) out.push(`security group ingress opened to the internet: ${list(world)}`);
  const other = added.filter((s) => !world.includes(s));
  if (before && other.length > 0) out.push(`security group ingress opened to ${list(other)}`);
  return out;
}

// ---------- NetworkPolicies ----------

function networkPolicySpec(c: RawChange, attrs: JsonObject | undefined): JsonObject | undefined {
  if (!attrs) return undefined;
  if (c.type === "kubernetes_network_policy_v1" || c.type === "kubernetes_network_policy") {
    const spec = asList(attrs.spec)[0];
    return isObject(spec) ? spec : undefined;
  }
  if (
    c.type === "kubernetes_manifest" &&
    isObject(attrs.manifest) &&
    attrs.manifest.kind === "NetworkPolicy"
  ) {
    return isObject(attrs.manifest.spec) ? attrs.manifest.spec : undefined;
  }
  return undefined;
}

const rules = (spec: JsonObject | undefined) => asList(spec?.ingress).map((r) => JSON.stringify(r));
const policyTypes = (spec: JsonObject | undefined) => strings(spec?.policy_types ?? spec?.policyTypes);

/** An ingress rule that admits every source: no `from`, or an ipBlock of the whole internet. */
function admitsAll(rule: Json): boolean {
  if (!isObject(rule)) return false;
  const from = asList(rule.from);
  if (from.length === 0) return true;
  return from.some((f) => {
    if (!isObject(f)) return false;
    const block = asList(f.ip_block ?? f.ipBlock)[0];
    return isObject(block) && WORLD.has(String(block.cidr));
  });
}

function networkPolicy(c: RawChange, before: JsonObject | undefined, after: JsonObject): string[] {
  const specAfter = networkPolicySpec(c, after);
  if (!specAfter) return [];
  const specBefore = networkPolicySpec(c, before);
  const old = new Set(rules(specBefore));
  const added = asList(specAfter.ingress).filter((r) => !old.has(JSON.stringify(r)));
  const out: string[] = [];
  if (added.some(admitsAll)) out.push("NetworkPolicy admits ingress from any source");
  // A rule added where one already admitted every source opens nothing.
  else if (before && added.length > 0 && !asList(specBefore?.ingress).some(admitsAll))
    out.push(`NetworkPolicy ingress opened (${added.length} rule(s) added or widened)`);
  if (
    specBefore &&
    policyTypes(specBefore).includes("Ingress") &&
    !policyTypes(specAfter).includes("Ingress")
  )
    out.push("NetworkPolicy no longer restricts ingress (policy type Ingress removed)");
  return out;
}

// ---------- Public endpoints ----------

/** Leaves that make something reachable from outside, by path and value. */
const PUBLIC: readonly {
  readonly path: RegExp;
  readonly value: (v: Json) => boolean;
  readonly what: string;
}[] = [
  { path: /(^|\.)endpoint_public_access$/, value: (v) => v === true, what: "public API endpoint on" },
  {
    path: /(^|\.)public_access_cidrs$/,
    value: (v) => WORLD.has(String(v)),
    what: "public endpoint open to the internet",
  },
  { path: /(^|\.)publicly_accessible$/, value: (v) => v === true, what: "publicly accessible" },
  { path: /^internal$/, value: (v) => v === false, what: "internet-facing load balancer" },
  {
    path: /(^|\.)(scheme|aws-load-balancer-scheme)$/,
    value: (v) => v === "internet-facing",
    what: "internet-facing load balancer",
  },
  { path: /(^|\.)type$/, value: (v) => v === "LoadBalancer", what: "Service of type LoadBalancer" },
  { path: /(^|\.)map_public_ip_on_launch$/, value: (v) => v === true, what: "public IPs on launch" },
  { path: /(^|\.)associate_public_ip_address$/, value: (v) => v === true, what: "public IP address" },
  {
    path: /^(block_public_acls|block_public_policy|ignore_public_acls|restrict_public_buckets)$/,
    value: (v) => v === false,
    what: "S3 public access block lifted",
  },
];

function publicEndpoint(c: RawChange, before: JsonObject | undefined, after: JsonObject): string[] {
  const found = new Set<string>();
  // Annotations' keys hold dots and slashes; the value and the key's tail are what matter.
  const had = new Set(leaves(before).map((l) => `${schemaPath(l.path)}=${JSON.stringify(l.value)}`));
  for (const l of leaves(after)) {
    const p = schemaPath(l.path);
    const key = String(l.path[l.path.length - 1]);
    for (const rule of PUBLIC) {
      if (!(rule.path.test(p) || rule.path.test(key)) || !rule.value(l.value)) continue;
      if (had.has(`${p}=${JSON.stringify(l.value)}`)) continue;
      if (rule.what === "Service of type LoadBalancer" && !/(^|\.)spec\.type$/.test(p)) continue;
      if (rule.what === "S3 public access block lifted" && c.type !== "aws_s3_bucket_public_access_block")
        continue;
      if (
        rule.what === "internet-facing load balancer" &&
        key === "internal" &&
        !/^aws_(lb|alb|elb)$/.test(c.type)
      )
        continue;
      found.add(`${rule.what} (\`${formatPath(l.path)}\`)`);
    }
  }
  return [...found].sort();
}

// ---------- Encryption, deletion protection ----------

const truthy = (v: Json | undefined) =>
  v !== undefined && v !== null && v !== false && v !== "" && v !== "DISABLED";

/** Leaves whose weakening turns encryption or a protection off. */
function protectionOff(c: RawChange): string[] {
  const out = new Set<string>();
  for (const l of c.leaves) {
    const p = schemaPath(l.path);
    const at = `\`${formatPath(l.path)}\`: ${JSON.stringify(l.before ?? null)} → ${JSON.stringify(l.after ?? null)}`;
    if (
      /(^|\.|_)(encrypt|encrypted|encryption|sse|kms_key|kms_master_key_id|sse_algorithm|storage_encrypted|enable_key_rotation)/.test(
        p,
      )
    ) {
      if (truthy(l.before) && (l.after === undefined || l.after === false || l.after === null))
        out.add(`encryption turned off or removed (${at})`);
    }
    if (/(^|\.)client_broker$/.test(p) && l.before === "TLS" && l.after !== "TLS")
      out.add(`Kafka client traffic may be unencrypted (${at})`);
    if (/(^|\.)in_cluster$/.test(p) && l.before === true && l.after !== true)
      out.add(`Kafka in-cluster encryption off (${at})`);
    if (/(^|\.)deletion_protection$/.test(p) && l.before === true && l.after !== true)
      out.add(`deletion protection off (${at})`);
    if (/^lifecycle\.prevent_destroy$/.test(p) && l.before === true && l.after !== true)
      out.add(`prevent_destroy removed (${at})`);
    if (/(^|\.)force_destroy$/.test(p) && l.after === true && l.before !== true)
      out.add(`force_destroy on: a destroy empties it (${at})`);
    if (/(^|\.)skip_final_snapshot$/.test(p) && l.after === true && l.before !== true)
      out.add(`no final snapshot on destroy (${at})`);
  }
  return [...out].sort();
}

/** Resources whose removal turns protection off: encryption configurations and public access blocks. */
function removedProtection(c: RawChange): Flag[] {
  const what: Record<string, string> = {
    aws_s3_bucket_server_side_encryption_configuration: "bucket encryption configuration removed",
    aws_s3_bucket_public_access_block: "bucket public access block removed",
    aws_s3_bucket_policy: "bucket policy removed (TLS-only and other denies go with it)",
  };
  // Removing a policy that allows something narrows access; removing one that only denies (no ingress rules,
  // e.g. a namespace's default deny) lets in what it kept out.
  const spec = networkPolicySpec(c, c.before?.attrs);
  if (spec && policyTypes(spec).includes("Ingress") && asList(spec.ingress).length === 0)
    return [
      {
        kind: "security",
        level: "risk",
        message: "deny-all NetworkPolicy removed: its pods take ingress again",
      },
    ];
  const message = what[c.type];
  return message ? [{ kind: "security", level: "risk", message }] : [];
}

// ---------- Pod Security Standards ----------

const PSS_RANK: Record<string, number> = { privileged: 0, baseline: 1, restricted: 2 };
const PSS_LABEL = "pod-security.kubernetes.io/enforce";

function pssLevel(type: string, attrs: JsonObject | undefined): string | undefined {
  if (!attrs) return undefined;
  const metadata =
    type === "kubernetes_manifest" && isObject(attrs.manifest) && attrs.manifest.kind === "Namespace"
      ? attrs.manifest.metadata
      : type.startsWith("kubernetes_namespace")
        ? asList(attrs.metadata)[0]
        : undefined;
  if (!isObject(metadata) || !isObject(metadata.labels)) return undefined;
  const level = metadata.labels[PSS_LABEL];
  return typeof level === "string" ? level : undefined;
}

function pssLowered(type: string, before: JsonObject | undefined, after: JsonObject): string[] {
  const was = pssLevel(type, before);
  if (!before || was === undefined) return [];
  const now = pssLevel(type, after);
  if (now === undefined) return [`Pod Security enforcement removed (was ${was})`];
  return (PSS_RANK[now] ?? 0) < (PSS_RANK[was] ?? 0) ? [`Pod Security level lowered: ${was} → ${now}`] : [];
}
