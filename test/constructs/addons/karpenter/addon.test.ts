import { beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { EMBEDDED_DEFAULT } from "../../../../config/presets";
import { KARPENTER_METRICS_PORT, KARPENTER_POD_LABELS } from "../../../../constructs/addons/karpenter";
import { all, type Json, manifestNamed, manifests, named } from "../../../support/manifests";
import { type SynthesizedPlatform, synthPlatform } from "../../../support/platform";
import { describeWithSchemas, expectValidStack } from "../../../support/schemas";
import type { SynthJson } from "../../../support/synth";

const releases = (json: SynthJson) => all(json, "helm_release");
const release = (json: SynthJson, chart: string) => {
  const found = releases(json).filter((r) => r.chart === chart);
  if (found.length !== 1) throw new Error(`expected one ${chart} release, found ${found.length}`);
  return found[0];
};
/** The cluster name, read from the foundation stack's outputs. */
const CLUSTER_NAME = /^\$\{data\.terraform_remote_state\.[^}]+aws_eks_clusterCluster_\w+name\}$/;
const valuesOf = (r: Json) => parseYaml(r.values[0]) as Json;

/** The default configuration (standard preset): Karpenter launches the GPU and batch pools. */
describe("Karpenter in the default platform", () => {
  let p: SynthesizedPlatform;
  let resources: SynthJson;
  beforeAll(() => {
    p = synthPlatform();
    resources = p.resources as SynthJson;
  });

  it("installs the controller chart 1.14.1 after the karpenter-crd chart, without the chart's own CRDs", () => {
    const controller = release(p.platform, "karpenter");
    const crds = release(p.platform, "karpenter-crd");
    expect(controller).toMatchObject({
      repository: "oci://public.ecr.aws/karpenter",
      version: "1.14.1",
      namespace: "karpenter",
      skip_crds: true,
    });
    expect(crds).toMatchObject({ version: "1.14.1", namespace: "karpenter" });
    expect(controller.depends_on).toContainEqual(expect.stringMatching(/^helm_release\..*CrdRelease/));
  });

  it("runs two controller replicas with a PDB on the managed system pool, restricted, with requests", () => {
    const v = valuesOf(release(p.platform, "karpenter"));
    expect(v.replicas).toBe(2);
    expect(v.podDisruptionBudget).toEqual({ name: "karpenter", maxUnavailable: 1 });
    const terms = v.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms;
    expect(terms).toEqual([
      {
        matchExpressions: [
          { key: "karpenter.sh/nodepool", operator: "DoesNotExist" },
          { key: "mlops.io/node-pool", operator: "In", values: ["system"] },
        ],
      },
    ]);
    expect(v.tolerations).toContainEqual({ key: "CriticalAddonsOnly", operator: "Exists" });
    expect(v.podSecurityContext).toMatchObject({
      runAsNonRoot: true,
      seccompProfile: { type: "RuntimeDefault" },
    });
    expect(v.controller.resources.requests).toEqual({ cpu: expect.any(String), memory: expect.any(String) });
    expect(v.controller.resources.limits.memory).toBeDefined();
    expect(v.settings.clusterName).toMatch(CLUSTER_NAME);
    expect(v.settings.interruptionQueue).toEqual(expect.any(String));
    expect(v.settings.interruptionQueue).not.toBe("");
    expect(v.serviceAccount.annotations["eks.amazonaws.com/role-arn"]).toEqual(expect.any(String));
    expect(v.serviceMonitor).toEqual({ enabled: false });
  });

  it("locks the namespace down: restricted, default deny, HTTPS egress, metrics only from monitoring", () => {
    const ns = named(p.platform, "kubernetes_namespace_v1", "karpenter");
    expect(ns.metadata.labels["pod-security.kubernetes.io/enforce"]).toBe("restricted");
    // The namespace is a reference to the karpenter add-on's namespace resource.
    const policies = all(p.platform, "kubernetes_network_policy_v1").filter((n) =>
      String(n.metadata.namespace).includes("AddOns_karpenter_Namespace"),
    );
    const names = policies.map((n) => n.metadata.name).sort();
    expect(names).toEqual(["allow-egress-controller-https", "allow-ingress-metrics", "default-deny"]);
    const egress = policies.find((n) => n.metadata.name === "allow-egress-controller-https") as Json;
    expect(egress.spec.egress).toEqual([{ ports: [{ port: "443", protocol: "TCP" }] }]);
    const metrics = policies.find((n) => n.metadata.name === "allow-ingress-metrics") as Json;
    expect(metrics.spec.pod_selector.match_labels).toEqual(KARPENTER_POD_LABELS);
    expect(metrics.spec.ingress[0].ports).toEqual([
      { port: String(KARPENTER_METRICS_PORT), protocol: "TCP" },
    ]);
    expect(metrics.spec.ingress[0].from).toEqual([
      { namespace_selector: { match_labels: { "kubernetes.io/metadata.name": "monitoring" } } },
    ]);
  });

  it("scrapes the controller with a PodMonitor on its metrics port", () => {
    const m = manifestNamed(resources, "PodMonitor", "karpenter");
    expect(m.metadata.namespace).toBe("karpenter");
    expect(m.spec.selector.matchLabels).toEqual(KARPENTER_POD_LABELS);
    expect(m.spec.podMetricsEndpoints[0].portNumber).toBe(KARPENTER_METRICS_PORT);
  });

  it("emits one NodePool and one EC2NodeClass per Karpenter pool, in the resources stack", () => {
    expect(
      manifests(resources, "NodePool")
        .map((m) => m.metadata.name)
        .sort(),
    ).toEqual(["batch", "gpu"]);
    expect(
      manifests(resources, "EC2NodeClass")
        .map((m) => m.metadata.name)
        .sort(),
    ).toEqual(["batch", "gpu"]);
    expect(manifests(p.platform, "NodePool")).toEqual([]);
  });

  it("taints the GPU pool, caps its GPUs and lets it empty to zero; it ranks below the CPU pool", () => {
    const gpu = manifestNamed(resources, "NodePool", "gpu");
    expect(gpu.spec.template.spec.taints).toContainEqual({
      key: "nvidia.com/gpu",
      value: "true",
      effect: "NoSchedule",
    });
    expect(gpu.spec.limits).toEqual({ cpu: 32, memory: "128Gi", "nvidia.com/gpu": 4 });
    expect(gpu.spec.disruption).toMatchObject({ consolidationPolicy: "WhenEmpty", consolidateAfter: "5m" });
    expect(gpu.spec.template.metadata.labels).toMatchObject({
      "nvidia.com/gpu.present": "true",
      "mlops.io/node-pool": "gpu",
      "mlops.io/pool": "gpu-inference",
    });
    expect(gpu.spec.template.spec.requirements).toContainEqual({
      key: "karpenter.sh/capacity-type",
      operator: "In",
      values: ["on-demand"],
    });
    const batch = manifestNamed(resources, "NodePool", "batch");
    expect(gpu.spec.weight).toBeLessThan(batch.spec.weight);
    expect(batch.spec.disruption).toMatchObject({ consolidationPolicy: "WhenEmptyOrUnderutilized" });
    expect(batch.spec.limits).toEqual({ cpu: 64, memory: "256Gi" });
    expect(batch.spec.template.spec.requirements).toEqual(
      expect.arrayContaining([
        { key: "karpenter.k8s.aws/instance-category", operator: "In", values: ["c", "m", "r"] },
        { key: "karpenter.sh/capacity-type", operator: "In", values: ["spot", "on-demand"] },
      ]),
    );
    expect(batch.spec.template.spec.taints).not.toContainEqual(
      expect.objectContaining({ key: "nvidia.com/gpu" }),
    );
  });

  it("gives every EC2NodeClass IMDSv2 with hop limit 1 and a gp3 root volume encrypted with the cluster key", () => {
    for (const nc of manifests(resources, "EC2NodeClass")) {
      expect(nc.spec.metadataOptions).toMatchObject({ httpTokens: "required", httpPutResponseHopLimit: 1 });
      expect(nc.spec.blockDeviceMappings).toEqual([
        {
          deviceName: "/dev/xvda",
          ebs: expect.objectContaining({ volumeType: "gp3", encrypted: true, kmsKeyID: expect.any(String) }),
        },
      ]);
      // The cluster's platform key (from the foundation stack), as the managed pools' launch templates use it.
      expect(nc.spec.blockDeviceMappings[0].ebs.kmsKeyID).toMatch(/aws_kms_keyCluster_Key_\w+arn\}$/);
      expect(nc.spec.amiSelectorTerms).toEqual([{ alias: "al2023@latest" }]);
      const discovery = [{ tags: { "karpenter.sh/discovery": expect.stringMatching(CLUSTER_NAME) } }];
      expect(nc.spec.subnetSelectorTerms).toEqual(discovery);
      expect(nc.spec.securityGroupSelectorTerms).toEqual(discovery);
      expect(nc.spec.role).toEqual(expect.any(String));
    }
    expect(manifestNamed(resources, "EC2NodeClass", "gpu").spec.blockDeviceMappings[0].ebs.volumeSize).toBe(
      "200Gi",
    );
  });

  it("lets the NVIDIA device plugin tolerate the taints of the Karpenter GPU pools", () => {
    const gpuTraining = synthPlatform({ ...EMBEDDED_DEFAULT, preset: "gpu-training" });
    const tolerations = valuesOf(release(gpuTraining.platform, "nvidia-device-plugin")).tolerations;
    expect(tolerations).toContainEqual({
      key: "mlops.io/workload",
      operator: "Equal",
      value: "training",
      effect: "NoSchedule",
    });
    const training = manifestNamed(gpuTraining.resources as SynthJson, "NodePool", "training");
    expect(training.spec.template.spec.taints).toContainEqual({
      key: "mlops.io/workload",
      value: "training",
      effect: "NoSchedule",
    });
  });
});

