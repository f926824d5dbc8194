import { HelmProvider } from "@cdktf/provider-helm/lib/provider";
import { Release } from "@cdktf/provider-helm/lib/release";
import { DeploymentV1 } from "@cdktf/provider-kubernetes/lib/deployment-v1";
import { Manifest } from "@cdktf/provider-kubernetes/lib/manifest";
import { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import { NetworkPolicyV1 } from "@cdktf/provider-kubernetes/lib/network-policy-v1";
import { KubernetesProvider } from "@cdktf/provider-kubernetes/lib/provider";
import { ServiceAccountV1 } from "@cdktf/provider-kubernetes/lib/service-account-v1";
import { StorageClassV1 } from "@cdktf/provider-kubernetes/lib/storage-class-v1";
import { TerraformStack, Testing } from "cdktf";
import { Construct } from "constructs";
import { expect, it } from "vitest";
import { stringify } from "yaml";
import {
  assertValid,
  enableSynthValidation,
  enableSynthValidationFromEnv,
  PINNED_REFERENCE_VERSIONS,
  StackValidationError,
  schemaStore,
  validateSynthesizedStack,
} from "../../../scripts/validation";
import { thrownBy } from "../../support/errors";
import { countChecked, describeWithSchemas, expectValidStack, synthWithPaths } from "../../support/schemas";

interface Tweaks {
  gpuValues?: Record<string, unknown>;
  gpuSet?: { name: string; value: string }[];
  kafkaListenerName?: string;
  mlflowVersion?: string;
  airflowVersion?: string;
}

/** A small platform: namespace, policies, a service account, a storage class, five charts and custom resources. */
function buildStack(t: Tweaks = {}) {
  const app = Testing.app();
  const stack = new TerraformStack(app, "platform");
  new HelmProvider(stack, "helm", {});
  new KubernetesProvider(stack, "kubernetes", {});
  const base = new Construct(stack, "base");
  const ns = new NamespaceV1(base, "ml", {
    metadata: { name: "ml", labels: { "pod-security.kubernetes.io/enforce": "restricted" } },
  });
  new NetworkPolicyV1(base, "deny", {
    metadata: { name: "default-deny", namespace: ns.metadata.name },
    spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
  });
  new ServiceAccountV1(base, "sa", {
    metadata: {
      name: "mlflow",
      namespace: ns.metadata.name,
      annotations: { "eks.amazonaws.com/role-arn": "arn:aws:iam::1:role/mlflow" },
    },
    automountServiceAccountToken: false,
  });
  new StorageClassV1(base, "gp3", {
    metadata: { name: "gp3" },
    storageProvisioner: "ebs.csi.aws.com",
    parameters: { type: "gp3", encrypted: "true" },
    volumeBindingMode: "WaitForFirstConsumer",
  });
  const addons = new Construct(stack, "addons");
  new Release(addons, "gpu", {
    name: "nvidia-device-plugin",
    chart: "nvidia-device-plugin",
    repository: "https://nvidia.github.io/k8s-device-plugin",
    version: "0.20.0",
    namespace: "kube-system",
    values: [
      stringify({ tolerations: [{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }] }),
      stringify(t.gpuValues ?? { nodeSelector: { "nvidia.com/gpu.present": "true" } }),
    ],
    set: t.gpuSet ?? [{ name: "devicePlugin.enabled", value: "true" }],
  });
  new Release(addons, "mlflow", {
    name: "mlflow",
    chart: "mlflow",
    repository: "https://community-charts.github.io/helm-charts",
    version: t.mlflowVersion ?? "1.11.5",
    namespace: ns.metadata.name,
    values: [
      stringify({
        serviceAccount: { create: false, name: "mlflow" },
        artifactRoot: { s3: { enabled: true, bucket: "ml-artifacts" } },
      }),
    ],
  });
  // OCI chart reference without `repository`: the chart name is the last path segment.
  new Release(addons, "strimzi", {
    name: "strimzi",
    chart: "oci://quay.io/strimzi-helm/strimzi-kafka-operator",
    version: "1.2.0",
    namespace: "ml",
    values: [stringify({ watchNamespaces: ["ml"], leaderElection: { enable: true } })],
  });
  new Release(addons, "airflow", {
    name: "airflow",
    chart: "airflow",
    repository: "https://airflow.apache.org",
    version: t.airflowVersion ?? "1.19.0",
    values: [stringify({ executor: "KubernetesExecutor", statsd: { enabled: true } })],
  });
  // A chart the reference data does not hold (asserted in the "unchecked" test).
  new Release(addons, "cert-manager", {
    name: "cert-manager",
    chart: "cert-manager",
    repository: "https://charts.jetstack.io",
    version: "1.19.1",
  });
  const streaming = new Construct(stack, "streaming");
  new Manifest(streaming, "kafka", {
    manifest: {
      apiVersion: "kafka.strimzi.io/v1",
      kind: "Kafka",
      metadata: {
        name: "ml-kafka",
        namespace: "ml",
        annotations: { "strimzi.io/node-pools": "enabled", "strimzi.io/kraft": "enabled" },
      },
      spec: {
        kafka: {
          listeners: [{ name: t.kafkaListenerName ?? "tls", port: 9093, type: "internal", tls: true }],
        },
      },
    },
  });
  new Manifest(streaming, "pool", {
    manifest: {
      apiVersion: "kafka.strimzi.io/v1",
      kind: "KafkaNodePool",
      metadata: { name: "dual", namespace: "ml", labels: { "strimzi.io/cluster": "ml-kafka" } },
      spec: {
        replicas: 3,
        roles: ["controller", "broker"],
        storage: { type: "persistent-claim", size: "50Gi" },
      },
    },
  });
  new Manifest(streaming, "monitor", {
    manifest: {
      apiVersion: "monitoring.coreos.com/v1",
      kind: "ServiceMonitor",
      metadata: { name: "kafka", namespace: "ml" },
      spec: {
        selector: { matchLabels: { "strimzi.io/cluster": "ml-kafka" } },
        endpoints: [{ port: "metrics" }],
      },
    },
  });
  new Manifest(streaming, "cfg", {
    manifest: {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "kafka-metrics", namespace: "ml" },
      data: { "metrics.yaml": "rules: []" },
    },
  });
  new DeploymentV1(base, "web", {
    metadata: { name: "web", namespace: "ml" },
    spec: {
      selector: { matchLabels: { app: "web" } },
      template: {
        metadata: { labels: { app: "web" } },
        spec: { container: [{ name: "web", image: "nginx:1" }] },
      },
    },
  });
  return { app, stack };
}

