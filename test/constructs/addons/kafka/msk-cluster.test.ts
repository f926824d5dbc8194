import { IamPolicy } from "@cdktf/provider-aws/lib/iam-policy";
import { describe, expect, it } from "vitest";
import type { KafkaConfigInput, MskKafkaOutputs } from "../../../../constructs/addons/kafka";
import { TEST_PLATFORM } from "../../../support/cluster";
import { onlyResource, parsePolicy, resourcesOf } from "../../../support/synth";
import { type Json, synthKafka } from "./support";

// Literals of test/support/cluster.ts, written out so a construct that reads the wrong field fails.
const PLATFORM_KEY = "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555";
const CLUSTER_SG = "sg-0123456789abcdef0";

const MSK: KafkaConfigInput = { enabled: true, mode: "msk" };

/** Synthesizes MSK and renders access policies for the given selectors as IAM policies. */
function synthMsk(
  config: KafkaConfigInput = MSK,
  policies: Record<string, Parameters<MskKafkaOutputs["topicAccessPolicy"]>[0]> = {},
) {
  return synthKafka(config, [], (scope, outputs) => {
    for (const [name, selector] of Object.entries(policies)) {
      new IamPolicy(scope, `Policy-${name}`, {
        name,
        policy: (outputs as MskKafkaOutputs).topicAccessPolicy(selector),
      });
    }
  });
}

function policyNamed(json: Json, name: string) {
  const policy = Object.values(resourcesOf(json, "aws_iam_policy")).find((p) => p.name === name) as Json;
  return parsePolicy(policy.policy).Statement as Json[];
}

