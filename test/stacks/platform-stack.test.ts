import { describe, expect, it } from "vitest";
import { CHARTS } from "../../constructs/core/charts";
import { synthPlatform } from "../support/platform";
import { dataOf, resourcesOf } from "../support/synth";

describe("default platform: platform stack", () => {
  const { platform, blueprint } = synthPlatform();

  it("reads the cluster from the foundation stack's state, not from literals", () => {
    expect(Object.keys(dataOf(platform, "terraform_remote_state"))).toHaveLength(1);
    const providers = platform.provider as Record<string, { host: string }[]>;
    const k8s = providers.kubernetes[0];
    expect(k8s.host).toMatch(/^\$\{data\.terraform_remote_state\./);
  });

  it("installs an encrypted default gp3 StorageClass", () => {
    const [sc] = Object.values(resourcesOf(platform, "kubernetes_storage_class_v1")) as {
      metadata: { annotations: Record<string, string> };
      parameters: Record<string, string>;
      storage_provisioner: string;
    }[];
    expect(sc.metadata.annotations["storageclass.kubernetes.io/is-default-class"]).toBe("true");
    expect(sc.storage_provisioner).toBe("ebs.csi.aws.com");
    expect(sc.parameters).toMatchObject({ type: "gp3", encrypted: "true" });
    expect(sc.parameters.kmsKeyId).toMatch(/terraform_remote_state/);
  });

  it("installs the pinned NVIDIA device plugin only because a GPU pool exists", () => {
    const releases = Object.values(resourcesOf(platform, "helm_release")) as {
      chart: string;
      version: string;
    }[];
    expect(releases).toContainEqual(
      expect.objectContaining({ chart: "nvidia-device-plugin", version: CHARTS.nvidiaDevicePlugin.version }),
    );
    const cpuOnly = synthPlatform({
      preset: "minimal",
      name: "cpu",
      environment: "dev",
      region: "eu-west-1",
    });
    const cpuReleases = Object.values(resourcesOf(cpuOnly.platform, "helm_release")) as { chart: string }[];
    expect(cpuReleases.map((r) => r.chart)).not.toContain("nvidia-device-plugin");
  });

  it("depends on the foundation stack", () => {
    expect(blueprint.platform.dependencies).toContain(blueprint.foundation);
  });
});
