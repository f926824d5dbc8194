import { describe, expect, it } from "vitest";
import { Gp3StorageClass, type Gp3StorageClassProps } from "../../../../constructs/addons/gp3-storage-class";
import { testClusterContext } from "../../../support/cluster";
import { onlyResource, synthStack } from "../../../support/synth";

const CONTEXT_KEY = "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555";

function synthClass(props: Omit<Gp3StorageClassProps, "context"> = {}) {
  return synthStack((stack) => {
    new Gp3StorageClass(stack, "Gp3", { context: testClusterContext(stack), ...props });
  });
}

describe("Gp3StorageClass", () => {
  const sc = onlyResource(synthClass(), "kubernetes_storage_class_v1");

  it("is the default class, provisioned by the EBS CSI driver", () => {
    expect(sc.metadata).toEqual({
      name: "gp3",
      annotations: { "storageclass.kubernetes.io/is-default-class": "true" },
    });
    expect(sc.storage_provisioner).toBe("ebs.csi.aws.com");
    expect(sc.provider).toBe("kubernetes");
  });

  it("creates encrypted gp3 volumes with the platform key", () => {
    expect(sc.parameters).toEqual({
      type: "gp3",
      encrypted: "true",
      kmsKeyId: CONTEXT_KEY,
      "csi.storage.k8s.io/fstype": "ext4",
    });
  });

  it("binds where the pod lands, expands in place and retains volumes by default", () => {
    expect(sc.volume_binding_mode).toBe("WaitForFirstConsumer");
    expect(sc.allow_volume_expansion).toBe(true);
    expect(sc.reclaim_policy).toBe("Retain");
  });

  it("takes a reclaim policy, name, key and default flag", () => {
    const custom = onlyResource(
      synthClass({ reclaimPolicy: "Delete", name: "scratch", isDefault: false, kmsKeyArn: "arn:aws:kms:x" }),
      "kubernetes_storage_class_v1",
    );
    expect(custom.reclaim_policy).toBe("Delete");
    expect(custom.metadata).toEqual({
      name: "scratch",
      annotations: { "storageclass.kubernetes.io/is-default-class": "false" },
    });
    expect((custom.parameters as Record<string, string>).kmsKeyId).toBe("arn:aws:kms:x");
  });

  it("fails when the reclaim policy is not Retain or Delete", () => {
    expect(() => synthClass({ reclaimPolicy: "Recycle" as "Retain" })).toThrow(
      /Invalid reclaimPolicy: got "Recycle"; expected "Retain" or "Delete"/,
    );
  });
});
