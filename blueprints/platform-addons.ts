import type { PlatformConfig } from "../config/schema";
import { Gp3StorageClass } from "../constructs/cluster/gp3-storage-class";
import { NvidiaDevicePlugin } from "../constructs/cluster/nvidia-device-plugin";
import type { AddOn } from "../constructs/core/addon";

/** The default encrypted gp3 StorageClass every stateful add-on claims volumes from. */
export const storageClassAddOn: AddOn<{ storageClassName: string }> = {
  id: "storage",
  deploy: (ctx) => ({
    storageClassName: new Gp3StorageClass(ctx.scope, "Gp3", { context: ctx.cluster }).storageClassName,
  }),
};

/** NVIDIA's device plugin, installed when a GPU pool exists. */
export const nvidiaDevicePluginAddOn: AddOn<{ namespace: string }> = {
  id: "nvidia-device-plugin",
  deploy: (ctx) => ({
    namespace: new NvidiaDevicePlugin(ctx.scope, "Plugin", { context: ctx.cluster }).namespace,
  }),
};

/** The add-ons a configuration asks for, in any order (the contract orders them). */
export function platformAddOns(config: PlatformConfig): AddOn<unknown>[] {
  const addOns: AddOn<unknown>[] = [storageClassAddOn];
  if (Object.values(config.nodePools).some((p) => p.create && p.gpu)) addOns.push(nvidiaDevicePluginAddOn);
  return addOns;
}
