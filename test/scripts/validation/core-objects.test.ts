import {
  DeploymentV1,
  type DeploymentV1SpecTemplateSpec,
} from "@cdktf/provider-kubernetes/lib/deployment-v1";
import { KubernetesProvider } from "@cdktf/provider-kubernetes/lib/provider";
import { TerraformStack, Testing } from "cdktf";
import { describe, expect, it } from "vitest";
import { coreKinds, typedResourceToObject, validateCoreObject } from "../../../scripts/validation";

const deployment = () => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "inference", namespace: "ml-serving", labels: { "app.kubernetes.io/name": "inference" } },
  spec: {
    replicas: 2,
    selector: { matchLabels: { "app.kubernetes.io/name": "inference" } },
    template: {
      metadata: { labels: { "app.kubernetes.io/name": "inference" } },
      spec: {
        serviceAccountName: "inference",
        securityContext: { runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: "RuntimeDefault" } },
        containers: [
          {
            name: "server",
            image: "ghcr.io/example/inference:1.0.0",
            ports: [{ name: "http", containerPort: 8080 }],
            resources: { requests: { cpu: "500m", memory: "1Gi" }, limits: { memory: "1Gi" } },
            readinessProbe: { httpGet: { path: "/v2/health/ready", port: "http" }, periodSeconds: 5 },
            securityContext: {
              allowPrivilegeEscalation: false,
              readOnlyRootFilesystem: true,
              capabilities: { drop: ["ALL"] },
            },
          },
        ],
      },
    },
  },
});

/** A Terraform interpolation string, as cdktf renders token references. */
const tf = (expr: string) => ["$", "{", expr, "}"].join("");

// Core schemas come from the kubernetes-models package, so these tests need no reference data dir.
describe("validateCoreObject", () => {
  it("accepts common kinds the kit emits", () => {
    const objects = [
      {
        apiVersion: "v1",
        kind: "Namespace",
        metadata: { name: "ml-serving", labels: { "pod-security.kubernetes.io/enforce": "restricted" } },
      },
      {
        apiVersion: "v1",
        kind: "ServiceAccount",
        metadata: { name: "inference", namespace: "ml-serving" },
        automountServiceAccountToken: false,
      },
      {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "cfg", namespace: "ml-serving" },
        data: { "model.yaml": "name: m" },
      },
      {
        apiVersion: "v1",
        kind: "Service",
        metadata: { name: "inference", namespace: "ml-serving" },
        spec: { selector: { app: "inference" }, ports: [{ name: "http", port: 80, targetPort: "http" }] },
      },
      deployment(),
      {
        apiVersion: "networking.k8s.io/v1",
        kind: "NetworkPolicy",
        metadata: { name: "default-deny", namespace: "ml-serving" },
        spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
      },
      {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "ClusterRole",
        metadata: { name: "mlops:reader" },
        rules: [{ apiGroups: [""], resources: ["pods"], verbs: ["get", "list"] }],
      },
      {
        apiVersion: "policy/v1",
        kind: "PodDisruptionBudget",
        metadata: { name: "inference", namespace: "ml-serving" },
        spec: { minAvailable: 1, selector: { matchLabels: { app: "inference" } } },
      },
      {
        apiVersion: "storage.k8s.io/v1",
        kind: "StorageClass",
        metadata: { name: "gp3" },
        provisioner: "ebs.csi.aws.com",
        volumeBindingMode: "WaitForFirstConsumer",
      },
      {
        apiVersion: "batch/v1",
        kind: "CronJob",
        metadata: { name: "drift-report", namespace: "ml-serving" },
        spec: {
          schedule: "0 * * * *",
          jobTemplate: {
            spec: {
              template: { spec: { restartPolicy: "Never", containers: [{ name: "report", image: "x:1" }] } },
            },
          },
        },
      },
    ];
    for (const o of objects)
      expect(validateCoreObject(o), `${o.kind}`).toEqual({
        kind: o.kind,
        name: o.metadata.name,
        valid: true,
        issues: [],
      });
  });

  it("fails when a field has the wrong type, naming the JSON path and value", () => {
    const d = deployment();
    (d.spec as Record<string, unknown>).replicas = "two";
    d.spec.template.spec.containers[0].ports[0].containerPort = "8080" as never;
    const issues = validateCoreObject(d).issues;
    expect(issues).toEqual([
      { path: "spec.replicas", message: 'must be integer (got "two")' },
      {
        path: "spec.template.spec.containers[0].ports[0].containerPort",
        message: 'must be integer (got "8080")',
      },
    ]);
  });

  it("fails when a required field is missing", () => {
    const d = deployment();
    delete (d.spec as Record<string, unknown>).selector;
    expect(validateCoreObject(d).issues).toEqual([
      { path: "spec.selector", message: "is required but missing" },
    ]);
  });

  it("fails when names break the kind's naming rule (Namespace label, Service RFC 1035, RBAC path segment)", () => {
    expect(
      validateCoreObject({ apiVersion: "v1", kind: "Namespace", metadata: { name: "ml.serving" } }).issues[0]
        .message,
    ).toContain("DNS-1123 label");
    expect(
      validateCoreObject({ apiVersion: "v1", kind: "Service", metadata: { name: "1nference" } }).issues[0]
        .message,
    ).toContain("RFC 1035");
    expect(
      validateCoreObject({
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "ClusterRole",
        metadata: { name: "a/b" },
      }).issues[0].message,
    ).toContain("path segment");
    const bad = validateCoreObject({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "c", labels: { team: "ML Platform" } },
    });
    expect(bad.issues).toEqual([
      { path: 'metadata.labels["team"]', message: expect.stringContaining('"ML Platform"') },
    ]);
  });

  it("skips Terraform interpolations, which resolve only at apply time", () => {
    const sa = {
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: { name: "sa", namespace: tf("kubernetes_namespace_v1.ns.metadata[0].name") },
    };
    expect(validateCoreObject(sa).valid).toBe(true);
    const d = deployment();
    (d.spec as Record<string, unknown>).replicas = tf("var.replicas");
    expect(validateCoreObject(d).valid).toBe(true);
  });

  it("fails when the apiVersion/kind is not a supported core kind", () => {
    const r = validateCoreObject({
      apiVersion: "extensions/v1beta1",
      kind: "Deployment",
      metadata: { name: "x" },
    });
    expect(r.issues[0]).toEqual({
      path: "apiVersion",
      message: "no core schema for extensions/v1beta1 Deployment; Deployment is supported as apps/v1",
    });
    expect(coreKinds()).toContain("networking.k8s.io/v1 NetworkPolicy");
  });
});

