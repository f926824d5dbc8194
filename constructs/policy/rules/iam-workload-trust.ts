import { policyDocument, type Statement } from "../iam-documents";
import type { PolicyRule, Violation } from "../types";

const SUBJECT = /^system:serviceaccount:[a-z0-9]([-a-z0-9]*[a-z0-9])?:[a-z0-9]([-.a-z0-9]*[a-z0-9])?$/;

function webIdentity(s: Statement, name: string): Violation[] {
  const out: Violation[] = [];
  const sub = s.conditions.filter((c) => c.variable.endsWith(":sub"));
  const aud = s.conditions.filter((c) => c.variable.endsWith(":aud"));
  const exactSub = sub.filter((c) => c.test === "StringEquals");
  if (exactSub.length === 0)
    out.push({
      detail: `${name}: no StringEquals condition on <issuer>:sub (${sub.length > 0 ? `found ${sub.map((c) => c.test).join(", ")}` : "any service account of the cluster can assume it"})`,
    });
  for (const c of exactSub) {
    if (c.values.length !== 1)
      out.push({ detail: `${name}: ${c.variable} lists ${c.values.length} subjects, expected one` });
    for (const v of c.values) {
      if (/[*?]/.test(v))
        out.push({ detail: `${name}: ${c.variable} value ${JSON.stringify(v)} has a wildcard` });
      else if (v.startsWith("system:serviceaccount:") && !SUBJECT.test(v))
        out.push({ detail: `${name}: ${JSON.stringify(v)} is not system:serviceaccount:<namespace>:<name>` });
    }
  }
  if (
    !aud.some(
      (c) => c.test === "StringEquals" && c.values.length === 1 && c.values[0] === "sts.amazonaws.com",
    )
  )
    out.push({ detail: `${name}: no StringEquals <issuer>:aud = sts.amazonaws.com` });
  return out;
}

function podIdentity(s: Statement, name: string): Violation[] {
  const ok = s.conditions.some(
    (c) =>
      c.variable === "aws:SourceAccount" &&
      c.test === "StringEquals" &&
      c.values.length > 0 &&
      !c.values.some((v) => /[*?]/.test(v)),
  );
  return ok
    ? []
    : [{ detail: `${name}: trusts pods.eks.amazonaws.com without StringEquals aws:SourceAccount` }];
}

export const iamWorkloadTrust: PolicyRule = {
  id: "MLOPS-IAM-002",
  severity: "error",
  message: "Workload role trust policy is not scoped to one service account",
  explanation:
    "An IRSA role that trusts the cluster's OIDC provider without an exact subject can be assumed by any pod of " +
    "any namespace. IRSA: StringEquals <issuer>:sub = system:serviceaccount:<namespace>:<name> (one value, no " +
    "wildcard) and StringEquals <issuer>:aud = sts.amazonaws.com. EKS Pod Identity (pods.eks.amazonaws.com): " +
    "StringEquals aws:SourceAccount = the account (the pod identity association binds namespace and service " +
    "account; the kit also matches the session tags). A trust policy that cannot be read at synthesis is a warning.",
  appliesTo: ["aws_iam_role"],
  check(role, ctx) {
    const doc = policyDocument(role, role.config.assume_role_policy, ctx.index);
    if (!doc) {
      return [
        { detail: "assume_role_policy is not a policy document the pack can read", severity: "warning" },
      ];
    }
    const out: Violation[] = [];
    doc.statements.forEach((s, i) => {
      if (s.effect !== "Allow") return;
      const name = s.sid ? `statement ${JSON.stringify(s.sid)}` : `statement ${i + 1}`;
      if (s.actions.includes("sts:AssumeRoleWithWebIdentity") && (s.principals.Federated ?? []).length > 0)
        out.push(...webIdentity(s, name));
      if ((s.principals.Service ?? []).includes("pods.eks.amazonaws.com")) out.push(...podIdentity(s, name));
    });
    return out;
  },
};
