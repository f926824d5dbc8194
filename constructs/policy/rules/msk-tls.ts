import type { PolicyRule } from "../types";
import { isFalse, path } from "../values";

export const mskTls: PolicyRule = {
  id: "MLOPS-MSK-001",
  severity: "error",
  message: "MSK does not require TLS in transit",
  explanation:
    "Plaintext Kafka traffic exposes records and SASL credentials on the network. Set encryption_info." +
    'encryption_in_transit { client_broker = "TLS", in_cluster = true } (both are the defaults; do not weaken them).',
  appliesTo: ["aws_msk_cluster"],
  check(msk) {
    const t = path(msk.config, "encryption_info", "encryption_in_transit");
    const out = [];
    const cb = path(t, "client_broker");
    if (cb !== undefined && cb !== "TLS")
      out.push({ detail: `client_broker is ${JSON.stringify(cb)}, expected "TLS"` });
    if (isFalse(path(t, "in_cluster"))) out.push({ detail: "in_cluster is false" });
    return out;
  },
};
