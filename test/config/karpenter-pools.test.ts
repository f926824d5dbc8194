import { describe, expect, it } from "vitest";
import { parsePlatformConfig } from "../../config";
import { EMBEDDED_DEFAULT } from "../../config/presets";
import { configProblems } from "../support/errors";

const base = { name: "acme", environment: "dev", region: "eu-west-1", preset: "standard" };
const problemsOf = (doc: unknown) => configProblems(() => parsePlatformConfig(doc, "test.yaml"));

/** A Karpenter CPU pool with the one required setting. */
const cpuPool = { provisioner: "karpenter", limits: { cpu: 16 } };
/** A Karpenter GPU pool with its limits. */
const gpuPool = { provisioner: "karpenter", gpu: true, limits: { cpu: 16, "nvidia.com/gpu": 2 } };

describe("capacity and Karpenter pools in the configuration", () => {
  it("defaults to Karpenter and accepts the presets' Karpenter pools", () => {
    const c = parsePlatformConfig(EMBEDDED_DEFAULT);
    expect(c.capacity).toEqual({ autoscaler: "karpenter" });
    expect(c.nodePools.gpu.provisioner).toBe("karpenter");
    expect(parsePlatformConfig({ ...base, preset: "minimal" }).capacity.autoscaler).toBe("none");
  });

  it("accepts a pool of families and a critical pool with On-Demand", () => {
    const c = parsePlatformConfig({
      ...base,
      nodePools: {
        etl: {
          ...cpuPool,
          instanceFamilies: ["m7i", "c7i"],
          critical: true,
          capacityTypes: ["spot", "on-demand"],
        },
        arm: { ...cpuPool, instanceTypes: ["m7g.large"], architectures: ["arm64"] },
      },
    });
    expect(c.nodePools.etl.instanceFamilies).toEqual(["m7i", "c7i"]);
  });

  const cases: [string, unknown, RegExp][] = [
    [
      "fails when a GPU pool has no GPU limit",
      { ...base, nodePools: { infer: { ...gpuPool, limits: { cpu: 16 } } } },
      /^nodePools\.infer\.limits\["nvidia\.com\/gpu"\]: got nothing; expected a GPU limit of at least 1 on a GPU pool/,
    ],
    [
      "fails when a GPU pool's GPU limit is 0",
      { ...base, nodePools: { infer: { ...gpuPool, limits: { cpu: 16, "nvidia.com/gpu": 0 } } } },
      /^nodePools\.infer\.limits\["nvidia\.com\/gpu"\]: got 0; expected a GPU limit of at least 1/,
    ],
    [
      "fails when a Karpenter pool has no CPU limit",
      { ...base, nodePools: { etl: { provisioner: "karpenter" } } },
      /^nodePools\.etl\.limits\.cpu: got nothing; expected a CPU limit/,
    ],
    [
      "fails when a critical pool is Spot only",
      { ...base, nodePools: { etl: { ...cpuPool, critical: true, capacityTypes: ["spot"] } } },
      /^nodePools\.etl\.capacityTypes: got \["spot"\]; expected "on-demand" among the capacity types: the pool is marked critical/,
    ],
    [
      "fails when a critical managed pool is Spot",
      {
        ...base,
        nodePools: {
          etl: { instanceTypes: ["m7i.large"], minSize: 0, maxSize: 2, critical: true, capacityType: "SPOT" },
        },
      },
      /^nodePools\.etl\.capacityType: got "SPOT"; expected ON_DEMAND: the pool is marked critical/,
    ],
    [
      "fails when a Karpenter pool is configured with the autoscaler none",
      { ...base, preset: "minimal", nodePools: { etl: cpuPool } },
      /^nodePools\.etl\.provisioner: got "karpenter"; expected "managed", or capacity\.autoscaler: karpenter \(it is "none"/,
    ],
    [
      "fails when a Karpenter pool sets a managed node group field",
      { ...base, nodePools: { etl: { ...cpuPool, maxSize: 4 } } },
      /^nodePools\.etl\.maxSize: got 4; expected none: a managed node group setting; a Karpenter pool takes limits instead/,
    ],
    [
      "fails when a Karpenter pool sets the managed capacityType",
      { ...base, nodePools: { etl: { ...cpuPool, capacityType: "SPOT" } } },
      /^nodePools\.etl\.capacityType: got "SPOT"; .*takes capacityTypes instead/,
    ],
    [
      "fails when a managed pool sets a Karpenter field",
      {
        ...base,
        nodePools: { etl: { instanceTypes: ["m7i.large"], minSize: 0, maxSize: 2, limits: { cpu: 8 } } },
      },
      /^nodePools\.etl\.limits: got \{"cpu":8\}; expected a Karpenter pool setting: remove it, or set provisioner: karpenter/,
    ],
    [
      "fails when a managed pool has no sizes",
      { ...base, nodePools: { etl: { instanceTypes: ["m7i.large"] } } },
      /^nodePools\.etl\.minSize: got nothing; expected a value: required for a managed node group/,
    ],
    [
      "fails when the system pool is not managed",
      { ...base, nodePools: { system: { provisioner: "karpenter", limits: { cpu: 8 } } } },
      /^nodePools\.system\.provisioner: got "karpenter"; expected "managed": the system pool runs the cluster add-ons and Karpenter itself/,
    ],
    [
      "fails when a CPU pool names a GPU family",
      { ...base, nodePools: { etl: { ...cpuPool, instanceFamilies: ["g6"] } } },
      /^nodePools\.etl\.instanceFamilies\[0\]: got "g6"; expected a family without accelerators, or gpu: true/,
    ],
    [
      "fails when a CPU pool names an accelerated category",
      { ...base, nodePools: { etl: { ...cpuPool, instanceCategories: ["m", "p"] } } },
      /^nodePools\.etl\.instanceCategories\[1\]: got "p"; expected a category without accelerators/,
    ],
    [
      "fails when a GPU pool names a CPU instance type",
      { ...base, nodePools: { infer: { ...gpuPool, instanceTypes: ["m7i.large"] } } },
      /^nodePools\.infer\.instanceTypes\[0\]: got "m7i\.large"; expected an NVIDIA GPU instance type for a GPU pool/,
    ],
    [
      "fails when an instance type is of another architecture than the pool's",
      { ...base, nodePools: { etl: { ...cpuPool, instanceTypes: ["m7g.large"] } } },
      /^nodePools\.etl\.instanceTypes\[0\]: got "m7g\.large"; expected an instance type of the pool's architectures \(amd64\)/,
    ],
    [
      "fails when consolidateAfter is not a duration",
      { ...base, nodePools: { etl: { ...cpuPool, disruption: { consolidateAfter: "soon" } } } },
      /^nodePools\.etl\.disruption\.consolidateAfter: got "soon"; expected a duration/,
    ],
    [
      "fails when a budget's nodes is neither a count nor a percentage",
      { ...base, nodePools: { etl: { ...cpuPool, disruption: { budgets: [{ nodes: "half" }] } } } },
      /^nodePools\.etl\.disruption\.budgets\[0\]\.nodes: got "half"; expected a node count/,
    ],
    [
      "fails when the weight is above 100",
      { ...base, nodePools: { etl: { ...cpuPool, weight: 500 } } },
      /^nodePools\.etl\.weight: got 500; expected an integer from 1 to 100/,
    ],
    [
      "fails when the AMI version is not an EKS release",
      { ...base, nodePools: { etl: { ...cpuPool, amiVersion: "2025" } } },
      /^nodePools\.etl\.amiVersion: got "2025"; expected an EKS AMI release/,
    ],
    [
      "fails when a label is in Karpenter's own domain",
      { ...base, nodePools: { etl: { ...cpuPool, labels: { "karpenter.sh/custom": "x" } } } },
      /^nodePools\.etl\.labels: got "karpenter\.sh\/custom"; expected a label outside Karpenter's own domains/,
    ],
  ];

  for (const [name, doc, pattern] of cases) {
    it(name, () => {
      expect(problemsOf(doc)).toContainEqual(expect.stringMatching(pattern));
    });
  }
});
