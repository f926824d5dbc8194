import { describe, expect, it } from "vitest";
import {
  KAFKA_MOUNTS,
  POD_IDENTITY_AGENT,
  SERVICE_KAFKA_ENV,
  type ServingAccess,
} from "../../../../../constructs/addons/serving/access";
import { all, type Json, manifestNamed, manifests, named } from "../../../../support/manifests";
import { dataOf, type SynthJson } from "../../../../support/synth";
import { LAKE, SERVING_POD_LABELS, synthAccess } from "./support";

const MODELS = LAKE.buckets.models.bucketArn;

/** The statements of the role's inline policy `serving-access`, from its aws_iam_policy_document. */
function accessStatements(json: SynthJson): Json[] {
  const policies = all(json, "aws_iam_role_policy").filter((p) => p.name === "serving-access");
  expect(policies).toHaveLength(1);
  const ref = /^\$\{data\.aws_iam_policy_document\.([^.]+)\.json\}$/.exec(policies[0].policy as string);
  expect(ref).not.toBeNull();
  const document = dataOf(json, "aws_iam_policy_document")[(ref as RegExpExecArray)[1]] as Json;
  return document.statement as Json[];
}

const envOf = (a: ServingAccess) => Object.fromEntries(a.env.map((e) => [e.name, e.value]));

/** Every `*_FILE` variable names a file that a mounted Secret volume item provides. */
function expectFilesMounted(a: ServingAccess): void {
  const files = a.env.filter((e) => e.name.endsWith("_FILE")).map((e) => e.value);
  const provided = a.volumeMounts.flatMap((m) => {
    const volume = a.volumes.find((v) => v.name === m.name);
    return (volume?.secret.items ?? []).map((i) => `${m.mountPath}/${i.path}`);
  });
  expect(files.length).toBeGreaterThan(0);
  expect(provided.sort()).toEqual([...files].sort());
  for (const m of a.volumeMounts) expect(m.readOnly).toBe(true);
}

/** The NetworkPolicies of the serving namespace, by name. */
function servingPolicies(json: SynthJson): Record<string, Json> {
  return Object.fromEntries(
    all(json, "kubernetes_network_policy_v1")
      .filter((p) => /AddOns_serving_Namespace/.test(String(p.metadata.namespace)))
      .map((p) => [p.metadata.name as string, p.spec as Json]),
  );
}

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
    // No other bucket, no Kafka grant with Strimzi (its ACLs are the KafkaUser's).
    const resources = statements.flatMap((s) => s.resources as string[]);
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

