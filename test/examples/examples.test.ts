import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { synthPlatform } from "../support/platform";
import { resourcesOf } from "../support/synth";

const EXAMPLES = join(import.meta.dirname, "..", "..", "examples");
const configs = readdirSync(join(EXAMPLES, "configs")).filter((f) => /\.(ya?ml|json)$/.test(f));

describe("example configurations", () => {
  it("exist", () => {
    expect(configs.length).toBeGreaterThanOrEqual(3);
  });

  for (const file of configs) {
    it(`${file} synthesizes its foundation and platform stacks`, () => {
      const doc = parse(readFileSync(join(EXAMPLES, "configs", file), "utf8"));
      const out = synthPlatform(doc);
      expect(Object.keys(resourcesOf(out.foundation, "aws_eks_cluster"))).toHaveLength(1);
      expect(Object.keys(out.stacks).length).toBeGreaterThanOrEqual(2);
    });
  }

  it("byo-vpc.json creates no VPC and puts the cluster in the given subnets", () => {
    const doc = JSON.parse(readFileSync(join(EXAMPLES, "configs", "byo-vpc.json"), "utf8"));
    const out = synthPlatform(doc);
    expect(resourcesOf(out.foundation, "aws_vpc")).toEqual({});
    const [cluster] = Object.values(resourcesOf(out.foundation, "aws_eks_cluster")) as {
      vpc_config: { subnet_ids: string[]; endpoint_public_access: boolean; public_access_cidrs: string[] };
    }[];
    expect(cluster.vpc_config.subnet_ids).toEqual(doc.network.privateSubnetIds);
    expect(cluster.vpc_config.endpoint_public_access).toBe(true);
    expect(cluster.vpc_config.public_access_cidrs).toEqual(["203.0.113.0/24"]);
  });
});

describe("examples/own-stack (constructs composed in a user's stack)", () => {
  it("synthesizes with a scoped trainer role and a prefix-limited write grant", () => {
    const outdir = mkdtempSync(join(tmpdir(), "own-stack-"));
    const child = spawnSync(process.execPath, ["--import", "tsx", join(EXAMPLES, "own-stack", "main.ts")], {
      env: { ...process.env, CDKTF_OUTDIR: outdir },
      encoding: "utf8",
    });
    expect(child.status, child.stderr).toBe(0);
    const json = JSON.parse(readFileSync(join(outdir, "stacks", "team-ml", "cdk.tf.json"), "utf8"));
    expect(Object.keys(json.resource.aws_eks_node_group)).toHaveLength(2);
    const policies = Object.values(json.data.aws_iam_policy_document) as {
      statement?: { resources?: string[] }[];
    }[];
    const resources = policies.flatMap((p) => (p.statement ?? []).flatMap((s) => s.resources ?? []));
    expect(resources.some((r) => r.endsWith("/experiments/*"))).toBe(true);
  });
});
