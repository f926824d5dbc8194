import { TerraformOutput } from "cdktf";
import { describe, expect, it } from "vitest";
import {
  CONTROL_PLANE_LOG_TYPES,
  DEFAULT_KUBERNETES_VERSION,
  EksCluster,
  SUPPORTED_KUBERNETES_VERSIONS,
} from "../../../constructs/cluster";
import { onlyResource, resourcesOf, synthStack } from "../../support/synth";
import {
  ADMIN_ROLE,
  addressOf,
  BASE_PROPS,
  BREAK_GLASS_USER,
  buildCluster,
  onlyKeyArnRef,
  policyDocumentStatements,
  synthCluster,
} from "./fixtures";

describe("EksCluster", () => {
  const json = synthCluster({
    adminPrincipalArns: [ADMIN_ROLE, BREAK_GLASS_USER],
    nodePools: { system: {} },
  });
  const cluster = onlyResource(json, "aws_eks_cluster");

  it("encrypts secrets with the customer key it creates, with rotation on", () => {
    expect(cluster.encryption_config).toEqual({
      resources: ["secrets"],
      provider: { key_arn: onlyKeyArnRef(json) },
    });
    expect(onlyResource(json, "aws_kms_key").enable_key_rotation).toBe(true);
  });

  it("keeps the API endpoint private by default", () => {
    const vpc = cluster.vpc_config as Record<string, unknown>;
    expect(vpc.endpoint_private_access).toBe(true);
    expect(vpc.endpoint_public_access).toBe(false);
    expect(vpc.public_access_cidrs).toBeUndefined();
    expect(vpc.subnet_ids).toEqual(BASE_PROPS.subnetIds);
  });

  it("sends all five control plane log types to an encrypted log group created first", () => {
    expect(cluster.enabled_cluster_log_types).toEqual([
      "api",
      "audit",
      "authenticator",
      "controllerManager",
      "scheduler",
    ]);
    const logGroup = onlyResource(json, "aws_cloudwatch_log_group");
    expect(logGroup.name).toBe("/aws/eks/ml/cluster");
    expect(logGroup.kms_key_id).toBe(onlyKeyArnRef(json));
    expect(logGroup.retention_in_days).toBe(90);
    expect(cluster.depends_on).toContain(addressOf(json, "aws_cloudwatch_log_group", "LogGroup"));
  });

  it("lets CloudWatch Logs and Auto Scaling use the key it creates", () => {
    const key = onlyResource(json, "aws_kms_key");
    const sids = policyDocumentStatements(json, key.policy).map((s) => s.sid);
    expect(sids).toEqual(expect.arrayContaining(["CloudWatchLogs", "AutoScalingUse"]));
  });

  it("authenticates through access entries only, without implicit creator admin", () => {
    expect(cluster.access_config).toEqual({
      authentication_mode: "API",
      bootstrap_cluster_creator_admin_permissions: false,
    });
    expect(cluster.bootstrap_self_managed_addons).toBe(false);
  });

  it("gives each admin principal an access entry and cluster-scoped AmazonEKSClusterAdminPolicy", () => {
    const entries = Object.values(resourcesOf(json, "aws_eks_access_entry"));
    expect(entries.map((e) => e.principal_arn).sort()).toEqual([ADMIN_ROLE, BREAK_GLASS_USER].sort());
    expect(entries.every((e) => e.type === "STANDARD")).toBe(true);
    const associations = Object.values(resourcesOf(json, "aws_eks_access_policy_association"));
    expect(associations).toHaveLength(2);
    for (const a of associations) {
      expect(String(a.policy_arn)).toMatch(/:eks::aws:cluster-access-policy\/AmazonEKSClusterAdminPolicy$/);
      expect(a.access_scope).toEqual({ type: "cluster" });
      expect(String(a.principal_arn)).toMatch(/^\$\{aws_eks_access_entry\./);
    }
  });

  it("keys access entries by principal, so reordering the list does not replace them", () => {
    const reordered = synthCluster({ adminPrincipalArns: [BREAK_GLASS_USER, ADMIN_ROLE] });
    expect(Object.keys(resourcesOf(reordered, "aws_eks_access_entry")).sort()).toEqual(
      Object.keys(resourcesOf(json, "aws_eks_access_entry")).sort(),
    );
  });

  it("protects the cluster, its key and its audit log group from destruction", () => {
    expect(cluster.lifecycle).toEqual({ prevent_destroy: true });
    expect(cluster.deletion_protection).toBe(true);
    expect(onlyResource(json, "aws_kms_key").lifecycle).toEqual({ prevent_destroy: true });
    expect(onlyResource(json, "aws_cloudwatch_log_group").lifecycle).toEqual({ prevent_destroy: true });
  });

  it("drops the protection when preventDestroy is false (sandbox)", () => {
    const sandbox = synthCluster({ preventDestroy: false });
    expect(onlyResource(sandbox, "aws_eks_cluster").lifecycle).toBeUndefined();
    expect(onlyResource(sandbox, "aws_eks_cluster").deletion_protection).toBe(false);
    expect(onlyResource(sandbox, "aws_kms_key").lifecycle).toBeUndefined();
  });

  it("uses the cluster role with AmazonEKSClusterPolicy and key access for envelope encryption", () => {
    const roleRef = String(cluster.role_arn);
    expect(roleRef).toMatch(/^\$\{aws_iam_role\..*ClusterRole.*\.arn\}$/);
    const attachments = Object.values(resourcesOf(json, "aws_iam_role_policy_attachment"));
    expect(
      attachments.some((a) => String(a.policy_arn).endsWith(":iam::aws:policy/AmazonEKSClusterPolicy")),
    ).toBe(true);
    const inline = Object.values(resourcesOf(json, "aws_iam_role_policy")).find(
      (p) => p.name === "cluster-encryption",
    );
    const [statement] = policyDocumentStatements(json, inline?.policy);
    expect(statement?.resources).toEqual([onlyKeyArnRef(json)]);
    expect(statement?.actions).toEqual(expect.arrayContaining(["kms:Encrypt", "kms:Decrypt"]));
  });

  it("creates an IAM OIDC provider for IRSA from the cluster issuer", () => {
    const oidc = onlyResource(json, "aws_iam_openid_connect_provider");
    expect(oidc.client_id_list).toEqual(["sts.amazonaws.com"]);
    expect(oidc.url).toMatch(/^\$\{aws_eks_cluster\.[^.]+\.identity\[0\]\.oidc\[0\]\.issuer\}$/);
    expect(oidc.thumbprint_list).toBeUndefined();
  });

  it(`defaults to Kubernetes ${DEFAULT_KUBERNETES_VERSION} and accepts every supported version`, () => {
    expect(cluster.version).toBe(DEFAULT_KUBERNETES_VERSION);
    for (const version of SUPPORTED_KUBERNETES_VERSIONS) {
      expect(onlyResource(synthCluster({ kubernetesVersion: version }), "aws_eks_cluster").version).toBe(
        version,
      );
    }
  });

  it("opens the public endpoint only to the given CIDRs", () => {
    const pub = synthCluster({ endpointPublicAccess: true, publicAccessCidrs: ["203.0.113.0/24"] });
    const vpc = onlyResource(pub, "aws_eks_cluster").vpc_config as Record<string, unknown>;
    expect(vpc.endpoint_public_access).toBe(true);
    expect(vpc.endpoint_private_access).toBe(true);
    expect(vpc.public_access_cidrs).toEqual(["203.0.113.0/24"]);
  });

  it("uses a bring-your-own key everywhere and creates none", () => {
    const byo = "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555";
    const own = synthCluster({ kmsKeyArn: byo, logRetentionInDays: 365, nodePools: { system: {} } });
    expect(resourcesOf(own, "aws_kms_key")).toEqual({});
    expect(onlyResource(own, "aws_eks_cluster").encryption_config).toEqual({
      resources: ["secrets"],
      provider: { key_arn: byo },
    });
    expect(onlyResource(own, "aws_cloudwatch_log_group")).toMatchObject({
      kms_key_id: byo,
      retention_in_days: 365,
    });
    const lt = onlyResource(own, "aws_launch_template");
    const devices = lt.block_device_mappings as { ebs: Record<string, unknown> }[];
    expect(devices[0]?.ebs.kms_key_id).toBe(byo);
  });

  it("sets the service CIDR and support type when given", () => {
    const custom = onlyResource(
      synthCluster({ serviceIpv4Cidr: "172.20.0.0/16", supportType: "STANDARD" }),
      "aws_eks_cluster",
    );
    expect(custom.kubernetes_network_config).toEqual({
      ip_family: "ipv4",
      service_ipv4_cidr: "172.20.0.0/16",
    });
    expect(custom.upgrade_policy).toEqual({ support_type: "STANDARD" });
  });

  it("merges global and cluster tags on the cluster", () => {
    const tagged = onlyResource(
      synthCluster({ tags: { team: "ml", env: "dev" }, clusterTags: { env: "prod-like" } }),
      "aws_eks_cluster",
    );
    expect(tagged.tags).toEqual({ team: "ml", env: "prod-like" });
  });

  it("hands plain context values to ClusterContext", () => {
    const out = synthStack((stack) => {
      const eks = new EksCluster(stack, "Eks", BASE_PROPS);
      new TerraformOutput(stack, "context", { value: eks.contextProps() });
    });
    {
      const values = (out.output?.context as { value: Record<string, unknown> } | undefined)?.value ?? {};
      expect(values).toMatchObject({
        vpcId: BASE_PROPS.vpcId,
        privateSubnetIds: BASE_PROPS.subnetIds,
        kubernetesVersion: DEFAULT_KUBERNETES_VERSION,
        preventDestroy: true,
      });
      expect(values.clusterName).toMatch(/^\$\{aws_eks_cluster\.[^.]+\.name\}$/);
      expect(values.endpoint).toMatch(/^\$\{aws_eks_cluster\.[^.]+\.endpoint\}$/);
      expect(values.certificateAuthorityData).toMatch(/certificate_authority\[0\]\.data\}$/);
      expect(values.oidcIssuerUrl).toMatch(/identity\[0\]\.oidc\[0\]\.issuer\}$/);
      expect(values.oidcProviderArn).toMatch(/^\$\{aws_iam_openid_connect_provider\.[^.]+\.arn\}$/);
      expect(values.clusterSecurityGroupId).toMatch(/vpc_config\[0\]\.cluster_security_group_id\}$/);
      expect(values.kmsKeyArn).toMatch(/^\$\{aws_kms_key\.[^.]+\.arn\}$/);
      expect(values.region).toMatch(/^\$\{data\.aws_region\.[^.]+\.region\}$/);
    }
  });

  it("exports the control plane log types it enables", () => {
    expect([...CONTROL_PLANE_LOG_TYPES]).toEqual(cluster.enabled_cluster_log_types);
  });
});

