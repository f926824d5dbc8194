import { TerraformOutput } from "cdktf";
import { describe, expect, it } from "vitest";
import { TEST_PLATFORM } from "../../../../support/cluster";
import { dataOf, onlyResource, parsePolicy, resourcesOf } from "../../../../support/synth";
import { CLUSTER_SG, type domainProps, type Json, PLATFORM_KEY, synthDomain, WRITER } from "./support";

/** References to the stack's AwsContext data sources, as cdktf renders them. */
function contextRefs(json: Json) {
  const partition = `data.aws_partition.${Object.keys(dataOf(json, "aws_partition"))[0]}`;
  const caller = `data.aws_caller_identity.${Object.keys(dataOf(json, "aws_caller_identity"))[0]}`;
  const region = `data.aws_region.${Object.keys(dataOf(json, "aws_region"))[0]}`;
  return {
    partition: `\${${partition}.partition}`,
    dnsSuffix: `\${${partition}.dns_suffix}`,
    account: `\${${caller}.account_id}`,
    region: `\${${region}.region}`,
  };
}

/** The policy document data source a resource's policy attribute references, as its statement list. */
function policyDocument(json: Json, ref: string): Json[] {
  const m = /^\$\{data\.aws_iam_policy_document\.([^.]+)\.json\}$/.exec(ref);
  if (!m) throw new Error(`not a policy document reference: ${ref}`);
  return dataOf(json, "aws_iam_policy_document")[m[1]].statement as Json[];
}

