import { describe, expect, it } from "vitest";
import { parsePlatformConfig } from "../../../../config";
import { awsLoadBalancerControllerAddOn } from "../../../../constructs/addons/aws-load-balancer-controller";
import { TEST_PLATFORM } from "../../../support/cluster";
import { configProblems } from "../../../support/errors";
import { dataOf, resourcesOf } from "../../../support/synth";
import { controllerRelease, controllerValues, type Json, manifests, synthController } from "./support";

const ISSUER = "oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF0123456789";
const POD_LABELS = { "mlops.io/component": "aws-load-balancer-controller" };

describe("AWS Load Balancer Controller add-on: release and values", () => {
  const { json } = synthController();
  const v = controllerValues(json);

  it("installs the pinned chart into its own namespace and waits for it (the webhooks must answer)", () => {
    const r = controllerRelease(json);
    expect(r).toMatchObject({
      chart: "aws-load-balancer-controller",
      repository: "https://aws.github.io/eks-charts",
      version: "3.5.0",
      namespace: "aws-load-balancer-controller",
      atomic: true,
    });
    expect(r.wait).not.toBe(false); // unset: the helm provider waits
  });

  it("names the cluster, region and VPC so the controller never asks IMDS", () => {
    expect(v).toMatchObject({ clusterName: "acme-dev", region: "eu-west-1", vpcId: TEST_PLATFORM.vpcId });
  });

  it("runs 2 replicas with a PodDisruptionBudget, requests and a memory limit, on the system pool", () => {
    expect(v.replicaCount).toBe(2);
    expect(v.podDisruptionBudget).toEqual({ maxUnavailable: 1 });
    expect(v.resources).toEqual({ requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "512Mi" } });
    expect(v.nodeSelector).toEqual({ "mlops.io/node-pool": "system" });
    expect(v.tolerations).toEqual([{ key: "CriticalAddonsOnly", operator: "Exists" }]);
    expect(v.podLabels).toEqual(POD_LABELS);
  });

  it("sets PSS-restricted pod and container security contexts", () => {
    expect(v.podSecurityContext).toEqual({
      runAsNonRoot: true,
      fsGroup: 65534,
      seccompProfile: { type: "RuntimeDefault" },
    });
    expect(v.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      capabilities: { drop: ["ALL"] },
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      seccompProfile: { type: "RuntimeDefault" },
    });
  });

  it("defaults to ip targets, internal load balancers and the modern TLS policy", () => {
    expect(v).toMatchObject({
      ingressClass: "alb",
      createIngressClassResource: true,
      ingressClassConfig: { default: false },
      defaultTargetType: "ip",
      defaultLoadBalancerScheme: "internal",
      defaultSSLPolicy: "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
      defaultTags: TEST_PLATFORM.tags,
      webhookBindPort: 9443,
      metricsBindAddr: ":8080",
      keepTLSSecret: true,
      serviceMutatorWebhookConfig: { failurePolicy: "Ignore" },
      serviceMonitor: { enabled: false },
    });
  });

  it("annotates the service account with its IRSA role, trusted by exactly that service account", () => {
    expect(v.serviceAccount).toMatchObject({ create: true, name: "aws-load-balancer-controller" });
    expect(v.serviceAccount.annotations["eks.amazonaws.com/role-arn"]).toMatch(/aws_iam_role\.[\w-]+\.arn/);
    const trust = (Object.values(dataOf(json, "aws_iam_policy_document")) as Json[]).find((d) =>
      JSON.stringify(d).includes("sts:AssumeRoleWithWebIdentity"),
    ) as Json;
    expect(trust.statement[0].condition).toEqual([
      {
        test: "StringEquals",
        variable: `${ISSUER}:sub`,
        values: ["system:serviceaccount:aws-load-balancer-controller:aws-load-balancer-controller"],
      },
      { test: "StringEquals", variable: `${ISSUER}:aud`, values: ["sts.amazonaws.com"] },
    ]);
  });

  it("takes replicas and resources from the configuration", () => {
    const c = controllerValues(
      synthController({
        replicas: 3,
        resources: { cpuRequest: "200m", memoryRequest: "512Mi", memoryLimit: "1Gi" },
      }).json,
    );
    expect(c.replicaCount).toBe(3);
    expect(c.resources).toEqual({ requests: { cpu: "200m", memory: "512Mi" }, limits: { memory: "1Gi" } });
    expect(c.nodeSelector).toEqual({ "mlops.io/node-pool": "system" });
  });
});

