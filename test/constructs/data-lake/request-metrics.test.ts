import { describe, expect, it } from "vitest";
import { DataLake, type DataLakeProps } from "../../../constructs/data-lake/data-lake";
import { dataOf, resourcesOf, type SynthJson, synthStack } from "../../support/synth";

const synthLake = (props: Partial<DataLakeProps> = {}): SynthJson =>
  synthStack((stack) => {
    new DataLake(stack, "Lake", { namePrefix: "mlp", ...props });
  });

type Statement = {
  sid?: string;
  actions: string[];
  principals?: { type: string; identifiers: string[] }[];
  condition?: { test: string; variable: string; values: string[] }[];
};
const statementsOf = (json: SynthJson, prefix: string) =>
  Object.entries(dataOf(json, "aws_iam_policy_document")).find(([k]) => k.startsWith(prefix))?.[1]
    .statement as Statement[];
const refOf = (type: string, key: string, attr: string) => `\${${type}.${key}.${attr}}`;

describe("DataLake request metrics", () => {
  it("adds no metric, alarm, topic or CloudWatch key grant by default", () => {
    const json = synthLake();
    for (const type of ["aws_s3_bucket_metric", "aws_cloudwatch_metric_alarm", "aws_sns_topic"]) {
      expect(resourcesOf(json, type)).toEqual({});
    }
    expect(statementsOf(json, "Lake_Key_Policy").map((s) => s.sid)).toEqual(["AccountAdministration"]);
  });

  describe("enabled with a created topic", () => {
    const json = synthLake({ requestMetrics: { accessDeniedThreshold: 25 } });
    const buckets = resourcesOf(json, "aws_s3_bucket");
    const bucketKey = (zone: string) =>
      Object.keys(buckets).find((k) => k.startsWith(`Lake_${zone}Bucket`)) as string;
    const metrics = resourcesOf(json, "aws_s3_bucket_metric");
    const alarms = resourcesOf(json, "aws_cloudwatch_metric_alarm");
    const topicKey = Object.keys(resourcesOf(json, "aws_sns_topic"))[0];
    const topicArn = refOf("aws_sns_topic", topicKey, "arn");

    it("creates one whole-bucket metric and one alarm per zone bucket", () => {
      expect(Object.keys(metrics)).toHaveLength(4);
      expect(Object.keys(alarms)).toHaveLength(4);
      for (const zone of ["Raw", "Curated", "Features", "Models"]) {
        const bucket = refOf("aws_s3_bucket", bucketKey(zone), "bucket");
        const [metricKey, metric] = Object.entries(metrics).find(([k]) =>
          k.startsWith(`Lake_${zone}AccessDeniedAlarm_Metric`),
        ) as [string, Record<string, unknown>];
        expect(metric).toEqual({ bucket, name: "EntireBucket" });
        const alarm = Object.entries(alarms).find(([k]) =>
          k.startsWith(`Lake_${zone}AccessDeniedAlarm_`),
        )?.[1];
        expect(alarm).toMatchObject({
          alarm_name: `mlp-data-lake-${zone.toLowerCase()}-4xx-errors`,
          namespace: "AWS/S3",
          metric_name: "4xxErrors",
          dimensions: { BucketName: bucket, FilterId: refOf("aws_s3_bucket_metric", metricKey, "name") },
          statistic: "Sum",
          period: 300,
          evaluation_periods: 1,
          threshold: 25,
          comparison_operator: "GreaterThanOrEqualToThreshold",
          treat_missing_data: "notBreaching",
          alarm_actions: [topicArn],
        });
      }
    });

    it("encrypts the topic with the lake key and lets only this account's CloudWatch publish", () => {
      const keyKey = Object.keys(resourcesOf(json, "aws_kms_key"))[0];
      expect(resourcesOf(json, "aws_sns_topic")[topicKey]).toMatchObject({
        name: "mlp-data-lake-alarms",
        kms_master_key_id: refOf("aws_kms_key", keyKey, "arn"),
      });
      const policyKey = Object.keys(resourcesOf(json, "aws_sns_topic_policy"))[0];
      expect(resourcesOf(json, "aws_sns_topic_policy")[policyKey].arn).toBe(topicArn);
      const [publish] = statementsOf(json, "Lake_AlarmTopic_PolicyDocument");
      expect(publish).toMatchObject({
        actions: ["sns:Publish"],
        principals: [{ type: "Service", identifiers: ["cloudwatch.amazonaws.com"] }],
        condition: [{ test: "StringEquals", variable: "aws:SourceAccount" }],
      });
    });

    it("admits CloudWatch to the lake key, conditioned on this account", () => {
      const services = statementsOf(json, "Lake_Key_Policy").find((s) => s.sid === "AwsServices");
      expect(services?.principals).toEqual([{ type: "Service", identifiers: ["cloudwatch.amazonaws.com"] }]);
      expect(services?.actions).toEqual(expect.arrayContaining(["kms:Decrypt", "kms:GenerateDataKey*"]));
      expect(services?.condition?.[0].variable).toBe("aws:SourceAccount");
    });
  });

  it("uses a bring-your-own topic: no topic created, the lake key unchanged", () => {
    const arn = "arn:aws:sns:eu-west-1:123456789012:security-alarms";
    const json = synthLake({ requestMetrics: { alarmTopicArn: arn } });
    expect(resourcesOf(json, "aws_sns_topic")).toEqual({});
    const alarms = Object.values(resourcesOf(json, "aws_cloudwatch_metric_alarm"));
    expect(alarms).toHaveLength(4);
    for (const alarm of alarms) expect(alarm).toMatchObject({ alarm_actions: [arn], threshold: 10 });
    expect(statementsOf(json, "Lake_Key_Policy").map((s) => s.sid)).toEqual(["AccountAdministration"]);
  });

  it("fails when the threshold is below 1 or not a number", () => {
    for (const value of [0, 0.5, -3, Number.NaN]) {
      expect(() => synthLake({ requestMetrics: { accessDeniedThreshold: value } })).toThrow(
        `requestMetrics.accessDeniedThreshold ${value} is invalid: expected a number >= 1`,
      );
    }
  });

  it("fails when the topic ARN is not an SNS topic ARN", () => {
    for (const arn of [
      "my-topic",
      "arn:aws:sqs:eu-west-1:123456789012:queue-ish",
      "arn:aws:sns:eu-west-1:1:t",
    ]) {
      expect(() => synthLake({ requestMetrics: { alarmTopicArn: arn } })).toThrow(
        `requestMetrics.alarmTopicArn "${arn}" is not an SNS topic ARN`,
      );
    }
  });
});