describe("OpenSearchServiceDomain (defaults, dev)", () => {
  const { json, domain: construct } = synthDomain({}, {}, (stack, d) => {
    d.grantWrite("collector", { roleName: "acme-dev-log-collector" });
    // What the construct exposes, rendered by Terraform so the references can be compared.
    new TerraformOutput(stack, "probe", {
      value: { endpoint: d.endpoint, arn: d.domainArn, sg: d.securityGroupId, name: d.domainName },
    });
  });
  const domain = onlyResource(json, "aws_opensearch_domain") as Json;
  const domainKey = Object.keys(resourcesOf(json, "aws_opensearch_domain"))[0];
  const sgKey = Object.keys(resourcesOf(json, "aws_security_group"))[0];
  const ctx = contextRefs(json);
  const domainArn = `arn:${ctx.partition}:es:${ctx.region}:${ctx.account}:domain/acme-dev-logs`;

  it("encrypts at rest with the platform KMS key and between nodes", () => {
    expect(domain.encrypt_at_rest).toEqual({ enabled: true, kms_key_id: PLATFORM_KEY });
    expect(domain.node_to_node_encryption).toEqual({ enabled: true });
  });

  it("enforces HTTPS with the TLS 1.2+ forward-secrecy policy", () => {
    expect(domain.domain_endpoint_options).toEqual({
      enforce_https: true,
      tls_security_policy: "Policy-Min-TLS-1-2-PFS-2023-10",
    });
  });

  it("turns fine-grained access control on with an IAM master user, no internal database, no anonymous access", () => {
    expect(domain.advanced_security_options).toEqual({
      enabled: true,
      anonymous_auth_enabled: false,
      internal_user_database_enabled: false,
      master_user_options: {
        master_user_arn: `\${aws_iam_role.${Object.keys(resourcesOf(json, "aws_iam_role"))[0]}.arn}`,
      },
    });
    expect(JSON.stringify(domain)).not.toMatch(/master_user_password|master_user_name/);
  });

  it("creates the default master role trusting only this account, with no permissions of its own", () => {
    const role = onlyResource(json, "aws_iam_role") as Json;
    expect(role.name).toBe("acme-dev-logs-admin");
    const trust = policyDocument(json, role.assume_role_policy);
    expect(trust).toEqual([
      {
        actions: ["sts:AssumeRole"],
        effect: "Allow",
        principals: [
          {
            identifiers: [`arn:${ctx.partition}:iam::${ctx.account}:root`],
            type: "AWS",
          },
        ],
      },
    ]);
    // The only inline policy is the collector's grant; nothing is attached to the admin role.
    expect(Object.values(resourcesOf(json, "aws_iam_role_policy")).map((p) => p.role)).toEqual([
      "acme-dev-log-collector",
    ]);
    expect(resourcesOf(json, "aws_iam_role_policy_attachment")).toEqual({});
  });

  it("sits in the private subnets, one data node per AZ, zone awareness over both AZs, no dedicated masters in dev", () => {
    expect(domain.vpc_options).toEqual({
      subnet_ids: TEST_PLATFORM.privateSubnetIds,
      security_group_ids: [`\${aws_security_group.${sgKey}.id}`],
    });
    expect(domain.cluster_config).toEqual({
      instance_type: "r7g.large.search",
      instance_count: 2,
      zone_awareness_enabled: true,
      zone_awareness_config: { availability_zone_count: 2 },
      dedicated_master_enabled: false,
    });
    expect(domain.engine_version).toBe("OpenSearch_2.19");
    expect(domain.domain_name).toBe("acme-dev-logs");
    expect(domain.ebs_options).toEqual({
      ebs_enabled: true,
      volume_type: "gp3",
      volume_size: 100,
      iops: 3000,
      throughput: 125,
    });
    expect(domain.auto_tune_options).toEqual({
      desired_state: "ENABLED",
      rollback_on_disable: "NO_ROLLBACK",
      use_off_peak_window: true,
    });
  });

  it("admits 443 only from the EKS cluster security group: no CIDR, no egress, nothing open", () => {
    const sg = onlyResource(json, "aws_security_group") as Json;
    expect(sg.vpc_id).toBe(TEST_PLATFORM.vpcId);
    expect(sg.ingress).toBeUndefined();
    expect(sg.egress).toBeUndefined();
    const rules = Object.values(resourcesOf(json, "aws_vpc_security_group_ingress_rule")) as Json[];
    expect(rules).toHaveLength(1);
    expect(rules[0]).toMatchObject({
      security_group_id: `\${aws_security_group.${sgKey}.id}`,
      referenced_security_group_id: CLUSTER_SG,
      ip_protocol: "tcp",
      from_port: 443,
      to_port: 443,
    });
    expect(rules[0].cidr_ipv4).toBeUndefined();
    expect(resourcesOf(json, "aws_vpc_security_group_egress_rule")).toEqual({});
    expect(JSON.stringify(json)).not.toContain("0.0.0.0/0");
  });

  it("publishes audit, application and slow logs to KMS-encrypted log groups with retention", () => {
    const groups = resourcesOf(json, "aws_cloudwatch_log_group");
    const byName = Object.fromEntries(
      Object.entries(groups).map(([k, g]) => [g.name as string, [k, g] as [string, Json]]),
    );
    expect(Object.keys(byName).sort()).toEqual(
      ["application", "audit", "index-slow", "search-slow"].map((s) => `/aws/opensearch/acme-dev-logs/${s}`),
    );
    for (const [, g] of Object.values(byName)) {
      expect(g).toMatchObject({ kms_key_id: PLATFORM_KEY, retention_in_days: 365 });
    }
    const key = (suffix: string) => byName[`/aws/opensearch/acme-dev-logs/${suffix}`][0];
    expect(domain.log_publishing_options).toEqual(
      expect.arrayContaining(
        [
          ["AUDIT_LOGS", "audit"],
          ["ES_APPLICATION_LOGS", "application"],
          ["SEARCH_SLOW_LOGS", "search-slow"],
          ["INDEX_SLOW_LOGS", "index-slow"],
        ].map(([type, suffix]) => ({
          log_type: type,
          cloudwatch_log_group_arn: `\${aws_cloudwatch_log_group.${key(suffix)}.arn}`,
          enabled: true,
        })),
      ),
    );
    expect(domain.log_publishing_options).toHaveLength(4);
    expect(byName["/aws/opensearch/acme-dev-logs/audit"][1].lifecycle).toEqual({ prevent_destroy: true });
  });

  it("lets only es.amazonaws.com write exactly those groups, for this account and this domain", () => {
    const policy = onlyResource(json, "aws_cloudwatch_log_resource_policy") as Json;
    const [statement] = policyDocument(json, policy.policy_document);
    expect(statement.principals).toEqual([
      {
        type: "Service",
        identifiers: [`es.${ctx.dnsSuffix}`],
      },
    ]);
    expect(statement.actions).toEqual(["logs:CreateLogStream", "logs:PutLogEvents"]);
    expect(statement.resources.sort()).toEqual(
      Object.keys(resourcesOf(json, "aws_cloudwatch_log_group"))
        .map((k) => `\${aws_cloudwatch_log_group.${k}.arn}:*`)
        .sort(),
    );
    expect(statement.condition).toEqual([
      {
        test: "StringEquals",
        variable: "aws:SourceAccount",
        values: [ctx.account],
      },
      { test: "ArnLike", variable: "aws:SourceArn", values: [domainArn] },
    ]);
    const policyKey = Object.keys(resourcesOf(json, "aws_cloudwatch_log_resource_policy"))[0];
    expect(domain.depends_on).toEqual([`aws_cloudwatch_log_resource_policy.${policyKey}`]);
  });

  it("grants HTTP access to exactly the writers (write methods) and the master role, on this domain only", () => {
    const statements = policyDocument(json, domain.access_policies);
    const roleKey = Object.keys(resourcesOf(json, "aws_iam_role"))[0];
    const principals = statements.flatMap((s) => s.principals.flatMap((p: Json) => p.identifiers));
    expect(principals.sort()).toEqual([WRITER, `\${aws_iam_role.${roleKey}.arn}`].sort());
    expect(JSON.stringify(statements)).not.toContain('"*"');
    for (const s of statements) {
      expect(s.principals.map((p: Json) => p.type)).toEqual(["AWS"]);
      expect(s.resources).toEqual([`${domainArn}/*`]);
    }
    const writers = statements.find((s) => s.sid === "Writers") as Json;
    expect(writers.actions).toEqual(["es:ESHttpPost", "es:ESHttpPut", "es:ESHttpGet", "es:ESHttpHead"]);
  });

  it("protects the domain with prevent_destroy and tags it as the logging component", () => {
    expect(domain.lifecycle).toEqual({ prevent_destroy: true });
    expect(domain.tags).toMatchObject({ "mlops.io/component": "logging" });
    expect(resourcesOf(json, "aws_iam_service_linked_role")).toEqual({});
  });

  it("exposes endpoint, ARN, name and security group, and outputs endpoint and ARN with descriptions", () => {
    const { probe, ...rest } = json.output as Json;
    expect(probe.value).toEqual({
      endpoint: `\${aws_opensearch_domain.${domainKey}.endpoint}`,
      arn: `\${aws_opensearch_domain.${domainKey}.arn}`,
      sg: `\${aws_security_group.${sgKey}.id}`,
      name: "acme-dev-logs",
    });
    expect(construct.domainName).toBe("acme-dev-logs");
    const outputs = Object.values(rest) as Json[];
    expect(outputs.map((o) => o.value).sort()).toEqual(
      [
        `\${aws_opensearch_domain.${domainKey}.arn}`,
        `\${aws_opensearch_domain.${domainKey}.endpoint}`,
      ].sort(),
    );
    for (const o of outputs) expect(o.description).toMatch(/acme-dev-logs OpenSearch Service domain/);
  });

  it("grants a writer's role the four write/read HTTP methods on this domain's paths only", () => {
    const policy = onlyResource(json, "aws_iam_role_policy") as Json;
    expect(policy).toMatchObject({ role: "acme-dev-log-collector", name: "acme-dev-logs-write" });
    expect(parsePolicy(policy.policy).Statement).toEqual([
      {
        Sid: "WriteLogsToOpenSearch",
        Effect: "Allow",
        Action: ["es:ESHttpPost", "es:ESHttpPut", "es:ESHttpGet", "es:ESHttpHead"],
        Resource: [`\${aws_opensearch_domain.${domainKey}.arn}/*`],
      },
    ]);
  });
});

