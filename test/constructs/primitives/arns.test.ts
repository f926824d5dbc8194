import { describe, expect, it } from "vitest";
import {
  ARN,
  acmCertificateArn,
  iamPrincipalArn,
  kmsKeyArn,
  secretsManagerSecretArn,
  snsTopicArn,
} from "../../../constructs/primitives";

describe("ARNs", () => {
  it("accepts each kind in every partition", () => {
    expect(iamPrincipalArn.safeParse("arn:aws:iam::123456789012:role/platform-admin").success).toBe(true);
    expect(iamPrincipalArn.safeParse("arn:aws-us-gov:iam::123456789012:user/path/alice").success).toBe(true);
    expect(kmsKeyArn.safeParse("arn:aws-cn:kms:cn-north-1:123456789012:alias/platform").success).toBe(true);
    expect(
      ARN.kmsKey.test("arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555"),
    ).toBe(true);
    expect(
      secretsManagerSecretArn.safeParse(
        "arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!db-1-AbCdEf",
      ).success,
    ).toBe(true);
    expect(
      acmCertificateArn.safeParse("arn:aws:acm:eu-west-1:123456789012:certificate/abc-123").success,
    ).toBe(true);
    expect(snsTopicArn.safeParse("arn:aws-us-gov:sns:us-gov-west-1:123456789012:alarms").success).toBe(true);
    expect(snsTopicArn.safeParse("arn:aws:sns:eu-west-1:123456789012:alarms.fifo").success).toBe(true);
  });

  it("fails when an admin principal is an STS session, not the role", () => {
    const r = iamPrincipalArn.safeParse("arn:aws:sts::123456789012:assumed-role/Admin/alice");
    expect(r.success).toBe(false);
    expect(r.error?.issues[0].message).toMatch(/not an STS session/);
  });

  it("fails when a KMS alias is given where a key is needed", () => {
    expect(ARN.kmsKey.test("arn:aws:kms:eu-west-1:123456789012:alias/platform")).toBe(false);
  });

  it("fails when an ARN names another service", () => {
    expect(secretsManagerSecretArn.safeParse("arn:aws:ssm:eu-west-1:123456789012:parameter/x").success).toBe(
      false,
    );
    expect(acmCertificateArn.safeParse("arn:aws:iam::123456789012:server-certificate/x").success).toBe(false);
    expect(kmsKeyArn.safeParse("arn:aws:s3:::bucket").success).toBe(false);
    expect(snsTopicArn.safeParse("arn:aws:sqs:eu-west-1:123456789012:alarms").success).toBe(false);
    // A subscription ARN carries the topic plus a subscription id.
    expect(snsTopicArn.safeParse("arn:aws:sns:eu-west-1:123456789012:alarms:1a2b-3c").success).toBe(false);
  });
});