describe("typedResourceToObject", () => {
  it("maps block lists and snake_case to Kubernetes objects, keeping map keys", () => {
    const np = typedResourceToObject("kubernetes_network_policy_v1", {
      "//": { metadata: { path: "s/np" } },
      metadata: [{ name: "allow-ingress", namespace: "ml", labels: { team_name: "ml" } }],
      spec: [
        {
          pod_selector: [{ match_labels: { app_name: "inference" } }],
          policy_types: ["Ingress"],
          ingress: [
            {
              from: [{ namespace_selector: [{ match_labels: { "kubernetes.io/metadata.name": "gw" } }] }],
              ports: [{ port: "8080", protocol: "TCP" }],
            },
          ],
        },
      ],
    });
    expect(np).toEqual({
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: { name: "allow-ingress", namespace: "ml", labels: { team_name: "ml" } },
      spec: {
        podSelector: { matchLabels: { app_name: "inference" } },
        policyTypes: ["Ingress"],
        ingress: [
          {
            from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "gw" } } }],
            ports: [{ port: "8080", protocol: "TCP" }],
          },
        ],
      },
    });
    expect(validateCoreObject(np).valid).toBe(true);
  });

  it("renames provider-specific attributes (storage_provisioner, secret data, repeated rule/subject blocks)", () => {
    expect(
      typedResourceToObject("kubernetes_storage_class_v1", {
        metadata: { name: "gp3" },
        storage_provisioner: "ebs.csi.aws.com",
        reclaim_policy: "Retain",
        allow_volume_expansion: true,
      }),
    ).toEqual({
      apiVersion: "storage.k8s.io/v1",
      kind: "StorageClass",
      metadata: { name: "gp3" },
      provisioner: "ebs.csi.aws.com",
      reclaimPolicy: "Retain",
      allowVolumeExpansion: true,
    });
    const rb = typedResourceToObject("kubernetes_role_binding_v1", {
      metadata: { name: "rb", namespace: "ml" },
      role_ref: [{ api_group: "rbac.authorization.k8s.io", kind: "Role", name: "r" }],
      subject: [{ kind: "ServiceAccount", name: "sa", namespace: "ml" }],
    });
    expect(rb).toMatchObject({
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "r" },
      subjects: [{ kind: "ServiceAccount", name: "sa" }],
    });
    expect(validateCoreObject(rb).valid).toBe(true);
    expect(
      typedResourceToObject("kubernetes_secret_v1", {
        metadata: { name: "s" },
        data: { password: "p" },
        wait_for_service_account_token: true,
      }),
    ).toEqual({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "s" },
      stringData: { password: "p" },
    });
    expect(typedResourceToObject("aws_s3_bucket", {})).toBeUndefined();
  });
});

