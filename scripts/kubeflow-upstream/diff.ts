/**
 * Compares a `kustomize build` of a Kubeflow Pipelines release with what the add-on deploys:
 *
 *   kustomize build "github.com/kubeflow/pipelines/manifests/kustomize/env/platform-agnostic?ref=<version>" \
 *     > /tmp/kfp-<version>.yaml
 *   npx tsx scripts/kubeflow-upstream/diff.ts /tmp/kfp-<version>.yaml [<version>]
 *
 * Prints one line per finding (new components, image/tag changes, env vars upstream sets that the kit neither
 * sets nor documents as dropped, port changes) and exits 1 when there are findings. Needs no AWS or cluster:
 * the add-on is synthesized against placeholder coordinates.
 */
import { readFileSync } from "node:fs";
import { App, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { parseAllDocuments } from "yaml";
import { kubeflowPipelinesAddOn } from "../../constructs/addons/kubeflow-pipelines/addon";
import type { KfpVersion } from "../../constructs/addons/kubeflow-pipelines/images";
import { ClusterContext } from "../../constructs/cluster/cluster-context";
import { deployAddOns } from "../../constructs/core/addon";
import { typedResourceToObject } from "../validation/terraform-to-k8s";
import { diffAgainstUpstream } from "./compare";

/** The Kubernetes workloads the add-on synthesizes for a version (default configuration otherwise). */
export function kitWorkloads(version?: KfpVersion): Record<string, unknown>[] {
  const app = new App({ outdir: "/tmp/kfp-upstream-diff.out" });
  const stack = new TerraformStack(app, "kfp");
  const region = "us-east-1";
  const placeholder = "arn:aws:kms:us-east-1:000000000000:key/00000000-0000-0000-0000-000000000000";
  const cluster = ClusterContext.create(stack, "Cluster", {
    clusterName: "diff",
    endpoint: "https://example.eks.amazonaws.com",
    certificateAuthorityData: "LS0t",
    oidcIssuerUrl: "https://oidc.eks.us-east-1.amazonaws.com/id/DIFF",
    oidcProviderArn: "arn:aws:iam::000000000000:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/DIFF",
    clusterSecurityGroupId: "sg-00000000",
    vpcId: "vpc-00000000",
    privateSubnetIds: ["subnet-a", "subnet-b"],
    kmsKeyArn: placeholder,
    kubernetesVersion: "1.34",
    region,
  });
  const bucket = { bucketName: "lake-curated", bucketArn: "arn:aws:s3:::lake-curated" };
  const externalSecrets = { id: "external-secrets", deploy: () => ({}) };
  deployAddOns(
    new Construct(stack, "AddOns"),
    {
      cluster,
      platform: {
        name: "diff",
        environment: "dev",
        region,
        prefix: "diff-dev",
        sandbox: true,
        tags: {},
        vpcId: "vpc-00000000",
        vpcCidr: "10.0.0.0/16",
        privateSubnetIds: ["subnet-a", "subnet-b"],
      },
      dataLake: { kmsKeyArn: placeholder, buckets: { curated: bucket }, policyStatements: () => [] },
    },
    [externalSecrets, kubeflowPipelinesAddOn(version ? { version } : {})],
  );
  const json = stack.toTerraform() as { resource?: Record<string, Record<string, Record<string, unknown>>> };
  return Object.entries(json.resource ?? {}).flatMap(([type, byId]) =>
    Object.values(byId)
      .map((config) => typedResourceToObject(type, config))
      .filter((o): o is Record<string, unknown> => o !== undefined),
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [file, version] = process.argv.slice(2);
  if (!file) {
    console.error("usage: tsx scripts/kubeflow-upstream/diff.ts <kustomize-build.yaml> [version]");
    process.exit(2);
  }
  const upstream = parseAllDocuments(readFileSync(file, "utf8")).map((d) => d.toJS());
  const findings = diffAgainstUpstream(upstream, kitWorkloads(version as KfpVersion | undefined));
  for (const f of findings) console.log(`${f.component}: ${f.message}`);
  console.log(`${findings.length} finding(s)`);
  process.exit(findings.length > 0 ? 1 : 0);
}
