import { expect, it } from "vitest";
import { re2ToJs, validateCustomResource } from "../../../scripts/validation";
import { countKind, describeWithSchemas } from "../../support/schemas";

const kafka = () => ({
  apiVersion: "kafka.strimzi.io/v1",
  kind: "Kafka",
  metadata: {
    name: "ml-kafka",
    namespace: "ml-streaming",
    // Strimzi 1.x runs KRaft with node pools only; the annotations are what 0.4x clusters migrated with.
    annotations: { "strimzi.io/node-pools": "enabled", "strimzi.io/kraft": "enabled" },
  },
  spec: {
    kafka: {
      version: "4.1.1",
      metadataVersion: "4.1-IV1",
      listeners: [
        { name: "tls", port: 9093, type: "internal", tls: true, authentication: { type: "scram-sha-512" } },
      ],
      authorization: { type: "simple" },
      config: {
        "min.insync.replicas": 2,
        "default.replication.factor": 3,
        "auto.create.topics.enable": false,
      },
    },
    entityOperator: { topicOperator: {}, userOperator: {} },
  },
});

const nodePool = () => ({
  apiVersion: "kafka.strimzi.io/v1",
  kind: "KafkaNodePool",
  metadata: { name: "dual-role", namespace: "ml-streaming", labels: { "strimzi.io/cluster": "ml-kafka" } },
  spec: {
    replicas: 3,
    roles: ["controller", "broker"],
    storage: {
      type: "jbod",
      volumes: [
        {
          id: 0,
          type: "persistent-claim",
          size: "100Gi",
          class: "gp3",
          deleteClaim: false,
          kraftMetadata: "shared",
        },
      ],
    },
    resources: { requests: { cpu: "1", memory: "4Gi" }, limits: { memory: "4Gi" } },
  },
});

const topic = () => ({
  apiVersion: "kafka.strimzi.io/v1",
  kind: "KafkaTopic",
  metadata: {
    name: "inference-requests",
    namespace: "ml-streaming",
    labels: { "strimzi.io/cluster": "ml-kafka" },
  },
  spec: { partitions: 6, replicas: 3, config: { "retention.ms": 604800000, "cleanup.policy": "delete" } },
});

const user = () => ({
  apiVersion: "kafka.strimzi.io/v1",
  kind: "KafkaUser",
  metadata: {
    name: "inference-service",
    namespace: "ml-streaming",
    labels: { "strimzi.io/cluster": "ml-kafka" },
  },
  spec: {
    authentication: { type: "scram-sha-512" },
    authorization: {
      type: "simple",
      acls: [
        {
          resource: { type: "topic", name: "inference-", patternType: "prefix" },
          operations: ["Read", "Write", "Describe"],
        },
        { resource: { type: "group", name: "drift-", patternType: "prefix" }, operations: ["Read"] },
      ],
    },
  },
});

const serviceMonitor = () => ({
  apiVersion: "monitoring.coreos.com/v1",
  kind: "ServiceMonitor",
  metadata: { name: "inference", namespace: "ml-serving", labels: { release: "kube-prometheus-stack" } },
  spec: {
    selector: { matchLabels: { "app.kubernetes.io/name": "inference" } },
    namespaceSelector: { matchNames: ["ml-serving"] },
    endpoints: [{ port: "http", path: "/metrics", interval: "30s", scrapeTimeout: "10s" }],
  },
});

const prometheusRule = (strategy = "WARN") => ({
  apiVersion: "monitoring.coreos.com/v1",
  kind: "PrometheusRule",
  metadata: { name: "inference-slo", namespace: "ml-serving" },
  spec: {
    groups: [
      {
        name: "inference",
        interval: "1m",
        // RE2 pattern `^(?i)(abort|warn)?$`: only valid in JS after translating the inline flag.
        partial_response_strategy: strategy,
        rules: [
          {
            alert: "InferenceHighLatency",
            expr: "histogram_quantile(0.99, sum(rate(inference_request_duration_seconds_bucket[5m])) by (le)) > 0.5",
            for: "10m",
            labels: { severity: "warning" },
            annotations: { summary: "p99 inference latency above 500ms" },
          },
        ],
      },
    ],
  },
});

