import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import {
  ESO_WEBHOOK_PORT,
  externalSecretsAddOn,
  generatedSecret,
  parseExternalSecretsConfig,
  syncSecret,
} from "../../../../constructs/addons/external-secrets";
import type { AddOnContext } from "../../../../constructs/core";
import { CHARTS } from "../../../../constructs/core/charts";
import { validateCustomResource } from "../../../../scripts/validation";
import { TEST_PLATFORM } from "../../../support/cluster";
import {
  countKind,
  describeWithSchemas,
  expectedOlderReference,
  expectValidStack,
} from "../../../support/schemas";
import { dataOf, onlyResource, resourcesOf } from "../../../support/synth";
import { ESO_GROUPS, type Json, manifests, monitoringStub, probeAddOn, synthAddOns } from "./support";

const SECRET_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!db-1234-AbCdEf";
const KEY = "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555";
const ISSUER = "oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF0123456789";

function synthEso(withMonitoring = false, config = {}) {
  const consumer = probeAddOn("consumer", ["external-secrets"], (c) => ({
    synced: syncSecret(c, {
      id: "Db",
      namespace: "mlflow",
      name: "mlflow-db",
      secretArn: SECRET_ARN,
      kmsKeyArn: KEY,
      template: { "db-password": "{{ .password }}" },
    }),
    generated: generatedSecret(c, {
      id: "Keys",
      namespace: "airflow",
      name: "airflow-keys",
      keys: { "fernet-key": { length: 32, encoding: "base64url" }, "webserver-secret": { length: 40 } },
    }),
  }));
  return synthAddOns([externalSecretsAddOn(config), consumer, ...(withMonitoring ? [monitoringStub] : [])]);
}

const values = (json: Json): Json => parseYaml((onlyResource(json, "helm_release") as Json).values[0]);

/** Synthesizes the ESO add-on and one add-on "c" after it that runs `use` (a syncSecret/generatedSecret call). */
const withEso = (use: (c: AddOnContext) => unknown) =>
  synthAddOns([externalSecretsAddOn(), probeAddOn("c", ["external-secrets"], use)]);

/** An ExternalSecret merging literal and templated keys with a generated one. */
const mergedExternalSecret = () => {
  const { json } = withEso((c) =>
    generatedSecret(c, {
      id: "G",
      namespace: "ns",
      name: "g",
      keys: { password: { length: 32, encoding: "hex" } },
      literals: { username: "app" },
      template: { connection: "postgresql://app:{{ .password }}@db:5432/app" },
    }),
  );
  return manifests(json, "ExternalSecret")[0];
};

describe("External Secrets Operator add-on", () => {
  const { json } = synthEso();
  const release = onlyResource(json, "helm_release") as Json;

  it("installs the pinned chart with its CRDs into a restricted namespace", () => {
    expect(release).toMatchObject({
      chart: "external-secrets",
      repository: "https://charts.external-secrets.io",
      version: "2.10.0",
      namespace: "external-secrets",
    });
    expect(values(json).installCRDs).toBe(true);
    const ns = Object.values(resourcesOf(json, "kubernetes_namespace_v1")).find(
      (n) => (n as Json).metadata.name === "external-secrets",
    ) as Json;
    expect(ns.metadata.labels["pod-security.kubernetes.io/enforce"]).toBe("restricted");
  });

  it("gives the controller, webhook and cert-controller PSS-restricted security contexts", () => {
    const v = values(json);
    for (const part of [v, v.webhook, v.certController]) {
      expect(part.securityContext).toMatchObject({
        allowPrivilegeEscalation: false,
        capabilities: { drop: ["ALL"] },
        runAsNonRoot: true,
        seccompProfile: { type: "RuntimeDefault" },
      });
      expect(part.podSecurityContext).toMatchObject({ enabled: true, runAsNonRoot: true });
    }
    expect(v.webhook.create).toBe(true);
    expect(v.certController.create).toBe(true);
  });

  it("processes only namespaced stores (no ClusterSecretStore crossing namespaces)", () => {
    expect(values(json)).toMatchObject({ processClusterStore: false, processClusterExternalSecret: false });
  });

  it("admits the API server to the webhook from the VPC only, and HTTPS egress", () => {
    const policies = Object.values(resourcesOf(json, "kubernetes_network_policy_v1")) as Json[];
    const webhook = policies.find((p) => p.metadata.name === "allow-ingress-webhook-from-api-server") as Json;
    expect(webhook.spec.ingress).toEqual([
      {
        from: [{ ip_block: { cidr: TEST_PLATFORM.vpcCidr } }],
        ports: [{ port: String(ESO_WEBHOOK_PORT), protocol: "TCP" }],
      },
    ]);
    expect(policies.filter((p) => p.metadata.name.endsWith("-https")).length).toBe(3);
  });

  it("emits its own controller PodMonitor only with monitoring, never the chart's ServiceMonitors", () => {
    expect(manifests(json, "PodMonitor")).toEqual([]);
    const withMonitoring = synthEso(true).json;
    // The chart would skip its ServiceMonitors when the CRD is not installed yet (renderMode skipIfMissing).
    expect(values(withMonitoring).serviceMonitor.enabled).toBe(false);
    expect(values(withMonitoring).metrics.listen.port).toBe(8080);
    expect(manifests(withMonitoring, "PodMonitor")).toEqual([
      {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "PodMonitor",
        metadata: { name: "external-secrets", namespace: "external-secrets" },
        spec: {
          selector: { matchLabels: { "app.kubernetes.io/name": "external-secrets" } },
          namespaceSelector: { matchNames: ["external-secrets"] },
          podMetricsEndpoints: [{ portNumber: 8080, path: "/metrics", interval: "30s" }],
        },
      },
    ]);
  });

  it("fails when replicas is not a positive integer, naming the field and value", () => {
    expect(() => parseExternalSecretsConfig({ replicas: 0 })).toThrow(
      /addons\.externalSecrets\.replicas:.*0/,
    );
    expect(() => parseExternalSecretsConfig({ replica: 2 } as never)).toThrow(/replica/);
  });
});

