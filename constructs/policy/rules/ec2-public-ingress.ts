import type { ResourceView } from "../policy-index";
import { pathCovers } from "../suppressions";
import type { PolicyRule, RuleContext, Violation } from "../types";
import { ANYWHERE_CIDRS, blocks, strings, toNumber } from "../values";

interface Ingress {
  cidrs: string[];
  from?: number;
  to?: number;
  protocol: string;
}

function ingressOf(view: ResourceView): Ingress[] {
  const c = view.config;
  switch (view.type) {
    case "aws_security_group":
      return blocks(c.ingress).map((i) => ({
        cidrs: [...strings(i.cidr_blocks), ...strings(i.ipv6_cidr_blocks)],
        from: toNumber(i.from_port),
        to: toNumber(i.to_port),
        protocol: String(i.protocol ?? ""),
      }));
    case "aws_security_group_rule":
      if (c.type !== "ingress") return [];
      return [
        {
          cidrs: [...strings(c.cidr_blocks), ...strings(c.ipv6_cidr_blocks)],
          from: toNumber(c.from_port),
          to: toNumber(c.to_port),
          protocol: String(c.protocol ?? ""),
        },
      ];
    case "aws_vpc_security_group_ingress_rule":
      return [
        {
          cidrs: [...strings(c.cidr_ipv4), ...strings(c.cidr_ipv6)],
          from: toNumber(c.from_port),
          to: toNumber(c.to_port),
          protocol: String(c.ip_protocol ?? ""),
        },
      ];
    default:
      return [];
  }
}

function allowed(view: ResourceView, rule: Ingress, ctx: RuleContext): boolean {
  const all = rule.protocol === "-1" || rule.protocol === "all" || rule.from === undefined;
  if (all) return false;
  const group = ctx.index.target(view, view.config.security_group_id);
  const paths = [view.path, ...(group ? [group.path] : [])];
  return ctx.publicIngress.some((a) => {
    if (!paths.some((p) => pathCovers(a.path, p))) return false;
    for (let port = rule.from as number; port <= (rule.to ?? (rule.from as number)); port++)
      if (!a.ports.includes(port)) return false;
    return true;
  });
}

export const ec2PublicIngress: PolicyRule = {
  id: "MLOPS-EC2-002",
  severity: "error",
  message: "Security group admits ingress from anywhere (0.0.0.0/0 or ::/0)",
  explanation:
    "Ingress from the whole internet exposes whatever listens behind the group. Admit the VPC CIDR or other " +
    "security groups instead. Only a documented internet-facing load-balancer listener may be open: list its " +
    "security group and ports in the rule pack's publicIngress allow-list, with a reason.",
  appliesTo: ["aws_security_group", "aws_security_group_rule", "aws_vpc_security_group_ingress_rule"],
  check(view, ctx) {
    const out: Violation[] = [];
    for (const rule of ingressOf(view)) {
      const open = rule.cidrs.filter((c) => ANYWHERE_CIDRS.includes(c));
      if (open.length === 0 || allowed(view, rule, ctx)) continue;
      const ports = rule.from === undefined ? "all ports" : `ports ${rule.from}-${rule.to ?? rule.from}`;
      out.push({ detail: `ingress from ${open.join(", ")} on ${ports} (protocol ${rule.protocol || "?"})` });
    }
    return out;
  },
};
