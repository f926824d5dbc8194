import { describe, expect, it } from "vitest";
import {
  type OpenSearchServiceConfigInput,
  openSearchServiceConfigSchema,
  parseOpenSearchServiceConfig,
  resolveTopology,
} from "../../../../../constructs/addons/logging/opensearch-service";

const fails = (input: OpenSearchServiceConfigInput) => () => parseOpenSearchServiceConfig(input);
const topology = (input: OpenSearchServiceConfigInput, subnets: number, production = false) =>
  resolveTopology(
    parseOpenSearchServiceConfig(input),
    Array.from({ length: subnets }, (_, i) => `subnet-${i}`),
    production,
  );

describe("addons.logging.openSearchService", () => {
  it("has a default for every key, and a description", () => {
    expect(parseOpenSearchServiceConfig({})).toEqual({
      engineVersion: "OpenSearch_2.19",
      instanceType: "r7g.large.search",
      dedicatedMaster: { instanceType: "m7g.large.search", count: 3 },
      ebs: { volumeSizeInGiB: 100, iops: 3000, throughputInMiBps: 125 },
      logRetentionInDays: 365,
      autoTuneEnabled: true,
    });
    for (const [key, schema] of Object.entries(openSearchServiceConfigSchema.shape)) {
      expect(schema.description ?? "", key).not.toBe("");
    }
  });

  it("derives the layout: one data node per AZ (at least 2), zone awareness over min(3, subnets) AZs", () => {
    expect(topology({}, 1)).toMatchObject({
      availabilityZoneCount: 1,
      zoneAwarenessEnabled: false,
      instanceCount: 2,
    });
    expect(topology({}, 2)).toMatchObject({ availabilityZoneCount: 2, instanceCount: 2 });
    expect(topology({}, 3)).toMatchObject({ availabilityZoneCount: 3, instanceCount: 3 });
    expect(topology({}, 4)).toMatchObject({
      availabilityZoneCount: 3,
      instanceCount: 3,
      subnetIds: ["subnet-0", "subnet-1", "subnet-2"],
    });
  });

  it("turns dedicated masters on in production unless configured", () => {
    expect(topology({}, 3, true).dedicatedMasterEnabled).toBe(true);
    expect(topology({}, 3, false).dedicatedMasterEnabled).toBe(false);
    expect(topology({ dedicatedMaster: { enabled: false } }, 3, true).dedicatedMasterEnabled).toBe(false);
    expect(topology({ dedicatedMaster: { enabled: true } }, 3, false).dedicatedMasterEnabled).toBe(true);
  });

  it("fails when the instance count is not a multiple of the AZ count with zone awareness", () => {
    expect(() => topology({ instanceCount: 4 }, 3)).toThrow(
      "Invalid addons.logging.openSearchService.instanceCount: got 4; expected a multiple of the availability zone count 3",
    );
  });

  it("fails when the domain would have a single data node", () => {
    expect(() => topology({ instanceCount: 1 }, 1)).toThrow(
      /addons\.logging\.openSearchService\.instanceCount: got 1; expected at least 2 data nodes/,
    );
  });

  it("fails when the dedicated master count is not 3 or 5", () => {
    expect(fails({ dedicatedMaster: { count: 2 } })).toThrow(
      /addons\.logging\.openSearchService\.dedicatedMaster\.count: dedicated master count 2 is not 3 or 5/,
    );
    expect(fails({ dedicatedMaster: { count: 4 } })).toThrow(/dedicated master count 4 is not 3 or 5/);
  });

  it("fails when a T2 or T3 instance type is chosen, for data or master nodes", () => {
    expect(fails({ instanceType: "t3.medium.search" })).toThrow(
      /addons\.logging\.openSearchService\.instanceType: instance type "t3\.medium\.search" is refused: T3/,
    );
    expect(fails({ instanceType: "t2.small.search" })).toThrow(
      /instance type "t2\.small\.search" is refused: T2 instances do not support encryption at rest/,
    );
    expect(fails({ dedicatedMaster: { instanceType: "t3.small.search" } })).toThrow(
      /addons\.logging\.openSearchService\.dedicatedMaster\.instanceType: instance type "t3\.small\.search" is refused/,
    );
  });

  it("fails when the instance type is not an OpenSearch Service type", () => {
    expect(fails({ instanceType: "r7g.large" })).toThrow(
      /instanceType: instance type "r7g\.large" is not an OpenSearch Service type; expected "<family>\.<size>\.search"/,
    );
  });

  it("fails when the engine is Elasticsearch or not a version", () => {
    expect(fails({ engineVersion: "Elasticsearch_7.10" })).toThrow(
      /addons\.logging\.openSearchService\.engineVersion: got "Elasticsearch_7\.10"; expected an OpenSearch engine version/,
    );
    expect(fails({ engineVersion: "2.19" })).toThrow(/engineVersion: got "2\.19"/);
  });

  it("fails when the log retention is not a CloudWatch Logs period", () => {
    expect(fails({ logRetentionInDays: 100 })).toThrow(
      /addons\.logging\.openSearchService\.logRetentionInDays: got 100; expected a CloudWatch Logs retention period/,
    );
  });

  it("fails when gp3 IOPS or throughput are below the baseline, or the volume is too small", () => {
    expect(fails({ ebs: { iops: 1000 } })).toThrow(
      /addons\.logging\.openSearchService\.ebs\.iops: got 1000; iops must be at least 3000 \(the gp3 baseline\)/,
    );
    expect(fails({ ebs: { throughputInMiBps: 100 } })).toThrow(/ebs\.throughputInMiBps: got 100/);
    expect(fails({ ebs: { volumeSizeInGiB: 5 } })).toThrow(/ebs\.volumeSizeInGiB: got 5/);
  });

  it("fails when the master user is not an IAM role or user ARN", () => {
    expect(fails({ masterUserArn: "arn:aws:sts::123456789012:assumed-role/admin/session" })).toThrow(
      /addons\.logging\.openSearchService\.masterUserArn: got .*; expected an IAM role or user ARN/,
    );
  });

  it("fails when a key is unknown, naming the close one", () => {
    expect(fails({ instanceCnt: 3 } as never)).toThrow(
      /addons\.logging\.openSearchService\.instanceCnt: unknown key "instanceCnt"; did you mean "instanceCount"\?/,
    );
  });

  it("fails when a password is configured: there is no internal user database", () => {
    expect(fails({ masterUserPassword: "hunter2" } as never)).toThrow(/unknown key "masterUserPassword"/);
  });
});
