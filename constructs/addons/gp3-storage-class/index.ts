import { StorageClassV1 } from "@cdktf/provider-kubernetes/lib/storage-class-v1";
import { Construct } from "constructs";
import { invalidProp } from "../../cluster/validation";
import type { AddOn } from "../../core/addon";
import type { AddOnDefinition } from "../../core/addon-definition";
import type { IClusterContext } from "../../core/cluster-contract";

export type ReclaimPolicy = "Retain" | "Delete";

export interface Gp3StorageClassProps {
  /** Cluster the class is created in (its kubernetes provider and platform key). */
  readonly context: IClusterContext;
  /** StorageClass name. @default "gp3" */
  readonly name?: string;
  /** Marks it the cluster default (`storageclass.kubernetes.io/is-default-class`). @default true */
  readonly isDefault?: boolean;
  /** What happens to the EBS volume when its PVC is deleted. @default "Retain" - data outlives the claim */
  readonly reclaimPolicy?: ReclaimPolicy;
  /** KMS key for the volumes. @default - the cluster context's platform key */
  readonly kmsKeyArn?: string;
}

/**
 * Encrypted gp3 volumes from the EBS CSI driver, bound where the pod lands (`WaitForFirstConsumer`, so the
 * volume's AZ matches the node) and expandable in place.
 */
export class Gp3StorageClass extends Construct {
  readonly resource: StorageClassV1;
  readonly storageClassName: string;

  constructor(scope: Construct, id: string, props: Gp3StorageClassProps) {
    super(scope, id);
    const reclaimPolicy = props.reclaimPolicy ?? "Retain";
    if (reclaimPolicy !== "Retain" && reclaimPolicy !== "Delete") {
      throw invalidProp("reclaimPolicy", reclaimPolicy, '"Retain" or "Delete"');
    }
    const name = props.name ?? "gp3";
    this.resource = new StorageClassV1(this, "Resource", {
      provider: props.context.kubernetesProvider,
      metadata: {
        name,
        annotations: { "storageclass.kubernetes.io/is-default-class": String(props.isDefault ?? true) },
      },
      storageProvisioner: "ebs.csi.aws.com",
      reclaimPolicy,
      volumeBindingMode: "WaitForFirstConsumer",
      allowVolumeExpansion: true,
      parameters: {
        type: "gp3",
        encrypted: "true",
        kmsKeyId: props.kmsKeyArn ?? props.context.kmsKeyArn,
        "csi.storage.k8s.io/fstype": "ext4",
      },
    });
    this.storageClassName = name;
  }
}

/** The default gp3 StorageClass as an add-on (id `storage`), so stateful add-ons can depend on it. */
export function gp3StorageClassAddOn(
  props: Omit<Gp3StorageClassProps, "context"> = {},
): AddOn<{ storageClassName: string }> {
  return {
    id: "storage",
    deploy: (ctx) => ({
      storageClassName: new Gp3StorageClass(ctx.scope, "Gp3", { ...props, context: ctx.cluster })
        .storageClassName,
    }),
  };
}

/** The registry entry: always on, since stateful add-ons claim volumes of this class. */
export const gp3StorageClassDefinition = {
  id: "storage",
  create: () => gp3StorageClassAddOn(),
} satisfies AddOnDefinition;
