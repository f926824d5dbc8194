/**
 * The stacks' outputs as a user reads them (`terraform output`): names (public API), descriptions, sensitivity
 * and what they point at, on the synthesized JSON.
 */
import { describe, expect, it } from "vitest";
import { EMBEDDED_DEFAULT } from "../../config/presets";
import { deepMerge } from "../../constructs/core/merge";
import type { Json } from "../support/manifests";
import { synthPlatform } from "../support/platform";

/** The kit's own outputs (not cdktf's cross-stack ones). */
const ownOutputs = (json: Json): Record<string, Json> =>
  Object.fromEntries(
    Object.entries((json.output ?? {}) as Record<string, Json>).filter(
      ([k]) => !k.startsWith("cross-stack-output-"),
    ),
  );

/** Names, addresses and ARNs: each output says what it is, and none hides a value (none is a credential). */
function expectDescribedNotSensitive(out: Record<string, Json>): void {
  for (const [name, o] of Object.entries(out)) {
    expect(o.description, name).toMatch(/\S{3,}/);
    expect(o.sensitive, name).toBeUndefined();
  }
}

describe("foundation stack outputs", () => {
  const { foundation } = synthPlatform();
  const out = ownOutputs(foundation);

  it("keeps the existing names and adds the kubeconfig command and the OIDC provider, each described, none sensitive", () => {
    expect(Object.keys(out).sort()).toEqual([
      "cluster_endpoint",
      "cluster_name",
      "cluster_oidc_provider_arn",
      "data_lake_buckets",
      "ecr_repository_arns",
      "ecr_repository_urls",
      "update_kubeconfig_command",
      "vpc_id",
    ]);
    expectDescribedNotSensitive(out);
  });

  it("gives the exact update-kubeconfig command for the cluster's region and name", () => {
    expect(out.update_kubeconfig_command.value).toMatch(
      /^aws eks update-kubeconfig --region eu-west-1 --name \$\{aws_eks_cluster\.[^}]+\.name\}$/,
    );
    expect(out.cluster_oidc_provider_arn.value).toMatch(
      /^\$\{aws_iam_openid_connect_provider\.[^}]+\.arn\}$/,
    );
  });

  it("maps each ECR repository name to its repository's URL and ARN", () => {
    const [id] = Object.keys(foundation.resource?.aws_ecr_repository ?? {});
    expect(out.ecr_repository_urls.value).toEqual({
      "inference-service": `\${aws_ecr_repository.${id}.repository_url}`,
    });
    expect(out.ecr_repository_arns.value).toEqual({
      "inference-service": `\${aws_ecr_repository.${id}.arn}`,
    });
  });

  it("gives the GitHub push role's ARN only with registry.githubOidc enabled", () => {
    expect(out.ecr_push_role_arn).toBeUndefined();
    const withRole = ownOutputs(
      synthPlatform(
        deepMerge(EMBEDDED_DEFAULT, { registry: { githubOidc: { enabled: true, repository: "acme/ml" } } }),
      ).foundation,
    );
    expect(withRole.ecr_push_role_arn.value).toMatch(
      /^\$\{aws_iam_role\.Registry_GithubPush_Role_[^}]+\.arn\}$/,
    );
    expectDescribedNotSensitive(withRole);
  });

  it("names the data lake buckets per zone", () => {
    expect(Object.keys(out.data_lake_buckets.value).sort()).toEqual(["curated", "features", "models", "raw"]);
    expect(out.data_lake_buckets.description).toBe("Data lake bucket names by zone.");
  });
});

describe("platform stack outputs", () => {
  const { platform, blueprint } = synthPlatform();
  const out = ownOutputs(platform);

  it("describes every output, none sensitive (addresses and ARNs, no credential)", () => {
    expect(Object.keys(out).sort()).toEqual([
      "kafka_bootstrap_servers",
      "mlflow_url",
      "service_account_role_arns",
    ]);
    expectDescribedNotSensitive(out);
  });

  it("maps every add-on that created a service-account role to its roles' ARNs by namespace/service account", () => {
    const roles = out.service_account_role_arns.value as Record<string, Record<string, string>>;
    const withRoles = [...blueprint.platform.addOns]
      .filter(([, d]) => d.serviceAccountRoles.length > 0)
      .map(([id]) => id);
    expect(Object.keys(roles).sort()).toEqual(withRoles.sort());
    expect(Object.keys(roles).sort()).toEqual([
      "airflow",
      "aws-load-balancer-controller",
      "karpenter",
      "kubeflow-pipelines",
      "logging",
      "mlflow",
      "serving",
    ]);
    // The model servers' role (Pod Identity), from the serving access wiring.
    expect(Object.keys(roles.serving ?? {})).toEqual(["serving/model-server"]);
    expect(roles.mlflow["mlflow/mlflow"]).toMatch(/^\$\{aws_iam_role\.Cluster_mlflow-server_[^}]+\.arn\}$/);
    for (const byAccount of Object.values(roles)) {
      for (const [key, arn] of Object.entries(byAccount)) {
        expect(key).toMatch(/^[a-z0-9-]+\/[a-z0-9.-]+$/);
        expect(arn).toMatch(/^\$\{aws_iam_role\.[^}]+\.arn\}$/);
      }
    }
    // Every service-account role of the stack appears once (RDS monitoring roles are not for pods): complete.
    const all = Object.values(roles).flatMap((r) => Object.values(r));
    expect(new Set(all).size).toBe(all.length);
    const forPods = Object.entries((platform.resource?.aws_iam_role ?? {}) as Record<string, Json>).filter(
      ([, r]) => /^(irsa|pod-identity) role for /.test(r.description),
    );
    expect(all.sort()).toEqual(forPods.map(([k]) => `\${aws_iam_role.${k}.arn}`).sort());
  });

  it("gives Strimzi's in-cluster TLS bootstrap address and MLflow's in-cluster URL by default", () => {
    expect(out.kafka_bootstrap_servers.value).toBe("platform-kafka-bootstrap.kafka.svc:9093");
    expect(out.mlflow_url.value).toBe("http://mlflow.mlflow.svc:5000");
  });

  it("gives MSK's IAM bootstrap brokers and MLflow's https ingress URL when so configured", () => {
    const msk = synthPlatform(
      deepMerge(EMBEDDED_DEFAULT, {
        addons: {
          kafka: { mode: "msk" },
          mlflow: {
            ingress: {
              host: "mlflow.internal.example.com",
              certificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/abc",
            },
          },
        },
      }),
    );
    const o = ownOutputs(msk.platform);
    expect(o.kafka_bootstrap_servers.value).toMatch(
      /^\$\{aws_msk_cluster\.[^}]+\.bootstrap_brokers_sasl_iam\}$/,
    );
    expect(o.kafka_bootstrap_servers.description).toMatch(/MSK/);
    expect(o.mlflow_url.value).toBe("https://mlflow.internal.example.com");
  });

  it("leaves out what the platform does not run", () => {
    const minimal = synthPlatform({
      preset: "minimal",
      name: "cpu",
      environment: "dev",
      region: "eu-west-1",
    });
    expect(Object.keys(ownOutputs(minimal.platform))).toEqual([]);
  });
});
