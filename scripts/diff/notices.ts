import type { RawChange } from "./compare";
import type { Flag, Json, JsonObject } from "./model";
import { at, formatPath, isObject, leaves, schemaPath } from "./values";

/** Version lines (charts, images, engines) and capacity (node pools, Karpenter limits, GPUs) of one change. */
export function noticeFlags(c: RawChange): Flag[] {
  return [...versions(c), ...capacity(c)];
}

const show = (v: Json | undefined) =>
  v === undefined ? "(none)" : typeof v === "string" ? v : JSON.stringify(v);
const isExpression = (v: Json | undefined) => typeof v === "string" && v.includes("${");

/** Keys that hold a version: chart `version`, `*_version`, `*Version`, image tags and references. */
const VERSION_KEY = /^(version|tag|image|digest|[a-z_]*_version|[a-zA-Z]*Version)$/;

function versions(c: RawChange): Flag[] {
  const out: Flag[] = [];
  const chart = (e: JsonObject | undefined) => (typeof e?.chart === "string" ? e.chart : undefined);
  if (c.type === "helm_release") {
    const name = chart(c.after?.attrs) ?? chart(c.before?.attrs) ?? c.address;
    const b = c.action === "create" ? undefined : c.before?.attrs.version;
    const a = c.action === "delete" ? undefined : c.after?.attrs.version;
    if (c.action === "create") out.push(flag("version", `chart ${name} ${show(a)} installed`));
    else if (c.action === "delete") out.push(flag("version", `chart ${name} ${show(b)} uninstalled`));
    else if (b !== a) out.push(flag("version", `chart ${name}: ${show(b)} → ${show(a)}`));
  }
  if (c.action === "create" || c.action === "delete") return out;
  for (const l of c.leaves) {
    const key = l.path[l.path.length - 1];
    if (typeof key !== "string" || !VERSION_KEY.test(key)) continue;
    if (c.type === "helm_release" && l.path.length === 1) continue; // the chart line above
    if (isExpression(l.before) || isExpression(l.after)) continue;
    if (isObject(l.before) || isObject(l.after)) continue;
    const label = key === "image" || key === "tag" || key === "digest" ? "image" : "version";
    out.push(flag("version", `${label} \`${formatPath(l.path)}\`: ${show(l.before)} → ${show(l.after)}`));
  }
  return out;
}

/** Capacity leaves: managed node group sizes and instance types, Karpenter limits and requirements, GPUs. */
const CAPACITY =
  /^(scaling_config\.(min_size|max_size|desired_size)|instance_types|manifest\.spec\.limits\..+|manifest\.spec\.template\.spec\.requirements\..*)$/;

function isNodePool(c: RawChange): boolean {
  if (c.type === "aws_eks_node_group") return true;
  const m = (c.after ?? c.before)?.attrs.manifest;
  return (
    c.type === "kubernetes_manifest" && isObject(m) && (m.kind === "NodePool" || m.kind === "EC2NodeClass")
  );
}

function capacity(c: RawChange): Flag[] {
  const out: Flag[] = [];
  const gpu = (v: JsonObject | undefined) =>
    leaves(v).some(
      (l) => /gpu|nvidia/i.test(formatPath(l.path)) || /^(g|p)\d+[a-z]*\./.test(String(l.value)),
    );
  if (isNodePool(c)) {
    const m = (c.after ?? c.before)?.attrs.manifest;
    const kind =
      c.type === "aws_eks_node_group" ? "node group" : `Karpenter ${isObject(m) ? m.kind : "NodePool"}`;
    const gpuNote = gpu(c.after?.attrs ?? c.before?.attrs) ? " (GPU)" : "";
    if (c.action === "create") out.push(flag("capacity", `${kind} added${gpuNote}${limits(c.after?.attrs)}`));
    else if (c.action === "delete") out.push(flag("capacity", `${kind} removed${gpuNote}`));
    else
      for (const l of c.leaves) {
        const p = schemaPath(l.path);
        if (!CAPACITY.test(p)) continue;
        // Requirements are a list of {key, operator, values}: name the requirement by its key.
        const i = l.path.indexOf("requirements");
        const req = i >= 0 ? at(c.after?.attrs ?? c.before?.attrs, l.path.slice(0, i + 2)) : undefined;
        const label =
          isObject(req) && typeof req.key === "string"
            ? `requirement ${req.key}`
            : `\`${formatPath(l.path)}\``;
        out.push(flag("capacity", `${kind}${gpuNote} ${label}: ${show(l.before)} → ${show(l.after)}`));
      }
  }
  // GPU requests and limits of workloads, wherever they are.
  if (c.action === "update" || c.action === "move")
    for (const l of c.leaves) {
      if (isNodePool(c)) break;
      if (/nvidia\.com\/gpu/.test(formatPath(l.path)))
        out.push(flag("capacity", `GPU \`${formatPath(l.path)}\`: ${show(l.before)} → ${show(l.after)}`));
    }
  return out;
}

function limits(attrs: JsonObject | undefined): string {
  const l = at(attrs ?? null, ["manifest", "spec", "limits"]);
  if (isObject(l)) return `, limits ${JSON.stringify(l)}`;
  const s = attrs?.scaling_config;
  const sc = Array.isArray(s) ? s[0] : s;
  return isObject(sc) ? `, ${sc.min_size}–${sc.max_size} nodes` : "";
}

const flag = (kind: Flag["kind"], message: string): Flag => ({ kind, level: "notice", message });