describe("capacity.autoscaler: none", () => {
  it("synthesizes without Karpenter: no release, no NodePool, the GPU pool a managed node group", () => {
    const p = synthPlatform({ ...EMBEDDED_DEFAULT, capacity: { autoscaler: "none" } });
    expect(releases(p.platform).map((r) => r.chart)).not.toContain("karpenter");
    expect(releases(p.platform).map((r) => r.chart)).not.toContain("karpenter-crd");
    for (const stack of Object.values(p.stacks)) {
      expect(manifests(stack, "NodePool")).toEqual([]);
      expect(manifests(stack, "EC2NodeClass")).toEqual([]);
    }
    const groups = all(p.foundation, "aws_eks_node_group")
      .map((g) => g.node_group_name_prefix)
      .sort();
    expect(groups).toEqual(["gpu-", "system-"]);
  });
});

describeWithSchemas("Karpenter objects against the upstream reference schemas", () => {
  it("the default platform's NodePools, EC2NodeClasses and chart values are valid", () => {
    const p = synthPlatform();
    const report = expectValidStack(p.resources);
    expect(report.checked.NodePool).toBe(2);
    expect(report.checked.EC2NodeClass).toBe(2);
    const platform = expectValidStack(p.platform);
    // Every release is validated except those whose chart has no reference data (cert-manager: reported unchecked).
    const unchecked = platform.unchecked.filter((u) => u.kind === "HelmRelease").map((u) => u.name);
    expect(unchecked).toEqual(["cert-manager"]);
    expect(platform.checked.HelmRelease).toBe(releases(p.platform).length - unchecked.length);
  });
});