describe("syncSecret", () => {
  const { json } = synthEso();
  const roles = resourcesOf(json, "aws_iam_role");
  const docs = dataOf(json, "aws_iam_policy_document");

  it("creates one IRSA role trusted by exactly mlflow/mlflow-db-reader with the sts audience", () => {
    const trusts = Object.values(docs).filter((d) =>
      JSON.stringify(d).includes("sts:AssumeRoleWithWebIdentity"),
    ) as Json[];
    expect(trusts).toHaveLength(1);
    expect(trusts[0].statement[0].condition).toEqual([
      {
        test: "StringEquals",
        variable: `${ISSUER}:sub`,
        values: ["system:serviceaccount:mlflow:mlflow-db-reader"],
      },
      { test: "StringEquals", variable: `${ISSUER}:aud`, values: ["sts.amazonaws.com"] },
    ]);
    expect(Object.keys(roles)).toHaveLength(1);
  });

  it("allows reading exactly that secret, and decrypting only via Secrets Manager", () => {
    const read = Object.values(docs).find((d) => JSON.stringify(d).includes("ReadOneSecret")) as Json;
    expect(read.statement).toEqual([
      {
        sid: "ReadOneSecret",
        effect: "Allow",
        actions: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
        resources: [SECRET_ARN],
      },
      {
        sid: "DecryptViaSecretsManager",
        effect: "Allow",
        actions: ["kms:Decrypt"],
        resources: [KEY],
        condition: [
          {
            test: "StringEquals",
            variable: "kms:ViaService",
            values: ["secretsmanager.eu-west-1.amazonaws.com"],
          },
        ],
      },
    ]);
    const policy = onlyResource(json, "aws_iam_role_policy") as Json;
    expect(policy.policy).toMatch(/data\.aws_iam_policy_document\.[\w-]+\.json/);
  });

  it("annotates the service account with the role, a namespaced store using it, and the ExternalSecret", () => {
    const sa = onlyResource(json, "kubernetes_service_account_v1") as Json;
    expect(sa.metadata).toMatchObject({ name: "mlflow-db-reader", namespace: "mlflow" });
    expect(sa.metadata.annotations["eks.amazonaws.com/role-arn"]).toMatch(/aws_iam_role\.[\w-]+\.arn/);
    const [store] = manifests(json, "SecretStore");
    expect(store.spec.provider.aws).toEqual({
      service: "SecretsManager",
      region: "eu-west-1",
      auth: { jwt: { serviceAccountRef: { name: "mlflow-db-reader" } } },
    });
    const es = manifests(json, "ExternalSecret").find((m) => m.metadata.name === "mlflow-db") as Json;
    expect(es.spec.secretStoreRef).toEqual({ name: store.metadata.name, kind: "SecretStore" });
    expect(es.spec.dataFrom).toEqual([{ extract: { key: SECRET_ARN } }]);
    expect(es.spec.target.template.data).toEqual({ "db-password": "{{ .password }}" });
  });

  it("fails when the ARN is not a Secrets Manager ARN or the namespace is not a DNS label", () => {
    const bad = (opts: Json) => () =>
      withEso((c) => syncSecret(c, { id: "X", namespace: "ns", name: "s", secretArn: SECRET_ARN, ...opts }));
    expect(bad({ secretArn: "arn:aws:s3:::bucket" })).toThrow(/secretArn: got "arn:aws:s3:::bucket"/);
    expect(bad({ namespace: "My_NS" })).toThrow(/namespace: got "My_NS"/);
  });
});

