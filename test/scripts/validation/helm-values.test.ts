import { expect, it } from "vitest";
import {
  mergeValues,
  parseSetPath,
  schemaStore,
  validateHelmValues,
  valuesFromSet,
} from "../../../scripts/validation";
import { countKind, describeWithSchemas } from "../../support/schemas";

function expectValid(chart: string, values: unknown): void {
  const result = validateHelmValues(chart, values);
  expect(result.issues).toEqual([]);
  expect(result.valid).toBe(true);
  countKind(`values:${chart}`);
}

function messages(chart: string, values: unknown): string[] {
  const result = validateHelmValues(chart, values);
  expect(result.valid).toBe(false);
  countKind(`values:${chart}`);
  return result.issues.map((i) => i.message);
}

describeWithSchemas("validateHelmValues", () => {
  it("accepts realistic nvidia-device-plugin values (open maps, list defaults, subchart and allow-listed keys)", () => {
    expectValid("nvidia-device-plugin", {
      nodeSelector: { "karpenter.k8s.aws/instance-gpu-manufacturer": "nvidia" },
      tolerations: [{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }],
      priorityClassName: "system-node-critical",
      podAnnotations: { "prometheus.io/scrape": "false" },
      resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "128Mi" } },
      config: { map: { default: "version: v1\nflags:\n  migStrategy: none\n" }, default: "default" },
      devicePlugin: { enabled: true, enableHostNetwork: false },
      gfd: { enabled: false },
      nfd: { enableNodeFeatureApi: true },
      migStrategy: "none",
    });
  });

  it("accepts realistic strimzi-kafka-operator values", () => {
    expectValid("strimzi-kafka-operator", {
      watchAnyNamespace: false,
      watchNamespaces: ["ml-streaming"],
      replicas: 1,
      resources: { requests: { cpu: "200m", memory: "384Mi" }, limits: { memory: "384Mi" } },
      image: { imagePullSecrets: [{ name: "registry" }] },
      podDisruptionBudget: { enabled: true, minAvailable: 1 },
      leaderElection: { enable: true },
      generateNetworkPolicy: true,
      logLevel: "INFO",
      extraEnvs: [{ name: "JAVA_OPTS", value: "-Xmx256m" }],
    });
  });

  it("accepts realistic mlflow values and validates them against values.schema.json", () => {
    expectValid("mlflow", {
      replicaCount: 2,
      serviceAccount: {
        create: true,
        annotations: { "eks.amazonaws.com/role-arn": "arn:aws:iam::1:role/mlflow" },
      },
      backendStore: {
        databaseMigration: true,
        postgres: {
          enabled: true,
          host: "db.example.internal",
          port: 5432,
          database: "mlflow",
          user: "mlflow",
          password: "x",
        },
      },
      artifactRoot: {
        proxiedArtifactStorage: true,
        s3: { enabled: true, bucket: "ml-artifacts", path: "mlflow" },
      },
      resources: { requests: { cpu: "250m", memory: "512Mi" } },
      podAnnotations: { team: "ml" },
    });
  });

  it("accepts realistic kube-prometheus-stack values", () => {
    expectValid("kube-prometheus-stack", {
      grafana: { enabled: false, adminPassword: "from-subchart" },
      defaultRules: { create: true },
      kubeControllerManager: { enabled: false },
      kubeScheduler: { enabled: false },
      kubeEtcd: { enabled: false },
      prometheus: {
        prometheusSpec: {
          retention: "15d",
          retentionSize: "40GB",
          serviceMonitorSelectorNilUsesHelmValues: false,
          podMonitorSelectorNilUsesHelmValues: false,
          ruleSelectorNilUsesHelmValues: false,
          resources: { requests: { cpu: "500m", memory: "2Gi" } },
          storageSpec: {
            volumeClaimTemplate: {
              spec: { storageClassName: "gp3", resources: { requests: { storage: "50Gi" } } },
            },
          },
        },
      },
    });
  });

  it("accepts realistic argo-workflows values", () => {
    expectValid("argo-workflows", {
      controller: {
        workflowNamespaces: ["ml-pipelines"],
        metricsConfig: { enabled: true },
        serviceMonitor: { enabled: true },
        replicas: 1,
        resources: { requests: { cpu: "100m", memory: "256Mi" } },
        persistence: { archive: true, postgresql: { host: "db", port: 5432, database: "argo" } },
      },
      server: {
        authModes: ["client"],
        serviceAccount: { annotations: { "eks.amazonaws.com/role-arn": "arn" } },
      },
      workflow: { serviceAccount: { create: true, name: "argo-workflow" }, rbac: { create: true } },
      artifactRepository: {
        archiveLogs: true,
        s3: { bucket: "ml-artifacts", region: "eu-west-1", useSDKCreds: true },
      },
    });
  });

  it("accepts realistic seldon-core-v2-setup values", () => {
    expectValid("seldon-core-v2-setup", {
      controller: { clusterwide: true, resources: { cpu: "100m", memory: "128Mi" } },
      kafka: {
        bootstrap: "ml-kafka-kafka-bootstrap.ml-streaming:9093",
        topicPrefix: "seldon",
        topics: { replicationFactor: 3 },
      },
    });
  });

  it("fails when a key is misspelled, naming the chart, the key path and the closest keys", () => {
    const [msg, ...rest] = messages("nvidia-device-plugin", { tolerationz: [] });
    expect(rest).toEqual([]);
    expect(msg).toContain("chart nvidia-device-plugin");
    expect(msg).toContain('"tolerationz"');
    expect(msg).toContain('did you mean "tolerations"');
  });

  it("fails when a nested key does not exist under a non-empty map", () => {
    const msgs = messages("strimzi-kafka-operator", { leaderElection: { enabled: true } });
    expect(msgs).toHaveLength(1);
    expect(msgs[0]).toContain('"leaderElection.enabled"');
    expect(msgs[0]).toContain('did you mean "leaderElection.enable"');
  });

  it("fails when a chart-specific resources shape gets Kubernetes keys (seldon controller.resources is {cpu, memory})", () => {
    const msgs = messages("seldon-core-v2-setup", { controller: { resources: { limits: { cpu: "1" } } } });
    expect(msgs.join("\n")).toContain('"controller.resources.limits"');
  });

  it("fails when a map is set where the chart has a scalar", () => {
    const msgs = messages("strimzi-kafka-operator", { serviceAccount: { name: "x" } });
    expect(msgs[0]).toContain('"serviceAccount"');
    expect(msgs[0]).toMatch(/string "strimzi-cluster-operator"/);
  });

  it("fails when a value has the wrong type per values.schema.json (mlflow port as a string)", () => {
    const msgs = messages("mlflow", { backendStore: { postgres: { enabled: true, port: "5432" } } });
    expect(msgs).toHaveLength(1);
    expect(msgs[0]).toContain("values.schema.json");
    expect(msgs[0]).toContain("backendStore.postgres.port");
    expect(msgs[0]).toContain("must be integer");
  });

  it("fails when the chart dir has no reference data, listing the charts that have some", () => {
    expect(schemaStore().chartByName("cert-manager")).toBeUndefined();
    expect(() => validateHelmValues("cert-manager", {})).toThrow(
      /no reference values\.yaml.*cert-manager.*mlflow.*airflow/s,
    );
  });

  it("validates external-secrets values against its draft 2020-12 values.schema.json", () => {
    expectValid("external-secrets", { installCRDs: true, replicaCount: 2, webhook: { port: 10250 } });
    const msgs = messages("external-secrets", { replicaCount: "two" });
    expect(msgs).toEqual([expect.stringMatching(/values\.schema\.json: replicaCount: must be integer/)]);
  });

  it("accepts a key values.yaml shows only commented out when values.schema.json declares it", () => {
    // airflow dags.gitSync: `# sshKeySecret: airflow-ssh-secret` in values.yaml, a property in the schema.
    expectValid("airflow", {
      dags: { gitSync: { sshKeySecret: "dags-key", knownHosts: "github.com ssh-ed25519 AAAA" } },
    });
    const [misspelt] = messages("airflow", { dags: { gitSync: { sshKeySecrets: "dags-key" } } });
    expect(misspelt).toContain('"dags.gitSync.sshKeySecrets"');
  });

  it("validates airflow values against its values.yaml and values.schema.json", () => {
    expectValid("airflow", { executor: "KubernetesExecutor", config: { core: { parallelism: 64 } } });
    const [misspelt] = messages("airflow", { schedular: { replicas: 2 } });
    expect(misspelt).toContain('did you mean "scheduler"');
    expect(messages("airflow", { scheduler: { replicas: "two" } }).join("\n")).toMatch(
      /scheduler\.replicas: must be integer/,
    );
  });
});

it("merges values like Helm: maps deep, lists replace, null deletes", () => {
  const merged = mergeValues({ a: { b: 1, c: [1, 2], d: "x" }, e: 1 }, { a: { c: [3], d: null }, f: true });
  expect(merged).toEqual({ a: { b: 1, c: [3] }, e: 1, f: true });
});

it("parses --set names with escapes and indices, typing values like Helm", () => {
  expect(parseSetPath("a.b\\.c[1].d")).toEqual(["a", "b.c", 1, "d"]);
  expect(
    valuesFromSet([
      { name: "x.enabled", value: "true" },
      { name: "x.port", value: "5432" },
      { name: "x.tag", value: "1", type: "string" },
      { name: "list[0].name", value: "n" },
    ]),
  ).toEqual({ x: { enabled: true, port: 5432, tag: "1" }, list: [{ name: "n" }] });
  expect(() => parseSetPath("a[x]")).toThrow(/bad list index/);
});
