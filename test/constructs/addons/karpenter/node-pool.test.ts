import { describe, expect, it } from "vitest";
import { EMBEDDED_DEFAULT } from "../../../../config/presets";
import {
  ec2NodeClass,
  karpenterNodePool,
  nodePoolRequirements,
  resolveKarpenterPool,
  validateKarpenterPool,
} from "../../../../constructs/addons/karpenter";
import { all, manifestNamed } from "../../../support/manifests";
import { synthPlatform } from "../../../support/platform";
import type { SynthJson } from "../../../support/synth";

const cpu = (o = {}) => resolveKarpenterPool("etl", { limits: { cpu: 16 }, ...o });
const nodeClassProps = {
  clusterName: "acme-dev",
  nodeRoleName: "karpenter-node",
  kmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/k",
  discoveryTags: { "karpenter.sh/discovery": "acme-dev" },
};

describe("Karpenter NodePool and EC2NodeClass builders", () => {
  it("gives a pool the labels and taints a managed node group of the same settings gets", () => {
    const karpenter = synthPlatform({ ...EMBEDDED_DEFAULT, preset: "gpu-training" });
    const managed = synthPlatform({
      ...EMBEDDED_DEFAULT,
      preset: "gpu-training",
      capacity: { autoscaler: "none" },
    });
    const effects = {
      NO_SCHEDULE: "NoSchedule",
      NO_EXECUTE: "NoExecute",
      PREFER_NO_SCHEDULE: "PreferNoSchedule",
    };
    for (const pool of ["gpu", "training"]) {
      const group = all(managed.foundation, "aws_eks_node_group").find(
        (g) => g.node_group_name_prefix === `${pool}-`,
      ) as Record<string, never>;
      const nodePool = manifestNamed(karpenter.resources as SynthJson, "NodePool", pool);
      expect(nodePool.spec.template.metadata.labels).toEqual(group.labels);
      expect(nodePool.spec.template.spec.taints).toEqual(
        (group.taint as { key: string; value: string; effect: keyof typeof effects }[]).map((t) => ({
          key: t.key,
          value: t.value,
          effect: effects[t.effect],
        })),
      );
    }
  });

  it("keeps CPU pools off accelerated instances when they name families rather than categories", () => {
    expect(nodePoolRequirements(cpu({ instanceFamilies: ["m7i"] }))).toContainEqual({
      key: "karpenter.k8s.aws/instance-category",
      operator: "NotIn",
      values: ["g", "p", "inf", "trn", "dl"],
    });
    // With no type, family or category named, a CPU pool draws from c, m and r only.
    expect(nodePoolRequirements(cpu())).toContainEqual({
      key: "karpenter.k8s.aws/instance-category",
      operator: "In",
      values: ["c", "m", "r"],
    });
  });

  it("draws a GPU pool from the g and p categories when it names nothing, tainted and weighted below CPU pools", () => {
    const gpu = resolveKarpenterPool("gpu", { gpu: true, limits: { cpu: 8, "nvidia.com/gpu": 1 } });
    const pool = karpenterNodePool(gpu) as { spec: Record<string, never> };
    expect(nodePoolRequirements(gpu)).toContainEqual({
      key: "karpenter.k8s.aws/instance-category",
      operator: "In",
      values: ["g", "p"],
    });
    expect(pool.spec.weight).toBeLessThan(
      (karpenterNodePool(cpu()) as { spec: { weight: number } }).spec.weight,
    );
    expect(pool.spec.disruption).toEqual({
      consolidationPolicy: "WhenEmpty",
      consolidateAfter: "5m",
      budgets: [{ nodes: "10%" }],
    });
  });

  it("puts zones and an explicit disruption into the NodePool", () => {
    const p = cpu({
      zones: ["eu-west-1a"],
      disruption: {
        consolidationPolicy: "WhenEmpty",
        consolidateAfter: "10m",
        budgets: [{ nodes: "0", schedule: "0 9 * * mon-fri", duration: "8h", reasons: ["Underutilized"] }],
        expireAfter: "Never",
      },
    });
    const pool = karpenterNodePool(p) as { spec: Record<string, Record<string, unknown>> };
    expect(nodePoolRequirements(p)).toContainEqual({
      key: "topology.kubernetes.io/zone",
      operator: "In",
      values: ["eu-west-1a"],
    });
    expect(pool.spec.disruption.budgets).toEqual([
      { nodes: "0", schedule: "0 9 * * mon-fri", duration: "8h", reasons: ["Underutilized"] },
    ]);
    expect((pool.spec.template.spec as Record<string, unknown>).expireAfter).toBe("Never");
  });

  it("writes the pool's hop limit, disk size and a pinned AMI release into its EC2NodeClass", () => {
    const nc = ec2NodeClass({
      ...nodeClassProps,
      pool: cpu({
        httpPutResponseHopLimit: 2,
        diskSizeGiB: 50,
        amiVersion: "v20251120",
        tags: { team: "etl" },
      }),
      globalTags: { env: "dev" },
    }) as { spec: Record<string, never> };
    expect(nc.spec.metadataOptions).toMatchObject({ httpTokens: "required", httpPutResponseHopLimit: 2 });
    expect(nc.spec.blockDeviceMappings).toEqual([
      {
        deviceName: "/dev/xvda",
        ebs: {
          volumeSize: "50Gi",
          volumeType: "gp3",
          encrypted: true,
          kmsKeyID: nodeClassProps.kmsKeyArn,
          deleteOnTermination: true,
        },
      },
    ]);
    expect(nc.spec.amiSelectorTerms).toEqual([{ alias: "al2023@v20251120" }]);
    expect(nc.spec.role).toBe("karpenter-node");
    expect(nc.spec.tags).toEqual({ env: "dev", team: "etl", Name: "acme-dev-etl" });
  });

  it("fails when a pool built from code breaks a rule, naming its config path", () => {
    expect(() =>
      validateKarpenterPool(resolveKarpenterPool("gpu", { gpu: true, limits: { cpu: 8 } })),
    ).toThrow(
      /^Invalid nodePools\.gpu\.limits\["nvidia\.com\/gpu"\]: got undefined; expected a GPU limit of at least 1/,
    );
    expect(() =>
      validateKarpenterPool(
        resolveKarpenterPool("api", { critical: true, capacityTypes: ["spot"], limits: { cpu: 8 } }),
      ),
    ).toThrow(
      /^Invalid nodePools\.api\.capacityTypes: got \["spot"\]; expected "on-demand" among the capacity types/,
    );
  });

  it("fails when the pool name is not a DNS label (the NodePool's name)", () => {
    expect(() => validateKarpenterPool(resolveKarpenterPool("Bad_Name", { limits: { cpu: 1 } }))).toThrow(
      /^Invalid nodePools key: got "Bad_Name"; expected a DNS label/,
    );
  });
});
