import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { synthPlatform } from "../support/platform";
import { resourcesOf, type SynthJson } from "../support/synth";

const CONFIG = join(import.meta.dirname, "..", "..", "examples", "byo-cluster", "config.yaml");
const doc = parse(readFileSync(CONFIG, "utf8")) as {
  cluster: { name: string; kubernetesVersion: string };
  network: { vpcId: string; privateSubnetIds: string[] };
  teams: Record<string, unknown>;
};

/** The single `terraform_remote_state` of a stack and the outputs it reads (`${data.terraform_remote_state.X.outputs.Y}`). */
function remoteOutputs(json: SynthJson): string[] {
  const text = JSON.stringify(json);
  return [
    ...new Set(
      [...text.matchAll(/data\.terraform_remote_state\.[^.]+\.outputs\.([A-Za-z0-9_-]+)/g)].map(
        (m) => m[1] as string,
      ),
    ),
  ];
}

describe("examples/byo-cluster (the platform in a cluster the kit did not create)", () => {
  const out = synthPlatform(doc);
  const clusterData = Object.entries(out.foundation.data?.aws_eks_cluster ?? {});

  it("reads the named cluster and creates no cluster, VPC, OIDC provider or access entry", () => {
    expect(clusterData.map(([, c]) => c.name)).toEqual([doc.cluster.name]);
    for (const type of [
      "aws_eks_cluster",
      "aws_vpc",
      "aws_iam_openid_connect_provider",
      "aws_eks_access_entry",
    ]) {
      expect(resourcesOf(out.foundation, type), type).toEqual({});
    }
    expect(resourcesOf(out.foundation, "aws_eks_node_group")).toEqual({});
  });

  it("keeps the foundation's outputs, now from the data sources, for the platform stack and PlatformReference", () => {
    const [clusterId] = clusterData[0] as [string, unknown];
    const outputs = out.foundation.output as Record<string, { value: string }>;
    expect(outputs.cluster_name?.value).toBe(`\${data.aws_eks_cluster.${clusterId}.name}`);
    expect(outputs.cluster_endpoint?.value).toBe(`\${data.aws_eks_cluster.${clusterId}.endpoint}`);
    expect(outputs.cluster_oidc_provider_arn?.value).toMatch(/^\$\{data\.aws_iam_openid_connect_provider\./);
    expect(outputs.vpc_id?.value).toBe(doc.network.vpcId);
  });

  it("installs the add-ons through providers configured from the existing cluster's endpoint and CA", () => {
    const kubernetes = (out.platform.provider?.kubernetes ?? [])[0] as {
      host: string;
      cluster_ca_certificate: string;
    };
    expect(kubernetes.host).toMatch(
      /^\$\{data\.terraform_remote_state\.[^.]+\.outputs\.cross-stack-output-data/,
    );
    expect(kubernetes.host).toContain("endpoint");
    expect(kubernetes.cluster_ca_certificate).toContain("certificate_authority");
    const foundationOutputs = Object.values(out.foundation.output as Record<string, { value: string }>).map(
      (o) => o.value,
    );
    // Every value the platform reads from the foundation exists there.
    for (const name of remoteOutputs(out.platform)) {
      expect(Object.keys(out.foundation.output ?? {}), name).toContain(name);
    }
    expect(foundationOutputs.some((v) => v.includes("identity[0].oidc[0].issuer"))).toBe(true);
    expect(Object.keys(resourcesOf(out.platform, "helm_release")).length).toBeGreaterThanOrEqual(4);
  });

  it("trusts the existing cluster's OIDC provider in the add-ons' IRSA roles", () => {
    type Statement = { actions: string[]; principals?: { type: string; identifiers: string[] }[] };
    const statements = Object.values(out.platform.data?.aws_iam_policy_document ?? {})
      .flatMap((d) => (d.statement ?? []) as Statement[])
      .filter((s) => s.actions.includes("sts:AssumeRoleWithWebIdentity"));
    expect(statements.length).toBeGreaterThan(0);
    for (const s of statements) {
      const federated = s.principals?.filter((p) => p.type === "Federated").flatMap((p) => p.identifiers);
      expect(federated).toEqual([
        expect.stringMatching(/outputs\.cross-stack-output-dataaws_iam_openid_connect_provider\w+arn\}$/),
      ]);
    }
  });

  it("puts each team environment into the existing cluster, found by name", () => {
    const teamStacks = Object.keys(out.stacks).filter((name) => name.includes("-team-"));
    expect(teamStacks).toEqual(Object.keys(doc.teams).map((team) => `analytics-prod-team-${team}-dev`));
    for (const name of teamStacks) {
      const team = out.stacks[name] as SynthJson;
      expect(Object.values(team.data?.aws_eks_cluster ?? {}).map((c) => c.name)).toEqual([doc.cluster.name]);
      // The team stack needs no cluster key (it reads the cluster's endpoint, CA and issuer only).
      const aliases = Object.values(team.data?.aws_kms_alias ?? {}).map((a) => a.name);
      const foundationAliases = Object.values(resourcesOf(out.foundation, "aws_kms_alias")).map(
        (a) => a.name,
      );
      expect(aliases).not.toContain(`alias/eks/${doc.cluster.name}`);
      expect(foundationAliases).toContain(`alias/eks/${doc.cluster.name}`);
      expect(team.resource?.aws_eks_cluster).toBeUndefined();
    }
  });
});
