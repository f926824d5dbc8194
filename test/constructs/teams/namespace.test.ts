import { KubernetesProvider } from "@cdktf/provider-kubernetes/lib/provider";
import { describe, expect, it } from "vitest";
import { scaleCpu, TeamNamespace } from "../../../constructs/teams/namespace";
import { typedResourceToObject, validateCoreObject } from "../../../scripts/validation";
import { resourcesOf, synthScope } from "../../support/synth";

const quota = { cpu: "500m", memory: "2Gi", gpus: 1, storage: "50Gi", persistentVolumeClaims: 3, pods: 7 };
const synth = () =>
  synthScope((scope) => {
    const provider = new KubernetesProvider(scope, "k8s", {});
    new TeamNamespace(scope, "Team", { team: "fraud", environment: "prod", provider, quota });
  });

describe("TeamNamespace", () => {
  it("doubles CPU for the limit in whole cores or millicores", () => {
    expect(scaleCpu("16", 2)).toBe("32");
    expect(scaleCpu("500m", 2)).toBe("1");
    expect(scaleCpu("250m", 2)).toBe("500m");
    expect(scaleCpu("0.75", 2)).toBe("1500m");
    expect(() => scaleCpu("lots", 2)).toThrow(/got CPU quantity "lots"/);
  });

  it("emits a ResourceQuota and LimitRange that are valid Kubernetes objects with the quota's values", () => {
    const json = synth();
    const [rq] = Object.values(resourcesOf(json, "kubernetes_resource_quota_v1"));
    const quotaObject = typedResourceToObject("kubernetes_resource_quota_v1", rq) as {
      spec: { hard: Record<string, string> };
    };
    expect(validateCoreObject(quotaObject)).toMatchObject({ valid: true });
    expect(quotaObject.spec.hard).toEqual({
      "requests.cpu": "500m",
      "limits.cpu": "1",
      "requests.memory": "2Gi",
      "limits.memory": "2Gi",
      "requests.nvidia.com/gpu": "1",
      "requests.storage": "50Gi",
      persistentvolumeclaims: "3",
      pods: "7",
      "services.loadbalancers": "0",
      "services.nodeports": "0",
    });
    const [lr] = Object.values(resourcesOf(json, "kubernetes_limit_range_v1"));
    const limitObject = typedResourceToObject("kubernetes_limit_range_v1", lr) as {
      spec: { limits: Record<string, unknown>[] };
    };
    expect(validateCoreObject(limitObject)).toMatchObject({ valid: true });
    expect(limitObject.spec.limits).toEqual([
      {
        type: "Container",
        defaultRequest: { cpu: "100m", memory: "256Mi" },
        default: { cpu: "1", memory: "1Gi" },
      },
    ]);
  });

  it("labels the namespace for PSS restricted and the team, without the platform label", () => {
    const [ns] = Object.values(resourcesOf(synth(), "kubernetes_namespace_v1")) as {
      metadata: { name: string; labels: Record<string, string> };
    }[];
    expect(ns.metadata.name).toBe("team-fraud-prod");
    expect(ns.metadata.labels).toEqual({
      "mlops.io/team": "fraud",
      "mlops.io/team-environment": "prod",
      "pod-security.kubernetes.io/enforce": "restricted",
      "pod-security.kubernetes.io/enforce-version": "latest",
      "pod-security.kubernetes.io/audit": "restricted",
      "pod-security.kubernetes.io/warn": "restricted",
    });
  });
});
