import type { PolicyRule } from "../types";
import { ANYWHERE_CIDRS, block, isFalse, isTrue, strings } from "../values";

export const eksEndpoint: PolicyRule = {
  id: "MLOPS-EKS-001",
  severity: "error",
  message: "EKS API endpoint is reachable from the internet without an allow-list",
  explanation:
    "A public API endpoint open to 0.0.0.0/0 exposes the control plane to credential stuffing and API exploits. " +
    "Keep endpoint_private_access true and endpoint_public_access false, or list the few CIDRs that need it in " +
    "public_access_cidrs (never 0.0.0.0/0 or ::/0). Note: EKS makes the endpoint public when the flag is unset.",
  appliesTo: ["aws_eks_cluster"],
  check(cluster) {
    const vpc = block(cluster.config.vpc_config) ?? {};
    const out = [];
    if (!isTrue(vpc.endpoint_private_access))
      out.push({
        detail: "vpc_config.endpoint_private_access is not true (nodes reach the API over the internet)",
      });
    if (!isFalse(vpc.endpoint_public_access)) {
      const cidrs = strings(vpc.public_access_cidrs);
      if (cidrs.length === 0)
        out.push({
          detail: "the endpoint is public and public_access_cidrs is unset (EKS defaults to 0.0.0.0/0)",
        });
      const open = cidrs.filter((c) => ANYWHERE_CIDRS.includes(c));
      if (open.length > 0) out.push({ detail: `public_access_cidrs contains ${open.join(", ")}` });
    }
    return out;
  },
};