describe("servingAccess: Strimzi credentials through External Secrets", () => {
  for (const [auth, keys] of [
    ["scram-sha-512", ["password"]],
    ["tls", ["user.crt", "user.key"]],
  ] as const) {
    it(`${auth}: a Role in kafka may get exactly the user's and the cluster CA's Secrets; ExternalSecrets copy ${keys.join(", ")} and ca.crt`, () => {
      const { json, access } = synthAccess({ kafka: { strimzi: { authentication: auth } } });
      const role = named(json, "kubernetes_role_v1", "serving-kafka-inference-service-reader");
      expect(role.metadata.namespace).toBe("kafka");
      expect(role.rule).toEqual([
        {
          api_groups: [""],
          resources: ["secrets"],
          verbs: ["get"],
          resource_names: ["inference-service", "platform-cluster-ca-cert"],
        },
      ]);
      const binding = named(json, "kubernetes_role_binding_v1", "serving-kafka-inference-service-reader");
      expect(binding.metadata.namespace).toBe("kafka");
      expect(binding.subject).toEqual([
        {
          kind: "ServiceAccount",
          // A reference to the reader service account below (named kafka-inference-service-reader).
          name: expect.stringMatching(
            /^\$\{kubernetes_service_account_v1\.\S+ReaderServiceAccount\S+\.metadata\[0\]\.name\}$/,
          ),
          namespace: "serving",
        },
      ]);
      expect(binding.role_ref).toMatchObject({ kind: "Role", api_group: "rbac.authorization.k8s.io" });
      const reader = named(json, "kubernetes_service_account_v1", "kafka-inference-service-reader");
      expect(reader.metadata.namespace).toBe("serving");
      expect(reader.automount_service_account_token).toBe(false);

      expect(manifests(json, "ClusterSecretStore")).toEqual([]);
      const store = manifestNamed(json, "SecretStore", "kafka-inference-service");
      expect(store.metadata.namespace).toBe("serving");
      expect(store.spec.provider).toEqual({
        kubernetes: {
          remoteNamespace: "kafka",
          server: {
            url: "https://kubernetes.default.svc",
            caProvider: { type: "ConfigMap", name: "kube-root-ca.crt", key: "ca.crt" },
          },
          auth: { serviceAccount: { name: "kafka-inference-service-reader" } },
        },
      });
      const copied = (name: string) => {
        const es = manifestNamed(json, "ExternalSecret", name);
        expect(es.metadata.namespace).toBe("serving");
        expect(es.spec.secretStoreRef).toEqual({ name: "kafka-inference-service", kind: "SecretStore" });
        expect(es.spec.target.name).toBe(name);
        expect(es.spec.dataFrom).toBeUndefined();
        return es.spec.data.map((d: Json) => [d.secretKey, d.remoteRef.key, d.remoteRef.property]);
      };
      expect(copied("kafka-cluster-ca")).toEqual([["ca.crt", "platform-cluster-ca-cert", "ca.crt"]]);
      expect(copied("kafka-user-inference-service")).toEqual(keys.map((k) => [k, "inference-service", k]));
      // Every remote Secret an ExternalSecret reads is one the Role names, and the Role names no other.
      const read = manifests(json, "ExternalSecret").flatMap((es) =>
        es.spec.data.map((d: Json) => d.remoteRef.key),
      );
      expect([...new Set(read)].sort()).toEqual([...role.rule[0].resource_names].sort());
      // No secret value in Terraform: nothing but references in the manifests.
      expect(JSON.stringify(manifests(json, "ExternalSecret"))).not.toMatch(/BEGIN|password"\s*:\s*"[^{]/);
      expect(access.manifests).toHaveLength(3);
      // The principal is the Kafka add-on's KafkaUser: same authentication, ACLs for exactly the service's use.
      const user = manifestNamed(json, "KafkaUser", "inference-service");
      expect(user.spec.authentication).toEqual({ type: auth });
      expect(
        user.spec.authorization.acls.map((a: Json) => [
          a.resource.type,
          a.resource.name,
          a.resource.patternType,
          a.operations,
        ]),
      ).toEqual([
        ["topic", "predictions", "literal", ["Describe", "Write"]],
        ["topic", "outcomes", "literal", ["Describe", "Read"]],
        ["topic", "drift", "literal", ["Describe", "Write"]],
        ["group", "inference-service", "prefix", ["Read", "Describe"]],
      ]);
      expectFilesMounted(access);
      expect(access.fsGroup).toBe(1000);
      for (const v of access.volumes) expect(v.secret.defaultMode).toBe(0o440);
    });
  }

  it("scram-sha-512: SASL_SSL with SCRAM-SHA-512, the principal as user name, password and CA from files", () => {
    const { access } = synthAccess({ kafka: { strimzi: { authentication: "scram-sha-512" } } });
    expect(envOf(access)).toEqual({
      [SERVICE_KAFKA_ENV.brokers]: "platform-kafka-bootstrap.kafka.svc:9093",
      [SERVICE_KAFKA_ENV.clientId]: "inference-service",
      [SERVICE_KAFKA_ENV.predictionsTopic]: "predictions",
      [SERVICE_KAFKA_ENV.outcomesTopic]: "outcomes",
      [SERVICE_KAFKA_ENV.driftTopic]: "drift",
      [SERVICE_KAFKA_ENV.createTopics]: "false",
      [SERVICE_KAFKA_ENV.securityProtocol]: "SASL_SSL",
      [SERVICE_KAFKA_ENV.saslMechanism]: "SCRAM-SHA-512",
      [SERVICE_KAFKA_ENV.saslUsername]: "inference-service",
      [SERVICE_KAFKA_ENV.saslPasswordFile]: `${KAFKA_MOUNTS.user}/password`,
      [SERVICE_KAFKA_ENV.sslCaFile]: `${KAFKA_MOUNTS.clusterCa}/ca.crt`,
    });
  });

  it("tls: SSL with the client certificate and key from files, no SASL settings", () => {
    const { access } = synthAccess({ kafka: { strimzi: { authentication: "tls" } } });
    const env = envOf(access);
    expect(env[SERVICE_KAFKA_ENV.securityProtocol]).toBe("SSL");
    expect(env[SERVICE_KAFKA_ENV.sslCertFile]).toBe(`${KAFKA_MOUNTS.user}/user.crt`);
    expect(env[SERVICE_KAFKA_ENV.sslKeyFile]).toBe(`${KAFKA_MOUNTS.user}/user.key`);
    expect(env[SERVICE_KAFKA_ENV.sslCaFile]).toBe(`${KAFKA_MOUNTS.clusterCa}/ca.crt`);
    for (const k of ["saslMechanism", "saslUsername", "saslPasswordFile"] as const) {
      expect(env[SERVICE_KAFKA_ENV[k]]).toBeUndefined();
    }
  });

  it("MSK: IAM over TLS with the role, no Secret, no SecretStore, no Role in another namespace", () => {
    const { json, access, kafka } = synthAccess({ kafka: { mode: "msk" }, externalSecrets: false });
    const env = envOf(access);
    expect(kafka?.mode).toBe("msk");
    expect(env[SERVICE_KAFKA_ENV.brokers]).toBe(kafka?.bootstrapServers);
    expect(env[SERVICE_KAFKA_ENV.securityProtocol]).toBe("SASL_SSL");
    expect(env[SERVICE_KAFKA_ENV.saslMechanism]).toBe("OAUTHBEARER");
    // The serving pod sets AWS_REGION for S3 already; a second entry would be refused (env is keyed by name).
    expect(env.AWS_REGION).toBeUndefined();
    expect(
      Object.keys(env).filter((k) => k.endsWith("_FILE") || k === SERVICE_KAFKA_ENV.saslUsername),
    ).toEqual([]);
    expect(access.volumes).toEqual([]);
    expect(access.fsGroup).toBeUndefined();
    for (const kind of ["SecretStore", "ExternalSecret", "KafkaUser"])
      expect(manifests(json, kind)).toEqual([]);
    expect(access.manifests).toEqual([]);
    expect(all(json, "kubernetes_role_v1")).toEqual([]);
  });

  it("without Kafka: no Kafka variables, policies or grants", () => {
    const { json, access } = synthAccess({});
    expect(access.env).toEqual([]);
    expect(access.kafka).toBeUndefined();
    expect(Object.keys(servingPolicies(json))).not.toContain("allow-egress-serving-kafka");
    expect(
      accessStatements(json)
        .flatMap((s) => s.actions as string[])
        .some((a) => a.startsWith("kafka")),
    ).toBe(false);
  });
});

describe("servingAccess: NetworkPolicies", () => {
  const selectsServers = (spec: Json) =>
    expect(spec.pod_selector).toEqual({ match_labels: SERVING_POD_LABELS });
  const nsPeer = (ns: string, labels?: Record<string, string>) => ({
    namespace_selector: { match_labels: { "kubernetes.io/metadata.name": ns } },
    ...(labels ? { pod_selector: { match_labels: labels } } : {}),
  });

  it("Strimzi: ingress from the gateway and Prometheus only; egress to brokers 9093, MLflow 5000, S3 443 outside the VPC, the Pod Identity agent", () => {
    const { json } = synthAccess({ kafka: {} });
    const p = servingPolicies(json);
    expect(Object.keys(p).sort()).toEqual([
      "allow-egress-serving-aws-credentials",
      "allow-egress-serving-kafka",
      "allow-egress-serving-mlflow",
      "allow-egress-serving-s3",
      "allow-ingress-serving-inference",
      "allow-ingress-serving-prometheus",
      "default-deny",
    ]);
    expect(p["default-deny"].policy_types).toEqual(["Ingress", "Egress"]);
    for (const [name, spec] of Object.entries(p)) if (name !== "default-deny") selectsServers(spec);
    expect(p["allow-ingress-serving-inference"].ingress).toEqual([
      { from: [nsPeer("envoy-gateway-system")], ports: [{ port: "8080", protocol: "TCP" }] },
    ]);
    expect(p["allow-ingress-serving-prometheus"].ingress).toEqual([
      {
        from: [nsPeer("monitoring", { "app.kubernetes.io/name": "prometheus" })],
        ports: [{ port: "8080", protocol: "TCP" }],
      },
    ]);
    expect(p["allow-egress-serving-kafka"].egress).toEqual([
      {
        to: [nsPeer("kafka", { "strimzi.io/cluster": "platform", "strimzi.io/broker-role": "true" })],
        ports: [{ port: "9093", protocol: "TCP" }],
      },
    ]);
    expect(p["allow-egress-serving-mlflow"].egress).toEqual([
      {
        to: [
          nsPeer("mlflow", { "app.kubernetes.io/name": "mlflow", "app.kubernetes.io/instance": "mlflow" }),
        ],
        ports: [{ port: "5000", protocol: "TCP" }],
      },
    ]);
    expect(p["allow-egress-serving-s3"].egress).toEqual([
      {
        to: [{ ip_block: { cidr: "0.0.0.0/0", except: ["10.0.0.0/16"] } }],
        ports: [{ port: "443", protocol: "TCP" }],
      },
    ]);
    expect(p["allow-egress-serving-aws-credentials"].egress).toEqual([
      { to: [{ ip_block: { cidr: POD_IDENTITY_AGENT.cidr } }], ports: [{ port: "80", protocol: "TCP" }] },
    ]);
  });

  it("MSK: Kafka egress to the VPC on 9098 only; IRSA: STS through the VPC on 443 instead of the agent", () => {
    const { json } = synthAccess({
      kafka: { mode: "msk" },
      options: (o) => ({ ...o, roleMode: "irsa", clusterCidrs: ["10.0.0.0/16", "100.64.0.0/16"] }),
    });
    const p = servingPolicies(json);
    expect(p["allow-egress-serving-kafka"].egress).toEqual([
      { to: [{ ip_block: { cidr: "10.0.0.0/16" } }], ports: [{ port: "9098", protocol: "TCP" }] },
    ]);
    expect(p["allow-egress-serving-aws-credentials"].egress).toEqual([
      { to: [{ ip_block: { cidr: "10.0.0.0/16" } }], ports: [{ port: "443", protocol: "TCP" }] },
    ]);
    expect(p["allow-egress-serving-s3"].egress[0].to[0].ip_block.except).toEqual([
      "10.0.0.0/16",
      "100.64.0.0/16",
    ]);
  });

  it("selects the model servers by a label key present with any value (every deployment's pods)", () => {
    const { json } = synthAccess({
      options: (o) => ({ ...o, id: "Models", pods: { labelKeys: ["mlops.io/serving-deployment"] } }),
    });
    const p = servingPolicies(json);
    expect(
      Object.keys(p)
        .filter((n) => n !== "default-deny")
        .sort(),
    ).toEqual([
      "allow-egress-models-aws-credentials",
      "allow-egress-models-mlflow",
      "allow-egress-models-s3",
      "allow-ingress-models-inference",
      "allow-ingress-models-prometheus",
    ]);
    for (const [name, spec] of Object.entries(p)) {
      if (name === "default-deny") continue;
      expect(spec.pod_selector).toEqual({
        match_expressions: [{ key: "mlops.io/serving-deployment", operator: "Exists" }],
      });
    }
  });

  it("no Prometheus or MLflow rule without those add-ons; engine pods of another namespace by label", () => {
    const { json } = synthAccess({
      monitoring: false,
      mlflow: false,
      options: (o) => ({
        ...o,
        inferencePorts: [9000, 9500],
        ingressFrom: [
          { namespace: "seldon-system", podLabels: { "app.kubernetes.io/name": "seldon-envoy" } },
        ],
      }),
    });
    const p = servingPolicies(json);
    expect(p["allow-ingress-serving-prometheus"]).toBeUndefined();
    expect(p["allow-egress-serving-mlflow"]).toBeUndefined();
    expect(p["allow-ingress-serving-inference"].ingress).toEqual([
      {
        from: [nsPeer("seldon-system", { "app.kubernetes.io/name": "seldon-envoy" })],
        ports: [
          { port: "9000", protocol: "TCP" },
          { port: "9500", protocol: "TCP" },
        ],
      },
    ]);
  });
});
