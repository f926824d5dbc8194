import type { PolicyRule } from "../types";
import { block, path, strings } from "../values";

export const eksSecretsEncryption: PolicyRule = {
  id: "MLOPS-EKS-002",
  severity: "error",
  message: "EKS secrets are not envelope-encrypted with a KMS key",
  explanation:
    "Envelope encryption keeps Kubernetes Secrets in etcd unreadable without the customer key. Set " +
    'encryption_config { resources = ["secrets"], provider { key_arn = <KMS key> } } on the cluster.',
  appliesTo: ["aws_eks_cluster"],
  check(cluster) {
    const enc = block(cluster.config.encryption_config);
    if (!enc) return [{ detail: "no encryption_config" }];
    const out = [];
    if (!strings(enc.resources).includes("secrets"))
      out.push({ detail: 'encryption_config.resources does not include "secrets"' });
    const key = path(enc, "provider", "key_arn");
    if (typeof key !== "string" || key.length === 0)
      out.push({ detail: "encryption_config.provider.key_arn is unset" });
    return out;
  },
};
