import { describe, expect, it } from "vitest";
import { all, named } from "../../../../support/manifests";
import { accessStatements, LAKE, synthAccess } from "./support";

const MODELS = LAKE.buckets.models.bucketArn;

describe("servingAccess: IAM role", () => {
  it("reads only the models prefixes: ListBucket limited by s3:prefix, Get on the prefix, Decrypt through S3", () => {
    const { json, access } = synthAccess({
      kafka: { mode: "strimzi" },
      options: (o) => ({ ...o, modelPrefixes: ["mlflow/", "serving/fraud"] }),
    });
    const statements = accessStatements(json);
    const actions = statements.flatMap((s) => s.actions as string[]);
    expect(actions.filter((a) => a.includes("*"))).toEqual([]);
    expect([...new Set(actions)].sort()).toEqual([
      "kms:Decrypt",
      "s3:GetObject",
      "s3:GetObjectVersion",
      "s3:ListBucket",
    ]);
    for (const s of statements) expect(s.effect).toBe("Allow");
    const list = statements.filter((s) => s.actions.includes("s3:ListBucket"));
    expect(list.map((s) => s.resources)).toEqual([[MODELS], [MODELS]]);
    expect(list.map((s) => s.condition)).toEqual([
      [{ test: "StringLike", variable: "s3:prefix", values: ["mlflow/", "mlflow/*"] }],
      [{ test: "StringLike", variable: "s3:prefix", values: ["serving/fraud/", "serving/fraud/*"] }],
    ]);
    const objects = statements.filter((s) => s.actions.includes("s3:GetObject"));
    expect(objects.flatMap((s) => s.resources)).toEqual([`${MODELS}/mlflow/*`, `${MODELS}/serving/fraud/*`]);
    const kms = statements.filter((s) => s.actions.includes("kms:Decrypt"));
    expect(kms.flatMap((s) => s.resources)).toEqual([LAKE.kmsKeyArn, LAKE.kmsKeyArn]);
    for (const k of kms) {
      expect(k.actions).toEqual(["kms:Decrypt"]);
      expect(k.condition).toContainEqual({
        test: "StringEquals",
        variable: "kms:ViaService",
        values: ["s3.eu-west-1.amazonaws.com"],
      });
    }
    // No other bucket, no Kafka grant with Strimzi (its ACLs are the KafkaUser's), no bare "*" resource.
    const resources = statements.flatMap((s) => s.resources as string[]);
    expect(resources.filter((r) => r === "*" || r === `${MODELS}/*`)).toEqual([]);
    expect(resources.filter((r) => r.startsWith("arn:aws:s3") && !r.startsWith(MODELS))).toEqual([]);
    expect(access.roleMode).toBe("pod-identity");
  });

  it("pod-identity by default: an association for serving/model-server, no IRSA annotation", () => {
    const { json, access } = synthAccess({ kafka: {} });
    const associations = all(json, "aws_eks_pod_identity_association");
    expect(associations.map((a) => [a.namespace, a.service_account])).toEqual([["serving", "model-server"]]);
    const sa = named(json, "kubernetes_service_account_v1", "model-server");
    expect(sa.metadata.namespace).toBe("serving");
    expect(sa.metadata.annotations).toBeUndefined();
    expect(sa.automount_service_account_token).toBe(false);
    expect(access.serviceAccountName).toBe("model-server");
    expect(access.grants).toContain(access.role.association);
  });

  it("irsa: the service account carries the role ARN and no association is made", () => {
    const { json, access } = synthAccess({ kafka: {}, options: (o) => ({ ...o, roleMode: "irsa" }) });
    expect(all(json, "aws_eks_pod_identity_association")).toEqual([]);
    const sa = named(json, "kubernetes_service_account_v1", "model-server");
    expect(sa.metadata.annotations["eks.amazonaws.com/role-arn"]).toMatch(/^\$\{aws_iam_role\..+\.arn\}$/);
    expect(access.roleMode).toBe("irsa");
  });

  it("MSK: only the service's topics (write predictions and drift, read outcomes) and its consumer group", () => {
    const { json, access } = synthAccess({ kafka: { mode: "msk" } });
    const statements = accessStatements(json);
    expect(statements.flatMap((s) => s.actions as string[]).filter((a) => a.includes("*"))).toEqual([]);
    const kafka = statements.filter((s) =>
      (s.actions as string[]).some((a) => a.startsWith("kafka-cluster:")),
    );
    const bySid = Object.fromEntries(kafka.map((s) => [s.sid, s]));
    expect(Object.keys(bySid).sort()).toEqual(["Connect", "ConsumerGroups", "ReadTopics", "WriteTopics"]);
    const topicArn = (t: string) =>
      new RegExp(`^arn:\\$\\{.+\\}:kafka:\\$\\{.+\\}:\\$\\{.+\\}:topic/acme-dev-kafka/\\$\\{.+\\}/${t}$`);
    expect(bySid.WriteTopics.actions).toEqual(["kafka-cluster:DescribeTopic", "kafka-cluster:WriteData"]);
    expect(bySid.WriteTopics.resources).toHaveLength(2);
    expect(bySid.WriteTopics.resources[0]).toMatch(topicArn("predictions"));
    expect(bySid.WriteTopics.resources[1]).toMatch(topicArn("drift"));
    expect(bySid.ReadTopics.actions).toEqual(["kafka-cluster:DescribeTopic", "kafka-cluster:ReadData"]);
    expect(bySid.ReadTopics.resources).toHaveLength(1);
    expect(bySid.ReadTopics.resources[0]).toMatch(topicArn("outcomes"));
    expect(bySid.ConsumerGroups.resources).toHaveLength(1);
    expect(bySid.ConsumerGroups.resources[0]).toMatch(
      /:group\/acme-dev-kafka\/\$\{.+\}\/inference-service\*$/,
    );
    expect(bySid.Connect.resources).toEqual([expect.stringMatching(/^\$\{aws_msk_cluster\.\S+\.arn\}$/)]);
    // The Kafka add-on's own statements for the principal: reused, not rebuilt here.
    const outputs = synthAccess({ kafka: { mode: "msk" } }).kafka;
    if (outputs?.mode !== "msk") throw new Error("expected MSK outputs");
    expect(access.policyStatements.filter((s) => s.sid).map((s) => [s.sid, s.actions])).toEqual(
      outputs.topicAccessStatements("inference-service").map((s) => [s.sid, s.actions]),
    );
  });
});