describe("generatedSecret", () => {
  const { json } = synthEso();

  it("uses one Password generator per key, with the requested length and encoding", () => {
    const gens = manifests(json, "Password");
    expect(gens.map((g) => [g.metadata.namespace, g.spec.length, g.spec.encoding, g.spec.symbols])).toEqual([
      ["airflow", 32, "base64url", 0],
      ["airflow", 40, "raw", 0],
    ]);
  });

  it("creates the Secret once (never rotated by ESO) with each generator's output renamed to its key", () => {
    const es = manifests(json, "ExternalSecret").find((m) => m.metadata.name === "airflow-keys") as Json;
    expect(es.spec.refreshPolicy).toBe("CreatedOnce");
    expect(es.spec.secretStoreRef).toBeUndefined();
    expect(
      es.spec.dataFrom.map((d: Json) => [d.sourceRef.generatorRef.name, d.rewrite[0].regexp.target]),
    ).toEqual([
      ["airflow-keys-0", "fernet-key"],
      ["airflow-keys-1", "webserver-secret"],
    ]);
  });

  it("keeps secret values out of Terraform: no data/stringData/password attributes in the JSON", () => {
    const text = JSON.stringify(json);
    expect(text).not.toMatch(/"(string_data|stringData|password)"\s*:/);
    expect(Object.keys(resourcesOf(json, "kubernetes_secret_v1"))).toHaveLength(0);
  });

  it("merges literal and templated keys with the generated ones", () => {
    const es = mergedExternalSecret();
    expect(es.spec.target.template).toEqual({
      engineVersion: "v2",
      mergePolicy: "Merge",
      data: { username: "app", connection: "postgresql://app:{{ .password }}@db:5432/app" },
    });
  });

  it("fails when a literal or templated key repeats a generated key", () => {
    const gen = (opts: Json) => () =>
      withEso((c) =>
        generatedSecret(c, {
          id: "G",
          namespace: "ns",
          name: "g",
          keys: { password: { length: 32 } },
          ...opts,
        }),
      );
    expect(gen({ literals: { password: "x" } })).toThrow(/literals: got "password"/);
    expect(gen({ template: { password: "{{ .password }}" } })).toThrow(/template: got "password"/);
    expect(gen({ literals: { user: "{{ .password }}" } })).toThrow(/literals\.user/);
  });

  it("fails when a key is too short, has an unknown encoding or no keys are given", () => {
    const bad = (keys: Json) => () =>
      withEso((c) => generatedSecret(c, { id: "G", namespace: "ns", name: "g", keys }));
    expect(bad({ k: { length: 8 } })).toThrow(/keys\.k\.length: got 8/);
    expect(bad({ k: { length: 32, encoding: "rot13" } })).toThrow(/keys\.k\.encoding: got "rot13"/);
    expect(bad({})).toThrow(/keys: got \{\}/);
  });
});

describeWithSchemas("External Secrets add-on against the reference data", () => {
  it("validates the chart values (against the declared older chart) and every ESO resource against its CRD", () => {
    const { json } = synthEso(true);
    const report = expectValidStack(json);
    expect(report.unchecked).toEqual([]);
    expect(report.checked.HelmRelease).toBe(1);
    expect(report.olderReference).toEqual(expectedOlderReference(CHARTS.externalSecrets));
    // Every ESO resource the consumer wrote is counted as validated against its CRD.
    const eso = manifests(json).filter((m) =>
      ESO_GROUPS.some((g) => String(m.apiVersion).startsWith(`${g}/`)),
    );
    expect(eso).toHaveLength(5);
    const esoKinds = [...new Set(eso.map((m) => m.kind as string))];
    expect(esoKinds.reduce((n, k) => n + (report.checked[k] ?? 0), 0)).toBe(eso.length);
    expect(report.checked.NetworkPolicy).toBeGreaterThan(0);
    console.info(`[eso] checked ${JSON.stringify(report.checked)}; unchecked ${report.unchecked.length}`);
  });

  it("validates an ExternalSecret merging literal, templated and generated keys against its CRD", () => {
    expect(validateCustomResource(mergedExternalSecret()).issues).toEqual([]);
    countKind("ExternalSecret");
  });

  it("fails when a field is misspelt or an enum value is wrong", () => {
    const { json } = synthEso();
    const es = structuredClone(manifests(json, "ExternalSecret")[0]);
    es.spec.refreshIntervall = "1h";
    es.spec.target.creationPolicy = "Owned";
    const errors = validateCustomResource(es)
      .issues.map((i) => `${i.path}: ${i.message}`)
      .join("\n");
    expect(errors).toMatch(/spec\.refreshIntervall: is not a field of this schema/);
    expect(errors).toMatch(/spec\.target\.creationPolicy: must be one of/);
  });
});