describe("OpenSearchServiceDomain (configured)", () => {
  it("uses dedicated masters in production, three by default", () => {
    const { json } = synthDomain({}, { production: true });
    const domain = onlyResource(json, "aws_opensearch_domain") as Json;
    expect(domain.cluster_config).toMatchObject({
      dedicated_master_enabled: true,
      dedicated_master_type: "m7g.large.search",
      dedicated_master_count: 3,
    });
  });

  it("spreads over three AZs at most and uses the configured master user, sizes and retention", () => {
    const subnets = ["subnet-a", "subnet-b", "subnet-c", "subnet-d"];
    const master = "arn:aws:iam::123456789012:role/platform-admin";
    const { json } = synthDomain(
      {
        masterUserArn: master,
        instanceCount: 6,
        dedicatedMaster: { enabled: true, count: 5 },
        ebs: { volumeSizeInGiB: 500, iops: 6000, throughputInMiBps: 250 },
        logRetentionInDays: 731,
        autoTuneEnabled: false,
      },
      { privateSubnetIds: subnets, preventDestroy: false, createServiceLinkedRole: true },
    );
    const domain = onlyResource(json, "aws_opensearch_domain") as Json;
    expect(domain.vpc_options.subnet_ids).toEqual(subnets.slice(0, 3));
    expect(domain.cluster_config).toMatchObject({
      instance_count: 6,
      zone_awareness_config: { availability_zone_count: 3 },
      dedicated_master_count: 5,
    });
    expect(domain.advanced_security_options.master_user_options).toEqual({ master_user_arn: master });
    expect(resourcesOf(json, "aws_iam_role")).toEqual({});
    expect(domain.ebs_options).toMatchObject({ volume_size: 500, iops: 6000, throughput: 250 });
    expect(domain.auto_tune_options.desired_state).toBe("DISABLED");
    expect(domain.lifecycle).toBeUndefined();
    for (const g of Object.values(resourcesOf(json, "aws_cloudwatch_log_group"))) {
      expect(g.retention_in_days).toBe(731);
      expect(g.lifecycle).toBeUndefined();
    }
    const slr = onlyResource(json, "aws_iam_service_linked_role") as Json;
    expect(slr.aws_service_name).toMatch(/^opensearchservice\./);
    const slrKey = Object.keys(resourcesOf(json, "aws_iam_service_linked_role"))[0];
    expect(domain.depends_on).toContain(`aws_iam_service_linked_role.${slrKey}`);
  });

  it("runs in one AZ without zone awareness when only one private subnet is given", () => {
    const { json } = synthDomain({}, { privateSubnetIds: ["subnet-a"] });
    const domain = onlyResource(json, "aws_opensearch_domain") as Json;
    expect(domain.cluster_config).toMatchObject({ instance_count: 2, zone_awareness_enabled: false });
    expect(domain.cluster_config.zone_awareness_config).toBeUndefined();
  });

  it("admits a VPC CIDR when given one, next to the security groups", () => {
    const { json } = synthDomain({}, { clientCidrs: [TEST_PLATFORM.vpcCidr] });
    const rules = Object.values(resourcesOf(json, "aws_vpc_security_group_ingress_rule")) as Json[];
    expect(rules.map((r) => r.cidr_ipv4 ?? r.referenced_security_group_id).sort()).toEqual(
      [CLUSTER_SG, "10.0.0.0/16"].sort(),
    );
    for (const r of rules) expect([r.from_port, r.to_port]).toEqual([443, 443]);
  });

  it("names only the master role in the access policy when there is no writer", () => {
    const { json } = synthDomain({}, { writerRoleArns: [] });
    const domain = onlyResource(json, "aws_opensearch_domain") as Json;
    expect(policyDocument(json, domain.access_policies).map((s) => s.sid)).toEqual(["Admin"]);
  });
});

