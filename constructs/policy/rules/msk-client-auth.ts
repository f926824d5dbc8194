import type { PolicyRule } from "../types";
import { block, isTrue, path, strings } from "../values";

export const mskClientAuth: PolicyRule = {
  id: "MLOPS-MSK-003",
  severity: "error",
  message: "MSK admits unauthenticated clients",
  explanation:
    "Without client authentication anyone who reaches the brokers can read and write every topic. Enable " +
    "client_authentication.sasl.iam = true (IAM access control, preferred) or client_authentication.tls with a " +
    "private CA, and leave unauthenticated false.",
  appliesTo: ["aws_msk_cluster"],
  check(msk) {
    const auth = block(msk.config.client_authentication);
    const out = [];
    const iam = isTrue(path(auth, "sasl", "iam"));
    const tls = strings(path(auth, "tls", "certificate_authority_arns")).length > 0;
    if (!iam && !tls)
      out.push({ detail: "neither client_authentication.sasl.iam nor client_authentication.tls is set" });
    if (isTrue(auth?.unauthenticated)) out.push({ detail: "client_authentication.unauthenticated is true" });
    return out;
  },
};