describe("EksCluster validation", () => {
  it("fails when the public endpoint has no CIDRs", () => {
    expect(() => buildCluster({ endpointPublicAccess: true })).toThrow(/publicAccessCidrs.*non-empty/);
    expect(() => buildCluster({ endpointPublicAccess: true, publicAccessCidrs: [] })).toThrow(
      /Invalid publicAccessCidrs: got \[\]/,
    );
  });

  it("fails when the public endpoint is opened to 0.0.0.0/0 or ::/0", () => {
    expect(() =>
      buildCluster({ endpointPublicAccess: true, publicAccessCidrs: ["203.0.113.0/24", "0.0.0.0/0"] }),
    ).toThrow(/Invalid publicAccessCidrs: got "0\.0\.0\.0\/0".*whole internet/);
    expect(() => buildCluster({ endpointPublicAccess: true, publicAccessCidrs: ["::/0"] })).toThrow(
      /got "::\/0".*whole internet/,
    );
  });

  it("fails when a public access CIDR is malformed", () => {
    expect(() => buildCluster({ endpointPublicAccess: true, publicAccessCidrs: ["203.0.113.7"] })).toThrow(
      /publicAccessCidrs: got "203\.0\.113\.7".*CIDR block/,
    );
  });

  it("fails when CIDRs are given for a private endpoint", () => {
    expect(() => buildCluster({ publicAccessCidrs: ["203.0.113.0/24"] })).toThrow(
      /publicAccessCidrs.*unless endpointPublicAccess is true/,
    );
  });

  it("fails when the Kubernetes version is unsupported", () => {
    expect(() => buildCluster({ kubernetesVersion: "1.30" })).toThrow(
      /Invalid kubernetesVersion: got "1\.30"; expected .*1\.32, 1\.33, 1\.34, 1\.35/,
    );
    expect(() => buildCluster({ kubernetesVersion: "1.37" })).toThrow(/kubernetesVersion: got "1\.37"/);
    expect(() => buildCluster({ kubernetesVersion: "1.34.2" })).toThrow(/kubernetesVersion/);
  });

  it("fails when fewer than two subnets are given", () => {
    expect(() => buildCluster({ subnetIds: ["subnet-aaaa1111"] })).toThrow(/subnetIds.*at least 2/);
    expect(() => buildCluster({ subnetIds: ["subnet-aaaa1111", "subnet-aaaa1111"] })).toThrow(/distinct/);
  });

  it("fails when the log retention is not a CloudWatch value", () => {
    expect(() => buildCluster({ logRetentionInDays: 45 })).toThrow(
      /logRetentionInDays: got 45; expected one of/,
    );
  });

  it("fails when an admin principal is an STS session or not an IAM ARN", () => {
    expect(() =>
      buildCluster({ adminPrincipalArns: ["arn:aws:sts::123456789012:assumed-role/Admin/alice"] }),
    ).toThrow(/adminPrincipalArns.*not an STS session/);
    expect(() => buildCluster({ adminPrincipalArns: ["Admin"] })).toThrow(/adminPrincipalArns: got "Admin"/);
    expect(() => buildCluster({ adminPrincipalArns: [ADMIN_ROLE, ADMIN_ROLE] })).toThrow(/listed once/);
  });

  it("fails when the cluster name is invalid", () => {
    expect(() => buildCluster({ clusterName: "-ml" })).toThrow(/clusterName: got "-ml"/);
  });

  it("fails when the service CIDR is not a private range", () => {
    expect(() => buildCluster({ serviceIpv4Cidr: "8.8.0.0/16" })).toThrow(
      /serviceIpv4Cidr: got "8\.8\.0\.0\/16"/,
    );
  });

  it("fails when a node pool name is added twice", () => {
    expect(() => synthCluster({ nodePools: { system: {} } }, (c) => c.addNodePool("system"))).toThrow(
      /nodePools key: got "system"; expected a pool name not used yet/,
    );
  });
});
