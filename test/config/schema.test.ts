import { describe, expect, it } from "vitest";
import { deepMerge, parsePlatformConfig } from "../../config";
import { DEFAULT_KUBERNETES_VERSION } from "../../constructs/cluster/kubernetes-versions";
import { configProblems } from "../support/errors";

const base = { name: "acme", environment: "dev", region: "eu-west-1", preset: "standard" };

function problemsOf(doc: unknown): string[] {
  return configProblems(() => parsePlatformConfig(doc, "test.yaml"));
}

describe("platform configuration schema", () => {
  it("fills every default from the standard preset", () => {
    const c = parsePlatformConfig(base);
    expect(c.network).toMatchObject({ createVpc: true, azCount: 3, natGatewayStrategy: "one-per-az" });
    expect(c.cluster).toMatchObject({
      kubernetesVersion: DEFAULT_KUBERNETES_VERSION,
      endpointPublicAccess: false,
    });
    expect(c.addons.kafka).toMatchObject({ enabled: true, mode: "strimzi" });
    expect(c.capacity.autoscaler).toBe("karpenter");
    expect(Object.keys(c.nodePools).sort()).toEqual(["batch", "gpu", "system"]);
    expect(c.nodePools.system).toMatchObject({ provisioner: "managed", minSize: 2 });
    expect(c.nodePools.gpu).toMatchObject({ gpu: true, provisioner: "karpenter" });
    expect(c.nodePools.batch).toMatchObject({ gpu: false, provisioner: "karpenter" });
    expect(Object.keys(c.dataLake.zones)).toEqual(["raw", "curated", "features", "models"]);
    expect(c.sandbox).toBe(false);
    expect(c.stateBackend.type).toBe("local");
  });

  it("merges user pools over preset pools by key and drops one with create: false", () => {
    const c = parsePlatformConfig({
      ...base,
      nodePools: {
        gpu: { create: false },
        etl: { instanceTypes: ["c7i.2xlarge"], minSize: 0, maxSize: 3 },
      },
    });
    expect(c.nodePools.gpu.create).toBe(false);
    expect(c.nodePools.gpu.instanceTypes).toEqual(["g5.xlarge", "g6.xlarge"]);
    expect(c.nodePools.etl.instanceTypes).toEqual(["c7i.2xlarge"]);
    expect(c.nodePools.system.minSize).toBe(2);
  });

  it("accepts bring-your-own VPC with two private subnets", () => {
    const c = parsePlatformConfig({
      ...base,
      network: {
        createVpc: false,
        vpcId: "vpc-0123456789abcdef0",
        vpcCidr: "10.20.0.0/16",
        privateSubnetIds: ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"],
      },
    });
    expect(c.network.vpcId).toBe("vpc-0123456789abcdef0");
  });

  it("deepMerge merges maps and replaces arrays", () => {
    expect(deepMerge({ a: { x: 1, y: [1, 2] }, b: 1 }, { a: { y: [3] }, c: 2 })).toEqual({
      a: { x: 1, y: [3] },
      b: 1,
      c: 2,
    });
  });
});

