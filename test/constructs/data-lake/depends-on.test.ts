/**
 * Orders Terraform cannot infer from references: a resource whose creation (or first use) needs a permission
 * that another resource grants. Without them S3 refused the lake's logging configurations in a deploy rehearsal
 * (InvalidTargetBucketForLogging: the access-log bucket's policy did not exist yet).
 */
import { describe, it } from "vitest";
import { DataLake, type DataLakeProps } from "../../../constructs/data-lake/data-lake";
import { expectDependsOn } from "../../support/depends-on";
import { synthStack } from "../../support/synth";

const synthLake = (props: Partial<DataLakeProps> = {}) =>
  synthStack((stack) => new DataLake(stack, "Lake", { namePrefix: "mlp", ...props }));

describe("DataLake: explicit dependencies", () => {
  it("aws_s3_bucket_logging of every zone after the access-log bucket's aws_s3_bucket_policy (logging.s3.amazonaws.com)", () => {
    expectDependsOn(
      synthLake(),
      { type: "aws_s3_bucket_logging" },
      { type: "aws_s3_bucket_policy", id: /^Lake_AccessLogBucket_Policy_/ },
    );
  });

  it("aws_lakeformation_resource after the registration role's aws_iam_role_policy", () => {
    expectDependsOn(
      synthLake({ enableLakeFormation: true }),
      { type: "aws_lakeformation_resource" },
      { type: "aws_iam_role_policy", id: /^Lake_LakeFormation_RolePolicy_/ },
    );
  });

  it("aws_cloudwatch_metric_alarm after the alarm topic's aws_sns_topic_policy (cloudwatch.amazonaws.com)", () => {
    expectDependsOn(
      synthLake({ requestMetrics: {} }),
      { type: "aws_cloudwatch_metric_alarm" },
      { type: "aws_sns_topic_policy" },
    );
  });
});
