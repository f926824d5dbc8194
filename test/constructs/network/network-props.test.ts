import { describe, expect, it } from "vitest";
import { type NetworkProps, validateNetworkProps } from "../../../constructs/network/network-props";

const fails = (props: NetworkProps) => () => validateNetworkProps(props);

describe("validateNetworkProps", () => {
  it("accepts the defaults and a full valid configuration", () => {
    expect(() => validateNetworkProps({})).not.toThrow();
    expect(() =>
      validateNetworkProps({
        name: "ml-prod",
        cidr: "10.10.0.0/16",
        availabilityZones: ["eu-central-1a", "eu-central-1b", "eu-central-1c"],
        azCount: 3,
        natGatewayStrategy: "single",
        clusterName: "ml_prod-1",
        interfaceEndpoints: ["ecr.api", "eks-auth"],
        flowLogRetentionInDays: 90,
        kmsKeyArn: "arn:aws-us-gov:kms:us-gov-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
      }),
    ).not.toThrow();
  });

  it("fails when azCount is out of range", () => {
    expect(fails({ azCount: 1 })).toThrow(/azCount 1 is out of range: expected an integer from 2 to 6/);
    expect(fails({ azCount: 7 })).toThrow(/azCount 7 is out of range/);
    expect(fails({ azCount: 2.5 })).toThrow(/azCount 2\.5/);
  });

  it("fails when the CIDR is malformed", () => {
    expect(fails({ cidr: "10.0.0.0/33" })).toThrow(/Network: cidr "10\.0\.0\.0\/33" is malformed/);
    expect(fails({ cidr: "banana" })).toThrow(/cidr "banana" is malformed/);
  });

  it("fails when availabilityZones are malformed, duplicated or disagree with azCount", () => {
    expect(fails({ availabilityZones: ["eu-west-1a"] })).toThrow(
      /availabilityZones has 1 entries: expected 2 to 6/,
    );
    expect(fails({ availabilityZones: ["eu-west-1a", "EU_WEST_1B"] })).toThrow(
      /"EU_WEST_1B" is not an AZ name/,
    );
    expect(fails({ availabilityZones: ["eu-west-1a", "eu-west-1a"] })).toThrow(/has duplicates/);
    expect(fails({ availabilityZones: ["eu-west-1a", "eu-west-1b"], azCount: 3 })).toThrow(
      /azCount 3 does not match availabilityZones \(2 entries\)/,
    );
  });

  it("fails when the NAT strategy is unknown or needs missing public subnets", () => {
    expect(fails({ natGatewayStrategy: "per-subnet" as never })).toThrow(
      /natGatewayStrategy "per-subnet" is invalid: expected one of single, one-per-az, none/,
    );
    expect(fails({ createPublicSubnets: false })).toThrow(/"one-per-az" needs public subnets/);
  });

  it("fails when name or clusterName are not DNS/EKS-safe", () => {
    expect(fails({ name: "ML Platform" })).toThrow(/name "ML Platform" is invalid/);
    expect(fails({ name: "-ml" })).toThrow(/name "-ml" is invalid/);
    expect(fails({ clusterName: "bad.cluster" })).toThrow(
      /clusterName "bad\.cluster" is not a valid EKS cluster name/,
    );
  });

  it("fails when interface endpoints are unknown or repeated", () => {
    expect(fails({ interfaceEndpoints: ["ecr.api", "sagemaker" as never] })).toThrow(
      /interfaceEndpoints entry "sagemaker" is not supported/,
    );
    expect(fails({ interfaceEndpoints: ["sts", "sts"] })).toThrow(/has duplicates/);
  });

  it("fails when flow-log retention or the key ARN is invalid", () => {
    expect(fails({ flowLogRetentionInDays: 100 })).toThrow(
      /flowLogRetentionInDays 100 is not a CloudWatch Logs retention/,
    );
    expect(fails({ kmsKeyArn: "alias/my-key" })).toThrow(/kmsKeyArn "alias\/my-key" is not a KMS key ARN/);
  });
});
