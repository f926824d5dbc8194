import type { PolicyRule } from "../types";
import { block, toNumber } from "../values";

export const ec2Imdsv2: PolicyRule = {
  id: "MLOPS-EC2-001",
  severity: "error",
  message: "Instances do not require IMDSv2 with a hop limit of at most 2",
  explanation:
    "IMDSv1 answers any request, so an SSRF in a pod can steal the node role's credentials; a hop limit above 2 " +
    'lets containers behind extra network hops reach it. Set metadata_options { http_tokens = "required", ' +
    "http_put_response_hop_limit = 1 (or 2 for pods that need IMDS) }.",
  appliesTo: ["aws_launch_template", "aws_instance"],
  check(view) {
    const m = block(view.config.metadata_options);
    if (m?.http_endpoint === "disabled") return [];
    const out = [];
    if (m?.http_tokens !== "required")
      out.push({
        detail: `metadata_options.http_tokens is ${JSON.stringify(m?.http_tokens ?? null)}, expected "required"`,
      });
    const hops = toNumber(m?.http_put_response_hop_limit);
    if (hops !== undefined && hops > 2)
      out.push({ detail: `metadata_options.http_put_response_hop_limit is ${hops}, expected at most 2` });
    return out;
  },
};