describe("OpenSearchServiceDomain props", () => {
  const fails =
    (overrides: Parameters<typeof domainProps>[1], config = {}) =>
    () =>
      synthDomain(config, overrides);

  it("fails when no client source is admitted", () => {
    expect(fails({ clientSecurityGroupIds: [] })).toThrow(/clientSecurityGroupIds\/clientCidrs: got none/);
  });

  it("fails when a client CIDR is open to the world or not a CIDR", () => {
    expect(fails({ clientCidrs: ["0.0.0.0/0"] })).toThrow(/clientCidrs: got "0.0.0.0\/0"/);
    expect(fails({ clientCidrs: ["10.0.0.1/16"] })).toThrow(/clientCidrs: got "10.0.0.1\/16"/);
  });

  it("fails when a writer is not an IAM role ARN", () => {
    expect(fails({ writerRoleArns: ["*"] })).toThrow(/writerRoleArns: got "\*"; expected an IAM role ARN/);
  });

  it("fails when the KMS key is an alias", () => {
    expect(fails({ kmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:alias/platform" })).toThrow(
      /kmsKeyArn: got .*alias\/platform"; expected a KMS key ARN/,
    );
  });

  it("fails when the domain name would be longer than 28 characters", () => {
    expect(fails({ namePrefix: "a-very-long-platform-name-prod" })).toThrow(
      /namePrefix: got "a-very-long-platform-name-prod"; the domain name "a-very-long-platform-name-prod-logs" must be 3-28/,
    );
  });

  it("fails when there is no private subnet", () => {
    expect(fails({ privateSubnetIds: [] })).toThrow(
      /addons\.logging\.openSearchService\.\(private subnets\)/,
    );
  });
});
