import type { PlatformConfig } from "../config/schema";
import { gp3StorageClassAddOn } from "../constructs/cluster/gp3-storage-class";
import { NvidiaDevicePluginAddOn } from "../constructs/cluster/nvidia-device-plugin";
import type { AddOn } from "../constructs/core/addon";
import { kafkaAddOn } from "../constructs/streaming/kafka-addon";

/** The add-ons a configuration asks for, in any order (the contract orders them by their dependencies). */
export function platformAddOns(config: PlatformConfig): AddOn<unknown>[] {
  const addOns: AddOn<unknown>[] = [gp3StorageClassAddOn()];
  if (Object.values(config.nodePools).some((p) => p.create && p.gpu))
    addOns.push(new NvidiaDevicePluginAddOn());
  const a = config.addons;
  if (a.kafka.enabled) addOns.push(kafkaAddOn(a.kafka));
  return addOns;
}
