import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { IamPolicy } from "@cdktf/provider-aws/lib/iam-policy";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { describe, expect, it } from "vitest";
import { iamNoAdmin } from "../../../../constructs/policy";
import { check, paths } from "../harness";

const trust = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
});

describe("MLOPS-IAM-001 no * on *", () => {
  it("flags * on * in a policy document, in literal policy JSON, in a role's inline policy, and NotAction on *", () => {
    const findings = check(iamNoAdmin, (s) => {
      new DataAwsIamPolicyDocument(s, "AdminDoc", {
        statement: [{ sid: "Everything", actions: ["*"], resources: ["*"] }],
      });
      new IamPolicy(s, "AdminJson", {
        policy: JSON.stringify({
          Version: "2012-10-17",
          Statement: { Effect: "Allow", Action: "*", Resource: "*" },
        }),
      });
      new IamRole(s, "InlineAdmin", {
        assumeRolePolicy: trust,
        inlinePolicy: [
          {
            name: "all",
            policy: JSON.stringify({
              Version: "2012-10-17",
              Statement: [{ Effect: "Allow", NotAction: "iam:*", Resource: "*" }],
            }),
          },
        ],
      });
    });
    expect(paths(findings)).toEqual(["test/AdminDoc", "test/AdminJson", "test/InlineAdmin"]);
    expect(findings.find((f) => f.path === "test/AdminDoc")?.detail).toBe(
      'statement "Everything" allows action "*" on resource "*"',
    );
  });

  it("accepts scoped statements, a Deny of *, and the account-root kms:* key policy", () => {
    const findings = check(iamNoAdmin, (s) => {
      new DataAwsIamPolicyDocument(s, "Scoped", {
        statement: [
          { actions: ["s3:GetObject"], resources: ["arn:aws:s3:::b/*"] },
          {
            effect: "Deny",
            actions: ["*"],
            resources: ["*"],
            condition: [{ test: "Bool", variable: "aws:SecureTransport", values: ["false"] }],
          },
        ],
      });
      new DataAwsIamPolicyDocument(s, "KeyPolicy", {
        statement: [
          {
            actions: ["kms:*"],
            resources: ["*"],
            principals: [{ type: "AWS", identifiers: ["arn:aws:iam::123456789012:root"] }],
          },
        ],
      });
    });
    expect(findings).toEqual([]);
  });
});