/** Synthesizes a real typed Deployment and returns its Terraform JSON. */
function typedDeployment(podSecurityContext: Record<string, unknown>): Record<string, unknown> {
  const app = Testing.app();
  const stack = new TerraformStack(app, "s");
  new KubernetesProvider(stack, "k8s", {});
  const podSpec: DeploymentV1SpecTemplateSpec = {
    serviceAccountName: "inference",
    securityContext: podSecurityContext,
    toleration: [{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }],
    topologySpreadConstraint: [
      {
        maxSkew: 1,
        topologyKey: "topology.kubernetes.io/zone",
        whenUnsatisfiable: "ScheduleAnyway",
        labelSelector: [{ matchLabels: { app: "inference" } }],
      },
    ],
    container: [
      {
        name: "server",
        image: "ghcr.io/example/inference:1.0.0",
        port: [{ name: "http", containerPort: 8080 }],
        env: [{ name: "B", valueFrom: { secretKeyRef: { name: "s", key: "k" } } }],
        readinessProbe: {
          httpGet: { path: "/ready", port: "http", httpHeader: [{ name: "X", value: "y" }] },
        },
        livenessProbe: { tcpSocket: [{ port: "8080" }] },
        lifecycle: { preStop: [{ exec: { command: ["sleep", "5"] } }] },
        securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
        volumeMount: [{ name: "cfg", mountPath: "/etc/cfg", readOnly: true }],
      },
    ],
    volume: [
      { name: "cfg", configMap: { name: "cm", defaultMode: "0444" } },
      {
        name: "tok",
        projected: [{ sources: [{ serviceAccountToken: { audience: "sts.amazonaws.com", path: "token" } }] }],
      },
    ],
  };
  new DeploymentV1(stack, "d", {
    metadata: { name: "inference", namespace: "ml" },
    spec: {
      replicas: "2",
      selector: { matchLabels: { app: "inference" } },
      template: { metadata: { labels: { app: "inference" } }, spec: podSpec },
    },
    waitForRollout: false,
  });
  const json = stack.toTerraform() as { resource: Record<string, Record<string, Record<string, unknown>>> };
  return json.resource.kubernetes_deployment_v1.d;
}

describe("typed workloads", () => {
  it("converts a synthesized kubernetes_deployment_v1 (provider lists, string integers, octal modes) and validates it", () => {
    const obj = typedResourceToObject(
      "kubernetes_deployment_v1",
      typedDeployment({ runAsNonRoot: true, runAsUser: "10001" }),
    );
    // biome-ignore lint/suspicious/noExplicitAny: deep assertions on a converted object
    const spec = obj?.spec as Record<string, any>;
    expect(spec.replicas).toBe(2);
    const pod = spec.template.spec;
    expect(pod.securityContext).toEqual({ runAsNonRoot: true, runAsUser: 10001 });
    expect(pod.containers[0].livenessProbe).toEqual({ tcpSocket: { port: "8080" } });
    expect(pod.containers[0].lifecycle).toEqual({ preStop: { exec: { command: ["sleep", "5"] } } });
    expect(pod.topologySpreadConstraints[0].labelSelector).toEqual({ matchLabels: { app: "inference" } });
    expect(pod.volumes[0].configMap.defaultMode).toBe(0o444);
    expect(pod.volumes[1].projected).toEqual({
      sources: [{ serviceAccountToken: { audience: "sts.amazonaws.com", path: "token" } }],
    });
    expect(obj).not.toHaveProperty("waitForRollout");
    expect(validateCoreObject(obj)).toMatchObject({
      kind: "Deployment",
      name: "inference",
      valid: true,
      issues: [],
    });
  });

  it("fails when a typed Deployment has a non-numeric user id, naming the Kubernetes path", () => {
    const obj = typedResourceToObject("kubernetes_deployment_v1", typedDeployment({ runAsUser: "root" }));
    expect(validateCoreObject(obj).issues).toEqual([
      { path: "spec.template.spec.securityContext.runAsUser", message: 'must be integer (got "root")' },
    ]);
  });
});
