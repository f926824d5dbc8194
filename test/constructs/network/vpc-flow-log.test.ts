import { describe, expect, it } from "vitest";
import { VpcFlowLog } from "../../../constructs/network/vpc-flow-log";
import { expectDependsOn } from "../../support/depends-on";
import { dataOf, onlyResource, resourcesOf, synthStack } from "../../support/synth";

type Statement = {
  actions: string[];
  resources?: string[];
  condition?: { test: string; variable: string }[];
};

describe("VpcFlowLog", () => {
  const json = synthStack((stack) => {
    new VpcFlowLog(stack, "FlowLog", { vpcId: "vpc-0abc", name: "ml" });
  });
  const logGroupKey = Object.keys(resourcesOf(json, "aws_cloudwatch_log_group"))[0];
  const keyKey = Object.keys(resourcesOf(json, "aws_kms_key"))[0];
  const policies = dataOf(json, "aws_iam_policy_document");
  const policy = (suffix: string) =>
    Object.entries(policies).find(([k]) => k.startsWith(`FlowLog_${suffix}`))?.[1].statement as Statement[];

  it("creates aws_flow_log after the role's aws_iam_role_policy (delivery permissions)", () => {
    expectDependsOn(
      json,
      { type: "aws_flow_log" },
      { type: "aws_iam_role_policy", id: /^FlowLog_RolePolicy_/ },
    );
  });

  it("logs ALL traffic of the VPC to the log group through the role", () => {
    const flowLog = onlyResource(json, "aws_flow_log");
    const roleKey = Object.keys(resourcesOf(json, "aws_iam_role"))[0];
    expect(flowLog).toMatchObject({
      vpc_id: "vpc-0abc",
      traffic_type: "ALL",
      log_destination_type: "cloud-watch-logs",
      log_destination: `\${aws_cloudwatch_log_group.${logGroupKey}.arn}`,
      iam_role_arn: `\${aws_iam_role.${roleKey}.arn}`,
    });
  });

  it("encrypts the log group with a created CloudWatch-enabled key and keeps it 365 days", () => {
    expect(onlyResource(json, "aws_cloudwatch_log_group")).toMatchObject({
      name: "/aws/vpc-flow-logs/ml",
      retention_in_days: 365,
      kms_key_id: `\${aws_kms_key.${keyKey}.arn}`,
    });
    const keyPolicy = policy("Key_Policy");
    expect(keyPolicy.map((s) => (s as { sid?: string }).sid)).toContain("CloudWatchLogs");
  });

  it("names the role per region because IAM names are global", () => {
    const region = Object.keys(dataOf(json, "aws_region"))[0];
    expect(onlyResource(json, "aws_iam_role").name).toBe(
      `ml-vpc-flow-logs-\${data.aws_region.${region}.region}`,
    );
  });

  it("trusts only vpc-flow-logs of this account and scopes delivery to the log group", () => {
    const [trust] = policy("TrustPolicy") as (Statement & { principals: { identifiers: string[] }[] })[];
    expect(trust.principals[0].identifiers).toEqual(["vpc-flow-logs.amazonaws.com"]);
    expect(trust.condition?.map((c) => `${c.test}:${c.variable}`)).toEqual([
      "StringEquals:aws:SourceAccount",
      "ArnLike:aws:SourceArn",
    ]);
    const delivery = policy("DeliveryPolicy");
    const write = delivery.find((s) => s.actions.includes("logs:PutLogEvents"));
    expect(write?.resources).toEqual([
      `\${aws_cloudwatch_log_group.${logGroupKey}.arn}`,
      `\${aws_cloudwatch_log_group.${logGroupKey}.arn}:*`,
    ]);
    for (const statement of delivery) expect(statement.resources).not.toContain("*");
  });

  it("uses a bring-your-own key and custom retention without creating a key", () => {
    const byo = synthStack((stack) => {
      new VpcFlowLog(stack, "FlowLog", {
        vpcId: "vpc-0abc",
        name: "ml",
        retentionInDays: 30,
        kmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/abc",
      });
    });
    expect(Object.keys(resourcesOf(byo, "aws_kms_key"))).toHaveLength(0);
    expect(onlyResource(byo, "aws_cloudwatch_log_group")).toMatchObject({
      retention_in_days: 30,
      kms_key_id: "arn:aws:kms:eu-west-1:123456789012:key/abc",
    });
  });

  it("fails when the retention is not a CloudWatch Logs value", () => {
    expect(() =>
      synthStack((stack) => {
        new VpcFlowLog(stack, "FlowLog", { vpcId: "vpc-0abc", name: "ml", retentionInDays: 42 });
      }),
    ).toThrow(/flowLogRetentionInDays 42 is not a CloudWatch Logs retention/);
  });
});
