import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import type { Construct } from "constructs";
import { describe, expect, it } from "vitest";
import { iamWorkloadTrust } from "../../../../constructs/policy";
import { check } from "../harness";

const ISSUER = "oidc.eks.eu-west-1.amazonaws.com/id/ABC";
const PROVIDER = `arn:aws:iam::123456789012:oidc-provider/${ISSUER}`;

function irsaRole(
  s: Construct,
  id: string,
  conditions: { test: string; variable: string; values: string[] }[],
) {
  const doc = new DataAwsIamPolicyDocument(s, `${id}Trust`, {
    statement: [
      {
        actions: ["sts:AssumeRoleWithWebIdentity"],
        principals: [{ type: "Federated", identifiers: [PROVIDER] }],
        condition: conditions,
      },
    ],
  });
  new IamRole(s, id, { assumeRolePolicy: doc.json });
}

function podIdentityRole(s: Construct, id: string, sourceAccount: boolean) {
  const doc = new DataAwsIamPolicyDocument(s, `${id}Trust`, {
    statement: [
      {
        actions: ["sts:AssumeRole", "sts:TagSession"],
        principals: [{ type: "Service", identifiers: ["pods.eks.amazonaws.com"] }],
        condition: sourceAccount
          ? [{ test: "StringEquals", variable: "aws:SourceAccount", values: ["123456789012"] }]
          : [],
      },
    ],
  });
  new IamRole(s, id, { assumeRolePolicy: doc.json });
}

const aud = { test: "StringEquals", variable: `${ISSUER}:aud`, values: ["sts.amazonaws.com"] };

describe("MLOPS-IAM-002 workload trust policies", () => {
  it("flags IRSA trust with a wildcard subject, StringLike, no audience, no subject; Pod Identity without SourceAccount", () => {
    const findings = check(iamWorkloadTrust, (s) => {
      irsaRole(s, "Wildcard", [
        { test: "StringEquals", variable: `${ISSUER}:sub`, values: ["system:serviceaccount:ml:*"] },
        aud,
      ]);
      irsaRole(s, "Like", [
        { test: "StringLike", variable: `${ISSUER}:sub`, values: ["system:serviceaccount:ml:trainer"] },
        aud,
      ]);
      irsaRole(s, "NoAud", [
        { test: "StringEquals", variable: `${ISSUER}:sub`, values: ["system:serviceaccount:ml:trainer"] },
      ]);
      irsaRole(s, "NoSub", [aud]);
      podIdentityRole(s, "AnyAccount", false);
    });
    const byRole = Object.fromEntries(findings.map((f) => [f.path, f.detail]));
    expect(Object.keys(byRole).sort()).toEqual([
      "test/AnyAccount",
      "test/Like",
      "test/NoAud",
      "test/NoSub",
      "test/Wildcard",
    ]);
    expect(byRole["test/Wildcard"]).toContain("has a wildcard");
    expect(byRole["test/Like"]).toContain("found StringLike");
    expect(byRole["test/NoAud"]).toContain("aud = sts.amazonaws.com");
    expect(byRole["test/AnyAccount"]).toContain("without StringEquals aws:SourceAccount");
  });

  it("accepts an IRSA role for one service account and a Pod Identity role scoped to the account", () => {
    const findings = check(iamWorkloadTrust, (s) => {
      irsaRole(s, "Exact", [
        { test: "StringEquals", variable: `${ISSUER}:sub`, values: ["system:serviceaccount:ml:trainer"] },
        aud,
      ]);
      podIdentityRole(s, "Scoped", true);
    });
    expect(findings).toEqual([]);
  });
});