/** AlertmanagerConfig mute intervals: RE2 patterns with `(?i)` inside a group (scoped to that group). */
const alertmanagerConfig = (weekdays: string[], months: string[] = ["january"]) => ({
  apiVersion: "monitoring.coreos.com/v1alpha1",
  kind: "AlertmanagerConfig",
  metadata: { name: "quiet-hours", namespace: "ml-serving" },
  spec: { muteTimeIntervals: [{ name: "weekend", timeIntervals: [{ weekdays, months }] }] },
});

const workflow = () => ({
  apiVersion: "argoproj.io/v1alpha1",
  kind: "Workflow",
  metadata: { generateName: "train-", namespace: "ml-pipelines" },
  spec: {
    entrypoint: "main",
    serviceAccountName: "argo-workflow",
    arguments: { parameters: [{ name: "dataset", value: "s3://ml-data/readmission.csv" }] },
    templates: [
      { name: "main", steps: [[{ name: "train", template: "train" }]] },
      {
        name: "train",
        container: {
          image: "python:3.11-slim",
          command: ["python", "-m", "train"],
          resources: { requests: { cpu: "2", memory: "4Gi" } },
          securityContext: { runAsNonRoot: true, allowPrivilegeEscalation: false },
        },
        retryStrategy: { limit: 2 },
      },
    ],
  },
});

function expectValid(manifest: Record<string, unknown>): void {
  const result = validateCustomResource(manifest);
  expect(result.issues).toEqual([]);
  expect(result.valid).toBe(true);
  countKind(String(manifest.kind));
}

function issuesOf(manifest: Record<string, unknown>): { path: string; message: string }[] {
  const result = validateCustomResource(manifest);
  expect(result.valid).toBe(false);
  countKind(String(manifest.kind));
  return [...result.issues];
}

