import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { KubernetesProvider } from "@cdktf/provider-kubernetes/lib/provider";
import { TerraformStack, Testing } from "cdktf";
import { Construct } from "constructs";
import { describe, expect, it } from "vitest";
import { type KafkaOutputs, kafkaAddOn } from "../../../../../constructs/addons/kafka";
import {
  KAFKA_MOUNTS,
  SERVICE_KAFKA_ENV,
  servingAccess,
} from "../../../../../constructs/addons/serving/access";
import { type AddOn, type AddOnContext, deployAddOns } from "../../../../../constructs/core";
import { PlatformNamespace } from "../../../../../constructs/core/platform-namespace";
import { externalSecretsStub } from "../../../../support/addons";
import { baseAddOnContext } from "../../../../support/cluster";
import { all, type Json, manifestNamed, manifests, named } from "../../../../support/manifests";
import type { SynthJson } from "../../../../support/synth";
import {
  accessStatements,
  baseOptions,
  envOf,
  expectFilesMounted,
  LAKE,
  servingPolicies,
  synthAccess,
} from "./support";

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

describe("servingAccess: where the objects go", () => {
  it("SecretStore and ExternalSecrets in the resources stack (after ESO's CRDs), literal names only; service accounts and RBAC in the platform stack", () => {
    const app = Testing.app();
    const platform = new TerraformStack(app, "platform");
    const resources = new TerraformStack(app, "resources");
    new AwsProvider(platform, "aws", { region: "eu-west-1" });
    const provider = new KubernetesProvider(resources, "Kubernetes", {});
    const serving: AddOn<unknown> = {
      id: "serving",
      dependsOn: ["kafka"],
      deploy: (c: AddOnContext) => {
        const namespace = new PlatformNamespace(c.scope, "Namespace", {
          name: "serving",
          provider: c.cluster.kubernetesProvider,
        });
        return servingAccess(c, { ...baseOptions(namespace), kafka: c.outputsOf<KafkaOutputs>("kafka") });
      },
    };
    const base = baseAddOnContext(platform);
    deployAddOns(
      new Construct(platform, "AddOns"),
      { ...base, dataLake: LAKE },
      [kafkaAddOn({ strimzi: { authentication: "scram-sha-512" } }), externalSecretsStub, serving],
      { scope: resources, provider },
    );
    const platformJson = JSON.parse(Testing.synth(platform)) as SynthJson;
    const resourcesJson = JSON.parse(Testing.synth(resources)) as SynthJson;
    const ours = [...manifests(resourcesJson, "SecretStore"), ...manifests(resourcesJson, "ExternalSecret")];
    expect(ours.map((m) => `${m.kind}/${m.metadata.name}`).sort()).toEqual([
      "ExternalSecret/kafka-cluster-ca",
      "ExternalSecret/kafka-user-inference-service",
      "SecretStore/kafka-inference-service",
    ]);
    // Nothing of them refers to the platform stack: they plan without its outputs.
    expect(JSON.stringify(ours)).not.toContain("${");
    expect(manifests(platformJson)).toEqual([]);
    expect(all(platformJson, "kubernetes_role_v1").map((r) => r.metadata.name)).toEqual([
      "serving-kafka-inference-service-reader",
    ]);
    expect(
      all(platformJson, "kubernetes_service_account_v1")
        .map((r) => r.metadata.name)
        .sort(),
    ).toEqual(["kafka-inference-service-reader", "model-server"]);
  });
});