const json = (t?: Tweaks) => synthWithPaths(buildStack(t).stack);

describeWithSchemas("validateSynthesizedStack", () => {
  it("validates every Helm release, custom resource and typed object, counting per kind", () => {
    const report = expectValidStack(json());
    // Releases count as checked when the reference data holds their chart's values.yaml.
    const charts = ["nvidia-device-plugin", "mlflow", "strimzi-kafka-operator", "airflow", "cert-manager"];
    const withData = charts.filter((c) => schemaStore().chartByName(c)?.hasValues).length;
    expect(withData).toBeGreaterThanOrEqual(3);
    expect(report.checked).toEqual({
      HelmRelease: withData,
      Namespace: 1,
      NetworkPolicy: 1,
      ServiceAccount: 1,
      StorageClass: 1,
      Kafka: 1,
      KafkaNodePool: 1,
      ServiceMonitor: 1,
      ConfigMap: 1,
      Deployment: 1,
    });
  });

  it("reports charts without reference data as unchecked, with the reason", () => {
    expect(schemaStore().chartByName("cert-manager")).toBeUndefined();
    const report = validateSynthesizedStack(json());
    expect(report.unchecked).toHaveLength(1);
    expect(report.unchecked[0]).toMatchObject({
      kind: "HelmRelease",
      name: "cert-manager",
      constructPath: "platform/addons/cert-manager",
    });
    expect(report.unchecked[0].reason).toMatch(/chart "cert-manager" has no reference data/);
  });

  it("validates a pin against the older reference version it declares, and reports it", () => {
    const gap = PINNED_REFERENCE_VERSIONS.airflow;
    expect(gap?.reference).toBe(schemaStore().chartByName("airflow")?.version);
    const report = expectValidStack(json({ airflowVersion: gap?.pinned }));
    expect(report.olderReference).toEqual([
      expect.objectContaining({ name: "airflow", pinned: gap?.pinned, reference: gap?.reference }),
    ]);
    expect(report.checked.HelmRelease).toBe(expectValidStack(json()).checked.HelmRelease);
    expect(expectValidStack(json()).olderReference).toEqual([]);
  });

  it("fails when a chart version differs from the reference data without a declared reference version", () => {
    const gap = PINNED_REFERENCE_VERSIONS.airflow;
    const undeclared = validateSynthesizedStack(json({ airflowVersion: gap?.pinned }), {
      referenceVersions: {},
    });
    expect(undeclared.failures.map((f) => f.error)).toEqual([
      expect.stringContaining(`chart airflow version ${gap?.pinned} differs from the reference data`),
    ]);
    const otherVersion = validateSynthesizedStack(json({ airflowVersion: "1.21.0" }));
    expect(otherVersion.failures.map((f) => f.error)).toEqual([
      expect.stringContaining("chart airflow version 1.21.0 differs from the reference data"),
    ]);
  });

  it("validates ESO resources against their CRDs, reports groups listed as unchecked, and fails on unknown groups", () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, "crs");
    new KubernetesProvider(stack, "kubernetes", {});
    const meta = { name: "db", namespace: "mlflow" };
    new Manifest(stack, "eso", {
      manifest: {
        apiVersion: "external-secrets.io/v1",
        kind: "ExternalSecret",
        metadata: meta,
        spec: { target: { name: "db", creationPolicy: "Owned" } },
      },
    });
    new Manifest(stack, "unknown", {
      manifest: { apiVersion: "example.org/v1", kind: "Gadget", metadata: meta, spec: {} },
    });
    const report = validateSynthesizedStack(synthWithPaths(stack));
    expect(report.unchecked).toEqual([]);
    expect(report.failures.map((f) => f.kind).sort()).toEqual(["ExternalSecret", "Gadget"]);
    expect(report.failures.find((f) => f.kind === "ExternalSecret")?.error).toMatch(
      /spec\.target\.creationPolicy: must be one of .*"Owner"/,
    );
    const listed = validateSynthesizedStack(synthWithPaths(stack), {
      uncheckedGroups: { "example.org": "no CRD published for the example group" },
    });
    expect(listed.unchecked).toEqual([
      expect.objectContaining({ kind: "Gadget", reason: expect.stringMatching(/no CRD published/) }),
    ]);
    expect(listed.failures.map((f) => f.kind)).toEqual(["ExternalSecret"]);
  });

  it("fails on a misspelled values key with the construct path, address, chart and key", () => {
    const report = validateSynthesizedStack(json({ gpuValues: { tolerationz: [] } }));
    countChecked(report);
    expect(report.failures).toHaveLength(1);
    const [f] = report.failures;
    expect(f).toMatchObject({
      kind: "HelmRelease",
      name: "nvidia-device-plugin",
      constructPath: "platform/addons/gpu",
    });
    expect(f.address).toMatch(/^helm_release\.addons_gpu_/);
    expect(f.error).toContain('chart nvidia-device-plugin has no value "tolerationz"');
    expect(f.error).toContain('did you mean "tolerations"');
  });

  it("expectValidStack fails listing every invalid object", () => {
    expect(() =>
      expectValidStack(json({ gpuValues: { tolerationz: [] }, kafkaListenerName: "TLS" })),
    ).toThrow(/2 invalid object\(s\):\nplatform\/addons\/gpu .*tolerationz.*\nplatform\/streaming\/kafka /s);
  });

  it("fails on a misspelled set name", () => {
    const report = validateSynthesizedStack(
      json({ gpuSet: [{ name: "devicePlugin.enabeld", value: "true" }] }),
    );
    expect(report.failures.map((f) => f.error)).toEqual([expect.stringContaining('"devicePlugin.enabeld"')]);
  });

  it("fails on a misspelled set_list name and accepts a correct one", () => {
    const withSetList = (name: string) => {
      const { stack } = buildStack();
      const gpu = stack.node.findChild("addons").node.findChild("gpu") as Release;
      gpu.putSetList([{ name, value: ["a", "b"] }]);
      return validateSynthesizedStack(synthWithPaths(stack));
    };
    expect(withSetList("imagePullSecrets").failures).toEqual([]);
    expect(withSetList("imagePullSecretz").failures.map((f) => f.error)).toEqual([
      expect.stringContaining('"imagePullSecretz"'),
    ]);
  });

  it("fails when a chart version differs from the reference data", () => {
    const report = validateSynthesizedStack(json({ mlflowVersion: "1.9.0" }));
    expect(report.failures).toHaveLength(1);
    expect(report.failures[0].error).toContain(
      "chart mlflow version 1.9.0 differs from the reference data (1.11.5)",
    );
  });

  it("assertValid throws on the first invalid custom resource with construct path, kind, name and schema error", () => {
    expect(() => assertValid(json())).not.toThrow();
    const thrown = thrownBy(() => assertValid(json({ kafkaListenerName: "TLS" })));
    expect(thrown).toBeInstanceOf(StackValidationError);
    const message = (thrown as Error).message;
    expect(message).toContain("platform/streaming/kafka (kubernetes_manifest.streaming_kafka_");
    expect(message).toContain('Kafka "ml-kafka" is invalid');
    expect(message).toContain("spec.kafka.listeners[0].name: must match pattern");
  });

  it("runs at synth behind enableSynthValidation and reports the construct path", () => {
    const good = buildStack();
    expect(enableSynthValidation(good.app)).toBe(1);
    expect(() => Testing.synth(good.stack, true)).not.toThrow();
    const bad = buildStack({ gpuValues: { tolerationz: [] } });
    enableSynthValidation(bad.app);
    expect(() => Testing.synth(bad.stack, true)).toThrow(
      /platform\/addons\/gpu.*HelmRelease "nvidia-device-plugin".*tolerationz/s,
    );
  });

  it("prints each stack's counts at synth, the same counts the report holds", () => {
    const good = buildStack();
    const lines: string[] = [];
    enableSynthValidation(good.app, { log: (line) => lines.push(line) });
    Testing.synth(good.stack, true);
    const report = validateSynthesizedStack(JSON.parse(Testing.synth(good.stack)));
    const total = Object.values(report.checked).reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThan(0);
    const counts = lines.filter((l) => l.includes("validated"));
    expect(counts).toHaveLength(1);
    expect(counts[0]).toMatch(new RegExp(`^\\[schemas\\] \\S+: validated ${total} objects: `));
    for (const [kind, n] of Object.entries(report.checked)) expect(counts[0]).toContain(`${kind}=${n}`);
  });

  it("stays off unless MLOPS_VALIDATE=1", () => {
    const bad = buildStack({ gpuValues: { tolerationz: [] } });
    expect(enableSynthValidationFromEnv(bad.app, {})).toBe(false);
    expect(() => Testing.synth(bad.stack, true)).not.toThrow();
    expect(enableSynthValidationFromEnv(bad.app, { MLOPS_VALIDATE: "1" })).toBe(true);
    expect(() => Testing.synth(bad.stack, true)).toThrow(/tolerationz/);
  });
});
