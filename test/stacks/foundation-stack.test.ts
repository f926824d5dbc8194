import { beforeAll, describe, expect, it } from "vitest";
import { EMBEDDED_DEFAULT } from "../../config/presets";
import { synthPlatform } from "../support/platform";
import { resourcesOf, type SynthJson } from "../support/synth";

type Res = Record<string, unknown> & { lifecycle?: { prevent_destroy?: boolean } };

/** Acceptance properties of the default configuration's foundation stack. */
describe("default platform: foundation stack", () => {
  let json: SynthJson;
  beforeAll(() => {
    json = synthPlatform().foundation;
  });

  it("has a private EKS cluster with envelope-encrypted secrets and every control-plane log type", () => {
    const clusters = Object.values(resourcesOf(json, "aws_eks_cluster")) as Res[];
    expect(clusters).toHaveLength(1);
    const c = clusters[0] as {
      vpc_config: { endpoint_public_access: boolean; endpoint_private_access: boolean };
      encryption_config: { resources: string[]; provider: { key_arn: string } };
      enabled_cluster_log_types: string[];
      access_config: { authentication_mode: string };
      kubernetes_network_config: { service_ipv4_cidr: string };
    };
    expect(c.vpc_config.endpoint_public_access).toBe(false);
    expect(c.vpc_config.endpoint_private_access).toBe(true);
    expect(c.encryption_config.resources).toEqual(["secrets"]);
    expect(c.encryption_config.provider.key_arn).toMatch(/^\$\{aws_kms_key\./);
    expect([...c.enabled_cluster_log_types].sort()).toEqual([
      "api",
      "audit",
      "authenticator",
      "controllerManager",
      "scheduler",
    ]);
    expect(c.access_config.authentication_mode).toBe("API");
    expect(c.kubernetes_network_config.service_ipv4_cidr).toBe("172.20.0.0/16");
  });

  it("requires IMDSv2 with hop limit 1 and encrypted gp3 volumes in every launch template", () => {
    const templates = Object.values(resourcesOf(json, "aws_launch_template")) as {
      metadata_options: { http_tokens: string; http_put_response_hop_limit: number };
      block_device_mappings: { ebs: { encrypted: string | boolean; volume_type: string } }[];
    }[];
    expect(templates.length).toBeGreaterThanOrEqual(1);
    for (const t of templates) {
      expect(t.metadata_options.http_tokens).toBe("required");
      expect(t.metadata_options.http_put_response_hop_limit).toBe(1);
      for (const b of t.block_device_mappings) {
        expect(String(b.ebs.encrypted)).toBe("true");
        expect(b.ebs.volume_type).toBe("gp3");
      }
    }
  });

  it("has managed node groups only for the managed pools: the GPU and batch pools are Karpenter's", () => {
    const groups = Object.values(resourcesOf(json, "aws_eks_node_group")) as {
      node_group_name_prefix: string;
    }[];
    expect(groups.map((g) => g.node_group_name_prefix)).toEqual(["system-"]);
  });

  it("with autoscaler none, has a GPU node group with an NVIDIA AMI type, the GPU taint and scale-to-zero", () => {
    const none = synthPlatform({ ...EMBEDDED_DEFAULT, capacity: { autoscaler: "none" } }).foundation;
    const groups = Object.values(resourcesOf(none, "aws_eks_node_group")) as {
      ami_type: string;
      taint?: { key: string; value: string; effect: string }[];
      scaling_config: { min_size: number };
      labels: Record<string, string>;
    }[];
    const gpu = groups.filter((g) => g.ami_type.includes("NVIDIA"));
    expect(gpu).toHaveLength(1);
    expect(gpu[0].taint).toContainEqual({ key: "nvidia.com/gpu", value: "true", effect: "NO_SCHEDULE" });
    expect(gpu[0].scaling_config.min_size).toBe(0);
    const cpu = groups.filter((g) => !g.ami_type.includes("NVIDIA"));
    expect(cpu.length).toBeGreaterThanOrEqual(1);
    for (const g of cpu)
      expect(g.taint ?? []).not.toContainEqual(expect.objectContaining({ key: "nvidia.com/gpu" }));
  });

  it("encrypts every data lake bucket with SSE-KMS, versions it, blocks public access and denies non-TLS", () => {
    const buckets = resourcesOf(json, "aws_s3_bucket");
    expect(Object.keys(buckets).length).toBe(5); // four zones and the access-log bucket
    const sse = Object.values(resourcesOf(json, "aws_s3_bucket_server_side_encryption_configuration")) as {
      bucket: string;
      rule: {
        apply_server_side_encryption_by_default: { sse_algorithm: string; kms_master_key_id?: string };
      }[];
    }[];
    const kms = sse.filter(
      (s) => s.rule[0].apply_server_side_encryption_by_default.sse_algorithm === "aws:kms",
    );
    expect(kms).toHaveLength(4);
    for (const s of kms)
      expect(s.rule[0].apply_server_side_encryption_by_default.kms_master_key_id).toMatch(/aws_kms_key/);
    const versioning = Object.values(resourcesOf(json, "aws_s3_bucket_versioning")) as {
      versioning_configuration: { status: string };
    }[];
    expect(versioning).toHaveLength(5);
    for (const v of versioning) expect(v.versioning_configuration.status).toBe("Enabled");
    const blocks = Object.values(resourcesOf(json, "aws_s3_bucket_public_access_block")) as Record<
      string,
      unknown
    >[];
    expect(blocks).toHaveLength(5);
    for (const b of blocks) {
      expect(b).toMatchObject({
        block_public_acls: true,
        block_public_policy: true,
        ignore_public_acls: true,
        restrict_public_buckets: true,
      });
    }
    const policies = Object.values(resourcesOf(json, "aws_s3_bucket_policy")) as { policy: string }[];
    expect(policies).toHaveLength(5);
    const docs = Object.values(json.data?.aws_iam_policy_document ?? {}) as {
      statement?: { effect?: string; condition?: { variable: string; values: string[] }[] }[];
    }[];
    const tlsDenies = docs.filter((d) =>
      (d.statement ?? []).some(
        (s) =>
          s.effect === "Deny" &&
          (s.condition ?? []).some((c) => c.variable === "aws:SecureTransport" && c.values.includes("false")),
      ),
    );
    expect(tlsDenies.length).toBeGreaterThanOrEqual(5);
  });

  it("rotates every KMS key", () => {
    const keys = Object.values(resourcesOf(json, "aws_kms_key")) as { enable_key_rotation: boolean }[];
    expect(keys.length).toBeGreaterThanOrEqual(3);
    for (const k of keys) expect(k.enable_key_rotation).toBe(true);
  });

  it("protects stateful resources with prevent_destroy", () => {
    for (const type of [
      "aws_s3_bucket",
      "aws_kms_key",
      "aws_glue_catalog_database",
      "aws_eks_cluster",
      "aws_ecr_repository",
    ]) {
      const all = Object.entries(resourcesOf(json, type)) as [string, Res][];
      expect(all.length, type).toBeGreaterThan(0);
      for (const [name, r] of all) expect(r.lifecycle?.prevent_destroy, `${type}.${name}`).toBe(true);
    }
    for (const b of Object.values(resourcesOf(json, "aws_s3_bucket")) as Res[])
      expect(b.force_destroy).toBe(false);
  });

  it("drops prevent_destroy in a sandbox", () => {
    const sandbox = synthPlatform({
      preset: "minimal",
      name: "play",
      environment: "dev",
      region: "eu-west-1",
      sandbox: true,
    });
    for (const type of ["aws_s3_bucket", "aws_kms_key", "aws_eks_cluster", "aws_ecr_repository"]) {
      const all = Object.values(resourcesOf(sandbox.foundation, type)) as Res[];
      expect(all.length, type).toBeGreaterThan(0);
      for (const r of all) {
        expect(r.lifecycle?.prevent_destroy ?? false).toBe(false);
      }
    }
  });

  it("has the inference service's ECR repository, immutable, scanned on push, under the cluster's platform key", () => {
    const repos = Object.values(resourcesOf(json, "aws_ecr_repository")) as (Res & {
      name: string;
      image_tag_mutability: string;
      image_scanning_configuration: { scan_on_push: boolean };
      encryption_configuration: { encryption_type: string; kms_key: string }[];
      force_delete: boolean;
    })[];
    expect(repos.map((r) => r.name)).toEqual(["mlops-dev/inference-service"]);
    const [repo] = repos;
    expect(repo.image_tag_mutability).toBe("IMMUTABLE");
    expect(repo.image_scanning_configuration.scan_on_push).toBe(true);
    expect(repo.force_delete).toBe(false);
    const cluster = Object.values(resourcesOf(json, "aws_eks_cluster"))[0] as {
      encryption_config: { provider: { key_arn: string } };
    };
    expect(repo.encryption_configuration).toEqual([
      { encryption_type: "KMS", kms_key: cluster.encryption_config.provider.key_arn },
    ]);
    expect(Object.keys(resourcesOf(json, "aws_ecr_lifecycle_policy"))).toHaveLength(1);
  });

  it("creates no repository and no ECR outputs with registry.repositories: {}", () => {
    // Without the repository the default serving deployment needs an image repository of its own.
    const serving = {
      ...EMBEDDED_DEFAULT.addons?.serving,
      image: { repository: "registry.example.com/inference-service", digest: `sha256:${"1".repeat(64)}` },
    };
    const none = synthPlatform({
      ...EMBEDDED_DEFAULT,
      registry: { repositories: {} },
      addons: { serving },
    }).foundation;
    expect(resourcesOf(none, "aws_ecr_repository")).toEqual({});
    expect(Object.keys(none.output ?? {}).filter((o) => o.startsWith("ecr_"))).toEqual([]);
  });

  it("alarms on data lake 4xx spikes only when requestMetrics is enabled, with the topic as an output", () => {
    expect(resourcesOf(json, "aws_cloudwatch_metric_alarm")).toEqual({});
    expect(json.output?.data_lake_alarm_topic_arn).toBeUndefined();
    const on = synthPlatform({
      preset: "minimal",
      name: "acme",
      environment: "dev",
      region: "eu-west-1",
      dataLake: { requestMetrics: { enabled: true, accessDeniedThreshold: 5 } },
    }).foundation;
    const alarms = Object.values(resourcesOf(on, "aws_cloudwatch_metric_alarm"));
    expect(alarms).toHaveLength(Object.keys(resourcesOf(on, "aws_s3_bucket_metric")).length);
    expect(alarms.length).toBeGreaterThan(0);
    for (const alarm of alarms) expect(alarm).toMatchObject({ metric_name: "4xxErrors", threshold: 5 });
    const topic = Object.keys(resourcesOf(on, "aws_sns_topic"))[0];
    expect(on.output?.data_lake_alarm_topic_arn).toMatchObject({
      value: `\${aws_sns_topic.${topic}.arn}`,
      description: expect.stringMatching(/SNS topic/),
    });
  });

  it("uses a local backend by default and an encrypted, lock-file S3 backend when configured", () => {
    expect(json.terraform?.backend).toMatchObject({
      local: { path: "../../../terraform.mlops-dev-foundation.tfstate" },
    });
    const s3 = synthPlatform({
      preset: "minimal",
      name: "acme",
      environment: "prod",
      region: "eu-central-1",
      stateBackend: { type: "s3", bucket: "acme-tf-state" },
    });
    expect(s3.foundation.terraform?.backend).toEqual({
      s3: {
        bucket: "acme-tf-state",
        key: "mlops-platform/acme-prod-foundation.tfstate",
        region: "eu-central-1",
        encrypt: true,
        use_lockfile: true,
      },
    });
  });
});