describe("AWS Load Balancer Controller add-on: network and monitoring", () => {
  const policies = (j: Json) => Object.values(resourcesOf(j, "kubernetes_network_policy_v1")) as Json[];
  const named = (j: Json, name: string) => policies(j).find((p) => p.metadata.name === name) as Json;

  it("denies by default and admits only the API server on the webhook port, HTTPS out", () => {
    const { json } = synthController();
    expect(
      policies(json)
        .map((p) => p.metadata.name)
        .sort(),
    ).toEqual(["allow-egress-https", "allow-ingress-webhook-from-api-server", "default-deny"]);
    const webhook = named(json, "allow-ingress-webhook-from-api-server");
    expect(webhook.spec.ingress).toEqual([
      { from: [{ ip_block: { cidr: TEST_PLATFORM.vpcCidr } }], ports: [{ port: "9443", protocol: "TCP" }] },
    ]);
    expect(webhook.spec.pod_selector.match_labels).toEqual(POD_LABELS);
    expect(named(json, "allow-egress-https").spec.egress).toEqual([
      { ports: [{ port: "443", protocol: "TCP" }] },
    ]);
    expect(manifests(json, "PodMonitor")).toEqual([]);
  });

  it("adds a PodMonitor on the metrics port and admits platform namespaces to it with monitoring", () => {
    const { json } = synthController({}, { monitoring: true });
    expect(manifests(json, "PodMonitor")).toEqual([
      {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "PodMonitor",
        metadata: { name: "aws-load-balancer-controller", namespace: "aws-load-balancer-controller" },
        spec: {
          selector: { matchLabels: POD_LABELS },
          namespaceSelector: { matchNames: ["aws-load-balancer-controller"] },
          podMetricsEndpoints: [{ portNumber: 8080, path: "/metrics", interval: "30s" }],
        },
      },
    ]);
    expect(named(json, "allow-ingress-metrics").spec.ingress).toEqual([
      {
        from: [{ namespace_selector: { match_labels: { "mlops.io/platform": "true" } } }],
        ports: [{ port: "8080", protocol: "TCP" }],
      },
    ]);
  });
});

describe("AWS Load Balancer Controller add-on: placement and factory", () => {
  const base = { name: "acme", environment: "dev", region: "eu-west-1", preset: "standard" };

  it("runs on the configured pool", () => {
    const v = controllerValues(synthController({ nodePool: "platform" }).json);
    expect(v.nodeSelector).toEqual({ "mlops.io/node-pool": "platform" });
  });

  it("fails when its node pool is not one the platform creates, naming the path", () => {
    expect(
      configProblems(() =>
        parsePlatformConfig({ ...base, addons: { awsLoadBalancerController: { nodePool: "ops" } } }),
      ),
    ).toEqual([
      // The standard preset's pools: managed system + gpu, and the Karpenter batch pool.
      'addons.awsLoadBalancerController.nodePool: got "ops"; expected a node pool the platform creates (system, gpu, batch)',
    ]);
  });

  it("has no dependencies", () => {
    expect(awsLoadBalancerControllerAddOn().dependsOn).toBeUndefined();
  });

  it("fails when replicas is 0, naming the path", () => {
    expect(() => awsLoadBalancerControllerAddOn({ replicas: 0 })).toThrow(
      /addons\.awsLoadBalancerController\.replicas: got 0/,
    );
  });
});
