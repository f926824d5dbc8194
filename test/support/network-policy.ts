/**
 * A NetworkPolicy evaluator over synthesized `kubernetes_network_policy_v1` objects (the provider's snake_case
 * JSON), following the Kubernetes semantics the tests rely on: a pod is isolated for a direction as soon as one
 * policy of its namespace selects it for that direction; then a connection needs a rule of a selecting policy
 * admitting the peer and port. Both ends must admit a connection. ipBlock rules match addresses only (never
 * pods), as most CNIs treat pod-to-pod traffic.
 */

export interface PolicyJson {
  metadata: { name: string; namespace: string };
  spec: {
    pod_selector: { match_labels?: Record<string, string> };
    policy_types: string[];
    ingress?: RuleJson[];
    egress?: RuleJson[];
  };
}

interface PeerJson {
  namespace_selector?: { match_labels?: Record<string, string> };
  pod_selector?: { match_labels?: Record<string, string> };
  ip_block?: { cidr: string; except?: string[] };
}

interface RuleJson {
  from?: PeerJson[];
  to?: PeerJson[];
  ports?: { port?: string; protocol?: string }[];
}

/** A pod: its namespace (with the namespace's labels) and its own labels. */
export interface Pod {
  readonly namespace: string;
  readonly namespaceLabels?: Readonly<Record<string, string>>;
  readonly labels: Readonly<Record<string, string>>;
}

const matches = (
  selector: { match_labels?: Record<string, string> } | undefined,
  labels: Readonly<Record<string, string>>,
) => Object.entries(selector?.match_labels ?? {}).every(([k, v]) => labels[k] === v);

function namespaceLabels(pod: Pod): Record<string, string> {
  return { "kubernetes.io/metadata.name": pod.namespace, ...(pod.namespaceLabels ?? {}) };
}

/** Whether a rule's peer admits `peer` (a pod) seen from a policy in `policyNamespace`. */
function peerMatches(p: PeerJson, peer: Pod, policyNamespace: string): boolean {
  if (p.ip_block) return false;
  if (p.namespace_selector) {
    if (!matches(p.namespace_selector, namespaceLabels(peer))) return false;
  } else if (peer.namespace !== policyNamespace) return false;
  return p.pod_selector ? matches(p.pod_selector, peer.labels) : true;
}

function ruleAdmits(
  rule: RuleJson,
  peers: PeerJson[] | undefined,
  peer: Pod,
  port: number,
  ns: string,
): boolean {
  const portOk =
    !rule.ports ||
    rule.ports.length === 0 ||
    rule.ports.some((p) => p.port === undefined || p.port === String(port));
  const peerOk = !peers || peers.length === 0 || peers.some((p) => peerMatches(p, peer, ns));
  return portOk && peerOk;
}

function allowed(
  policies: readonly PolicyJson[],
  pod: Pod,
  peer: Pod,
  port: number,
  direction: "Ingress" | "Egress",
): boolean {
  const selecting = policies.filter(
    (p) =>
      p.metadata.namespace === pod.namespace &&
      p.spec.policy_types.includes(direction) &&
      matches(p.spec.pod_selector, pod.labels),
  );
  if (selecting.length === 0) return true;
  return selecting.some((p) =>
    (direction === "Ingress" ? (p.spec.ingress ?? []) : (p.spec.egress ?? [])).some((r) =>
      ruleAdmits(r, direction === "Ingress" ? r.from : r.to, peer, port, pod.namespace),
    ),
  );
}

/** Whether `from` can open a TCP connection to `to` on `port` under the policies. */
export function canConnect(policies: readonly PolicyJson[], from: Pod, to: Pod, port: number): boolean {
  return allowed(policies, from, to, port, "Egress") && allowed(policies, to, from, port, "Ingress");
}

/**
 * The policies with their namespace resolved: the team stacks reference their namespace resource
 * (`${kubernetes_namespace_v1.X.metadata[0].name}`), resolved here through the stack's namespaces.
 */
export function policiesOf(stack: {
  resource?: Record<string, Record<string, Record<string, unknown>>>;
}): PolicyJson[] {
  const namespaces = stack.resource?.kubernetes_namespace_v1 ?? {};
  const resolve = (ns: string) => {
    const m = /^\$\{kubernetes_namespace_v1\.([^.]+)\.metadata\[0\]\.name\}$/.exec(ns);
    return m ? (namespaces[m[1]] as { metadata: { name: string } }).metadata.name : ns;
  };
  return Object.values(stack.resource?.kubernetes_network_policy_v1 ?? {}).map((p) => {
    const policy = p as unknown as PolicyJson;
    return { ...policy, metadata: { ...policy.metadata, namespace: resolve(policy.metadata.namespace) } };
  });
}