describe("platform configuration errors", () => {
  const cases: [string, unknown, RegExp][] = [
    [
      "fails when a top-level key is unknown (with did-you-mean)",
      { ...base, netwrk: {} },
      /^netwrk: unknown key "netwrk"; did you mean "network"\?/,
    ],
    [
      "fails when a nested key is unknown (with did-you-mean)",
      { ...base, network: { natGatewayStrategey: "single" } },
      /^network\.natGatewayStrategey: unknown key .*did you mean "natGatewayStrategy"\?/,
    ],
    [
      "fails when a required field is missing",
      { environment: "dev", region: "eu-west-1" },
      /^name: required: expected string/,
    ],
    [
      "fails when an enum value is wrong",
      { ...base, network: { natGatewayStrategy: "two" } },
      /^network\.natGatewayStrategy: got "two"; expected one of "one-per-az", "single", "none"/,
    ],
    [
      "fails when a type is wrong",
      { ...base, network: { azCount: "three" } },
      /^network\.azCount: got "three" \(string\); expected number/,
    ],
    [
      "fails when the region is malformed",
      { ...base, region: "europe" },
      /^region: got "europe"; expected an AWS region code/,
    ],
    [
      "fails when the name is not DNS-safe",
      { ...base, name: "Acme_Corp" },
      /^name: got "Acme_Corp"; expected lower-case letters/,
    ],
    [
      "fails when a node pool's minSize exceeds maxSize",
      { ...base, nodePools: { system: { minSize: 5, maxSize: 3 } } },
      /^nodePools\.system\.minSize: got 5; expected at most maxSize \(3\)/,
    ],
    [
      "fails when a GPU pool has instance types without a GPU",
      { ...base, nodePools: { gpu: { instanceTypes: ["m5.large"] } } },
      /^nodePools\.gpu\.instanceTypes\[0\]: got "m5\.large"; expected an NVIDIA GPU instance type for a GPU pool \(m5\.large has no NVIDIA GPU/,
    ],
    [
      "fails when a GPU pool uses AMD GPU instances",
      { ...base, nodePools: { gpu: { instanceTypes: ["g4ad.xlarge"] } } },
      /g4ad\.xlarge has AMD GPUs/,
    ],
    [
      "fails when a CPU pool uses GPU instances",
      { ...base, nodePools: { system: { instanceTypes: ["g5.xlarge"] } } },
      /^nodePools\.system\.instanceTypes\[0\]: got "g5\.xlarge"; expected a non-GPU instance type, or set gpu: true/,
    ],
    [
      "fails when the service CIDR overlaps the VPC",
      { ...base, network: { vpcCidr: "172.20.0.0/16" } },
      /^cluster\.serviceIpv4Cidr: got "172\.20\.0\.0\/16"; overlaps network\.vpcCidr 172\.20\.0\.0\/16/,
    ],
    [
      "fails when a CIDR has host bits",
      { ...base, network: { vpcCidr: "10.0.0.1/16" } },
      /^network\.vpcCidr: got "10\.0\.0\.1\/16"; expected an IPv4 CIDR/,
    ],
    [
      "fails when an existing VPC has too few private subnets",
      {
        ...base,
        network: {
          createVpc: false,
          vpcId: "vpc-0123456789abcdef0",
          privateSubnetIds: ["subnet-0123456789abcdef0"],
        },
      },
      /^network\.privateSubnetIds: got \["subnet-0123456789abcdef0"\]; EKS needs private subnets in at least two availability zones; got 1/,
    ],
    [
      "fails when an existing VPC has no id",
      {
        ...base,
        network: {
          createVpc: false,
          privateSubnetIds: ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"],
        },
      },
      /^network\.vpcId: got nothing; required when createVpc is false/,
    ],
    [
      "fails when the public endpoint has no allow-list",
      { ...base, cluster: { endpointPublicAccess: true } },
      /^cluster\.publicAccessCidrs: got \[\]; required when endpointPublicAccess is true/,
    ],
    [
      "fails when the public endpoint is open to the internet",
      { ...base, cluster: { endpointPublicAccess: true, publicAccessCidrs: ["0.0.0.0/0"] } },
      /^cluster\.publicAccessCidrs\[0\]: got "0\.0\.0\.0\/0"; the whole internet is not an allow-list/,
    ],
    [
      "fails when the Kubernetes version is unsupported",
      { ...base, cluster: { kubernetesVersion: "1.24" } },
      /^cluster\.kubernetesVersion: got "1\.24"; expected one of "1\.32"/,
    ],
    [
      "fails when a log retention is not one CloudWatch accepts",
      { ...base, cluster: { logRetentionInDays: 100 } },
      /^cluster\.logRetentionInDays: got 100; expected a CloudWatch Logs retention period/,
    ],
    [
      "fails when the IMDS hop limit is above 2",
      { ...base, nodePools: { system: { httpPutResponseHopLimit: 3 } } },
      /^nodePools\.system\.httpPutResponseHopLimit: got 3/,
    ],
    [
      "fails when the preset does not exist",
      { ...base, preset: "huge" },
      /^preset: got "huge"; expected one of "minimal", "standard", "gpu-training"/,
    ],
    [
      "fails when the s3 state backend has no bucket",
      { ...base, stateBackend: { type: "s3" } },
      /^stateBackend\.bucket: got nothing; required when type is s3/,
    ],
    [
      "fails when the local state path has no {stack}",
      { ...base, stateBackend: { path: "state/terraform.tfstate" } },
      /^stateBackend\.path: got "state\/terraform\.tfstate"; expected a path containing \{stack\}/,
    ],
    [
      "fails when a GPU pool has a non-NVIDIA AMI",
      {
        ...base,
        capacity: { autoscaler: "none" },
        nodePools: { gpu: { amiType: "AL2023_x86_64_STANDARD" } },
      },
      /^nodePools\.gpu\.amiType: got "AL2023_x86_64_STANDARD"; expected one of .*\(GPU pools need an NVIDIA AMI\)/,
    ],
    [
      "fails when a pool mixes Arm and x86 instances",
      { ...base, nodePools: { system: { instanceTypes: ["m7g.large", "m7i.large"] } } },
      /^nodePools\.system\.instanceTypes: got \["m7g\.large","m7i\.large"\]; expected instance types of one CPU architecture: these mix Arm \(Graviton\) and x86/,
    ],
    [
      "fails when no pool can run the cluster add-ons",
      { ...base, nodePools: { system: { create: false } } },
      /^nodePools: .*at least one managed non-GPU pool with minSize ≥ 1/,
    ],
    [
      "fails when tiering comes after expiry",
      {
        ...base,
        dataLake: { zones: { raw: { transitionToIntelligentTieringAfterDays: 30, expirationInDays: 10 } } },
      },
      /^dataLake\.zones\.raw\.expirationInDays: got 10; must be later than transitionToIntelligentTieringAfterDays \(30\)/,
    ],
    [
      "fails when the data lake alarm threshold is below 1",
      { ...base, dataLake: { requestMetrics: { enabled: true, accessDeniedThreshold: 0 } } },
      /^dataLake\.requestMetrics\.accessDeniedThreshold: .*0.*>=\s*1/,
    ],
    [
      "fails when the data lake alarm topic is not an SNS topic ARN",
      { ...base, dataLake: { requestMetrics: { enabled: true, alarmTopicArn: "alarms" } } },
      /^dataLake\.requestMetrics\.alarmTopicArn: .*"alarms".*expected an SNS topic ARN/,
    ],
    ["fails when the document is not a mapping", ["a"], /^: got \["a"\]; expected a mapping of settings/],
  ];

  for (const [name, doc, pattern] of cases) {
    it(name, () => {
      const problems = problemsOf(doc);
      expect(
        problems.some((p) => pattern.test(p)),
        `problems were:\n${problems.join("\n")}`,
      ).toBe(true);
    });
  }

  it("lists every problem at once, not just the first", () => {
    const problems = problemsOf({ ...base, nmae: "x", sandbx: true, region: "mars-1" });
    expect(problems.length).toBeGreaterThanOrEqual(3);
  });

  it("puts the source file in the error message", () => {
    expect(() => parsePlatformConfig({ ...base, region: 1 }, "teams/acme.yaml")).toThrow(/teams\/acme\.yaml/);
  });
});

describe("add-on configuration", () => {
  it("fails when the Kafka mode is unknown, at its full path", () => {
    const problems = problemsOf({ ...base, addons: { kafka: { mode: "confluent" } } });
    expect(
      problems.some((p) => /^addons\.kafka\.mode: got "confluent"; expected one of "msk", "strimzi"/.test(p)),
      problems.join("\n"),
    ).toBe(true);
  });

  it("fails when a topic's replication factor is above the broker count", () => {
    const problems = problemsOf({
      ...base,
      addons: {
        kafka: { strimzi: { brokers: { replicas: 3 } }, topics: { events: { replicationFactor: 5 } } },
      },
    });
    expect(
      problems.some((p) =>
        /^addons\.kafka\.topics\.events\.replicationFactor: .*above the broker count 3/.test(p),
      ),
      problems.join("\n"),
    ).toBe(true);
  });

  it("fails when an add-on key is misspelt, with did-you-mean", () => {
    const problems = problemsOf({ ...base, addons: { kafak: {} } });
    expect(
      problems.some((p) => /^addons\.kafak: unknown key "kafak"; did you mean "kafka"\?/.test(p)),
      problems.join("\n"),
    ).toBe(true);
  });

  it("leaves add-ons off in the minimal preset", () => {
    expect(parsePlatformConfig({ ...base, preset: "minimal" }).addons.kafka.enabled).toBe(false);
  });
});

describe("presets", () => {
  it("gpu-training is standard plus a Spot-first Karpenter GPU training pool", () => {
    const c = parsePlatformConfig({ ...base, preset: "gpu-training" });
    expect(Object.keys(c.nodePools).sort()).toEqual(["batch", "gpu", "system", "training"]);
    expect(c.nodePools.training).toMatchObject({
      gpu: true,
      provisioner: "karpenter",
      capacityTypes: ["spot", "on-demand"],
      limits: { "nvidia.com/gpu": 32 },
    });
    expect(c.nodePools.gpu).toEqual(parsePlatformConfig(base).nodePools.gpu);
  });

  it("gpu-training with autoscaler none keeps its GPU pools as managed node groups, without a batch pool", () => {
    const c = parsePlatformConfig({ ...base, preset: "gpu-training", capacity: { autoscaler: "none" } });
    expect(Object.keys(c.nodePools).sort()).toEqual(["gpu", "system", "training"]);
    expect(c.nodePools.training).toMatchObject({ provisioner: "managed", capacityType: "SPOT", minSize: 0 });
    expect(c.nodePools.gpu).toMatchObject({ provisioner: "managed", minSize: 0, maxSize: 4 });
  });
});