describeWithSchemas("validateCustomResource", () => {
  it("accepts a Strimzi 1.x KRaft Kafka with a dual-role KafkaNodePool, a KafkaTopic and a KafkaUser", () => {
    expectValid(kafka());
    expectValid(nodePool());
    expectValid(topic());
    expectValid(user());
  });

  it("accepts a ServiceMonitor, a PrometheusRule (RE2 inline-flag pattern) and an Argo Workflow", () => {
    expectValid(serviceMonitor());
    expectValid(prometheusRule("WARN"));
    expectValid(prometheusRule("abort"));
    expectValid(workflow());
  });

  it("fails when the RE2 case-insensitive pattern does not match, naming the JSON path", () => {
    const issues = issuesOf(prometheusRule("ignore"));
    expect(issues).toHaveLength(1);
    expect(issues[0].path).toBe("spec.groups[0].partial_response_strategy");
    expect(issues[0].message).toContain('got "ignore"');
  });

  it("applies an RE2 (?i) inside a group to that group only (AlertmanagerConfig weekdays and months)", () => {
    // `^((?i)sun|mon|…)day(?:((:(sun|mon|…)day)$)|$)`: every alternative of the first group ignores case;
    // `day` and the range end after `:` do not.
    expectValid(alertmanagerConfig(["Sunday", "MONday:friday", "saturday"], ["January", "MARCH:may", "12"]));
    const rejected = ["SUNDAY", "monday:Friday", "someday", "sun"];
    const issues = issuesOf(alertmanagerConfig(rejected, ["13", "Smarch"]));
    expect(issues.map((i) => i.path).sort()).toEqual([
      "spec.muteTimeIntervals[0].timeIntervals[0].months[0]",
      "spec.muteTimeIntervals[0].timeIntervals[0].months[1]",
      ...rejected.map((_, i) => `spec.muteTimeIntervals[0].timeIntervals[0].weekdays[${i}]`),
    ]);
    expect(issues.find((i) => i.path.endsWith("weekdays[0]"))?.message).toContain('got "SUNDAY"');
  });

  it("fails when a Kafka listener is broken, with the JSON path of each error", () => {
    const k = kafka();
    k.spec.kafka.listeners[0] = { name: "TLS-LISTENER", port: "9093", type: "internal", tls: true } as never;
    const paths = issuesOf(k).map((i) => `${i.path}: ${i.message}`);
    expect(paths).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^spec\.kafka\.listeners\[0\]\.name: must match pattern/),
        expect.stringMatching(/^spec\.kafka\.listeners\[0\]\.port: must be integer/),
      ]),
    );
  });

  it("fails when a field is misspelled, which the API server would silently prune", () => {
    const k = kafka() as { spec: { kafka: Record<string, unknown> } };
    k.spec.kafka.authorisation = k.spec.kafka.authorization;
    delete k.spec.kafka.authorization;
    const sm = serviceMonitor() as { spec: { endpoints: Record<string, unknown>[] } };
    sm.spec.endpoints[0].scrapeInterval = "30s";
    expect(issuesOf(k)).toEqual([
      { path: "spec.kafka.authorisation", message: expect.stringContaining("prunes") },
    ]);
    expect(issuesOf(sm)).toEqual([
      {
        path: "spec.endpoints[0].scrapeInterval",
        message: expect.stringContaining("not a field of this schema"),
      },
    ]);
  });

  it("fails when a KafkaNodePool role or a required field is wrong", () => {
    const np = nodePool() as Record<string, unknown>;
    const spec = np.spec as Record<string, unknown>;
    spec.roles = ["worker"];
    delete spec.replicas;
    const issues = issuesOf(np);
    expect(issues).toEqual(
      expect.arrayContaining([
        { path: "spec.roles[0]", message: 'must be one of ["controller","broker"] (got "worker")' },
        { path: "spec.replicas", message: "is required but missing" },
      ]),
    );
  });

  it("fails when a Workflow template has the wrong type deep inside", () => {
    const wf = workflow();
    (wf.spec.templates[1] as Record<string, unknown>).retryStrategy = { limit: true };
    const issues = issuesOf(wf);
    expect(issues.map((i) => i.path)).toContain("spec.templates[1].retryStrategy.limit");
  });

  it("fails when metadata.name is not a DNS-1123 subdomain or the namespace is not a label", () => {
    const t = topic();
    t.metadata.name = "Inference_Requests";
    t.metadata.namespace = "ml.streaming";
    const issues = issuesOf(t);
    expect(issues.map((i) => i.path)).toEqual(["metadata.name", "metadata.namespace"]);
    expect(issues[0].message).toContain("DNS-1123 subdomain");
  });

  it("fails when the apiVersion is not in the reference data, listing what is available", () => {
    const k = { ...kafka(), apiVersion: "kafka.strimzi.io/v1beta1" };
    expect(issuesOf(k)[0].message).toMatch(
      /no CRD schema for kafka\.strimzi\.io\/v1beta1 Kafka.*kafka\.strimzi\.io\/v1\b/,
    );
    const unknown = { apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w" } };
    expect(issuesOf(unknown)[0].message).toMatch(
      /groups available: .*kafka\.strimzi\.io.*monitoring\.coreos\.com/,
    );
  });
});

it("translates RE2-only regex syntax to JavaScript", () => {
  expect(re2ToJs("^(?i)(abort|warn)?$")).toEqual({ source: "^(abort|warn)?$", flags: "i" });
  expect(re2ToJs("(?is)^a.b$")).toEqual({ source: "^a.b$", flags: "is" });
  expect(re2ToJs("\\A(?P<n>[[:digit:]]+)\\z")).toEqual({ source: "^(?<n>[0-9]+)$", flags: "" });
  expect(() => re2ToJs("(?U)a+")).toThrow(/ungreedy/);
  // Flags inside the pattern hold to the end of the enclosing group, across `|`; JS (Node 20) has no scoped
  // flags, so case-insensitivity is spelt out per letter and per character class.
  expect(re2ToJs("a(?i)b").source).toBe("a[bB]");
  expect(re2ToJs("^((?i)ab|c)d$")).toEqual({ source: "^([aA][bB]|[cC])d$", flags: "" });
  expect(re2ToJs("(?i:x[a-c_0-9])y(?<name>z)").source).toBe("(?:[xX][a-c_0-9A-C])y(?<name>z)");
  expect(re2ToJs("(?i)a(?-i)b")).toEqual({ source: "[aA]b", flags: "" });
  expect(() => re2ToJs("a(?s).b")).toThrow(/flag s inside a group/);
});