describe("Kafka add-on, MSK mode", () => {
  const { json, outputs } = synthMsk(MSK, {
    inference: "inference-service",
    outcomesOnly: { outcomes: "read" },
  });
  const cluster = onlyResource(json, "aws_msk_cluster") as Json;
  const clusterKey = Object.keys(resourcesOf(json, "aws_msk_cluster"))[0];

  it("encrypts in transit (client and in-cluster TLS) and at rest with the platform KMS key", () => {
    expect(cluster.encryption_info).toEqual({
      encryption_at_rest_kms_key_arn: PLATFORM_KEY,
      encryption_in_transit: { client_broker: "TLS", in_cluster: true },
    });
  });

  it("authenticates clients with IAM only: no SCRAM, no unauthenticated access, no public access", () => {
    expect(cluster.client_authentication).toEqual({
      sasl: { iam: true, scram: false },
      unauthenticated: false,
    });
    expect(cluster.broker_node_group_info.connectivity_info).toEqual({ public_access: { type: "DISABLED" } });
  });

  it("places one broker per private subnet by default, with the configured type, size and version", () => {
    expect(cluster.broker_node_group_info.client_subnets).toEqual(TEST_PLATFORM.privateSubnetIds);
    expect(cluster.number_of_broker_nodes).toBe(2);
    expect(cluster.broker_node_group_info.instance_type).toBe("kafka.m7g.large");
    expect(cluster.broker_node_group_info.storage_info.ebs_storage_info.volume_size).toBe(100);
    expect(cluster.kafka_version).toBe("3.9.x");
    expect(cluster.cluster_name).toBe("acme-dev-kafka");
    expect(cluster.lifecycle).toEqual({ prevent_destroy: true });
  });

  it("ships broker logs to a log group encrypted with the platform key, with retention", () => {
    const group = onlyResource(json, "aws_cloudwatch_log_group") as Json;
    const groupKey = Object.keys(resourcesOf(json, "aws_cloudwatch_log_group"))[0];
    expect(group).toMatchObject({
      kms_key_id: PLATFORM_KEY,
      retention_in_days: 90,
      name: "/aws/msk/acme-dev-kafka",
    });
    expect(cluster.logging_info.broker_logs.cloudwatch_logs).toEqual({
      enabled: true,
      log_group: `\${aws_cloudwatch_log_group.${groupKey}.name}`,
    });
  });

  it("turns on open monitoring (JMX and node exporters) for Prometheus", () => {
    expect(cluster.open_monitoring).toEqual({
      prometheus: { jmx_exporter: { enabled_in_broker: true }, node_exporter: { enabled_in_broker: true } },
    });
  });

  it("admits only the EKS cluster security group, on 9098 and the exporter ports, and nothing open", () => {
    const sg = onlyResource(json, "aws_security_group") as Json;
    const sgKey = Object.keys(resourcesOf(json, "aws_security_group"))[0];
    expect(sg.vpc_id).toBe(TEST_PLATFORM.vpcId);
    expect(sg.ingress).toBeUndefined();
    expect(sg.egress).toBeUndefined();
    expect(cluster.broker_node_group_info.security_groups).toEqual([`\${aws_security_group.${sgKey}.id}`]);
    const rules = Object.values(resourcesOf(json, "aws_vpc_security_group_ingress_rule")) as Json[];
    expect(rules.map((r) => [r.from_port, r.to_port]).sort()).toEqual([
      [11001, 11001],
      [11002, 11002],
      [9098, 9098],
    ]);
    for (const r of rules) {
      expect(r).toMatchObject({ referenced_security_group_id: CLUSTER_SG, ip_protocol: "tcp" });
      expect(r.security_group_id).toBe(`\${aws_security_group.${sgKey}.id}`);
      expect(r.cidr_ipv4).toBeUndefined();
      expect(r.cidr_ipv6).toBeUndefined();
    }
    expect(JSON.stringify(json)).not.toContain("0.0.0.0/0");
    expect(resourcesOf(json, "aws_vpc_security_group_egress_rule")).toEqual({});
  });

  it("configures brokers: no topic auto-creation, replication and min.insync.replicas from the broker count", () => {
    const conf = onlyResource(json, "aws_msk_configuration") as Json;
    const props = Object.fromEntries(
      (conf.server_properties as string).split("\n").map((l) => l.split("=") as [string, string]),
    );
    expect(props).toMatchObject({
      "auto.create.topics.enable": "false",
      "default.replication.factor": "2",
      "min.insync.replicas": "1",
      "unclean.leader.election.enable": "false",
    });
    expect(conf.kafka_versions).toEqual(["3.9.x"]);
    const confKey = Object.keys(resourcesOf(json, "aws_msk_configuration"))[0];
    expect(cluster.configuration_info).toEqual({
      arn: `\${aws_msk_configuration.${confKey}.arn}`,
      revision: `\${aws_msk_configuration.${confKey}.latest_revision}`,
    });
  });

  it("exposes the IAM bootstrap brokers and client settings", () => {
    expect((json.output as Json).bootstrap.value).toBe(
      `\${aws_msk_cluster.${clusterKey}.bootstrap_brokers_sasl_iam}`,
    );
    expect(outputs).toMatchObject({
      mode: "msk",
      securityProtocol: "SASL_SSL",
      saslMechanism: "AWS_MSK_IAM",
    });
    expect(outputs.topics.predictions).toMatchObject({ partitions: 12, replicationFactor: 2 });
    expect(outputs.topics.drift.config).toMatchObject({
      "retention.ms": 30 * 86_400_000,
      "cleanup.policy": "delete",
    });
  });

  it("grants a principal exactly its topics: write predictions and drift, read outcomes, its consumer groups", () => {
    const statements = policyNamed(json, "inference");
    const bySid = Object.fromEntries(statements.map((s) => [s.Sid, s]));
    expect(Object.keys(bySid).sort()).toEqual(["Connect", "ConsumerGroups", "ReadTopics", "WriteTopics"]);
    expect(bySid.Connect.Resource).toEqual([`\${aws_msk_cluster.${clusterKey}.arn}`]);
    expect(bySid.Connect.Action).toEqual([
      "kafka-cluster:Connect",
      "kafka-cluster:DescribeCluster",
      "kafka-cluster:WriteDataIdempotently",
    ]);
    const uuid = `\${aws_msk_cluster.${clusterKey}.cluster_uuid}`;
    const suffix = (r: string) => r.replace(/^arn:.*?:kafka:[^:]*:[^:]*:/, "");
    expect(bySid.ReadTopics.Action).toEqual(["kafka-cluster:DescribeTopic", "kafka-cluster:ReadData"]);
    expect(bySid.ReadTopics.Resource.map(suffix)).toEqual([`topic/acme-dev-kafka/${uuid}/outcomes`]);
    expect(bySid.WriteTopics.Action).toEqual(["kafka-cluster:DescribeTopic", "kafka-cluster:WriteData"]);
    expect(bySid.WriteTopics.Resource.map(suffix)).toEqual([
      `topic/acme-dev-kafka/${uuid}/predictions`,
      `topic/acme-dev-kafka/${uuid}/drift`,
    ]);
    expect(bySid.ConsumerGroups.Action).toEqual(["kafka-cluster:DescribeGroup", "kafka-cluster:AlterGroup"]);
    expect(bySid.ConsumerGroups.Resource.map(suffix)).toEqual([
      `group/acme-dev-kafka/${uuid}/inference-service*`,
    ]);
    // ARNs are partition/region/account-aware, never hard-coded.
    for (const s of statements)
      for (const r of s.Resource as string[])
        expect(r).toMatch(/^(arn:\$\{data\.aws_partition|\$\{aws_msk_cluster)/);
  });

  it("grants an explicit topic map only those topics, without groups or writes", () => {
    const statements = policyNamed(json, "outcomesOnly");
    expect(statements.map((s) => s.Sid)).toEqual(["Connect", "ReadTopics"]);
    expect(statements[0].Action).not.toContain("kafka-cluster:WriteDataIdempotently");
    expect(statements[1].Resource).toHaveLength(1);
    expect(statements[1].Resource[0]).toMatch(/\/outcomes$/);
    expect(JSON.stringify(statements)).not.toMatch(/predictions|drift|WriteData"/);
  });

  it("honours a broker count that is a multiple of the subnets, and explicit replication settings", () => {
    const { json: j } = synthMsk({
      ...MSK,
      msk: { brokerCount: 4, defaultReplicationFactor: 3, minInsyncReplicas: 2, ebsVolumeSizeInGiB: 500 },
    });
    const c = onlyResource(j, "aws_msk_cluster") as Json;
    expect(c.number_of_broker_nodes).toBe(4);
    expect(c.broker_node_group_info.storage_info.ebs_storage_info.volume_size).toBe(500);
    expect((onlyResource(j, "aws_msk_configuration") as Json).server_properties).toContain(
      "min.insync.replicas=2",
    );
  });

  it("creates nothing in the cluster: no namespace, release or custom resources", () => {
    expect(resourcesOf(json, "helm_release")).toEqual({});
    expect(resourcesOf(json, "kubernetes_manifest")).toEqual({});
    expect(resourcesOf(json, "kubernetes_namespace_v1")).toEqual({});
  });

  it("fails when the broker count is not a multiple of the private subnet count", () => {
    expect(() => synthMsk({ ...MSK, msk: { brokerCount: 3 } })).toThrow(
      "Invalid addons.kafka.msk.brokerCount: got 3; expected a multiple of the private subnet count 2 (MSK spreads brokers evenly over the subnets).",
    );
  });

  it("fails when a topic's replication factor is above the broker count derived from the subnets", () => {
    expect(() => synthMsk({ ...MSK, topics: { predictions: { replicationFactor: 3 } } })).toThrow(
      "Invalid addons.kafka.topics.predictions.replicationFactor: got 3; expected at most the MSK broker count 2.",
    );
  });

  it("fails when a policy is asked for an unknown principal or topic", () => {
    expect(() => synthMsk(MSK, { x: "trainer" })).toThrow(
      'Kafka principal "trainer" is not in addons.kafka.access (principals: inference-service)',
    );
    expect(() => synthMsk(MSK, { x: { features: "read" } })).toThrow(/topic "features" is not configured/);
  });
});
