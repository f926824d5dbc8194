import type { PlatformConfig } from "../config/schema";
import { airflowAddOn } from "../constructs/addons/airflow/addon";
import { externalSecretsAddOn } from "../constructs/addons/external-secrets/addon";
import { gp3StorageClassAddOn } from "../constructs/addons/gp3-storage-class";
import { kafkaAddOn } from "../constructs/addons/kafka/addon";
import { kubeflowPipelinesAddOn } from "../constructs/addons/kubeflow-pipelines/addon";
import { mlflowAddOn } from "../constructs/addons/mlflow/addon";
import { NvidiaDevicePluginAddOn } from "../constructs/addons/nvidia-device-plugin";
import type { AddOn } from "../constructs/core/addon";

/** The add-ons a configuration asks for, in any order (the contract orders them by their dependencies). */
export function platformAddOns(config: PlatformConfig): AddOn<unknown>[] {
  const addOns: AddOn<unknown>[] = [gp3StorageClassAddOn()];
  if (Object.values(config.nodePools).some((p) => p.create && p.gpu))
    addOns.push(new NvidiaDevicePluginAddOn());
  const a = config.addons;
  if (a.externalSecrets.enabled) addOns.push(externalSecretsAddOn(a.externalSecrets));
  if (a.kafka.enabled) addOns.push(kafkaAddOn(a.kafka));
  if (a.mlflow.enabled) addOns.push(mlflowAddOn(a.mlflow));
  if (a.airflow.enabled) addOns.push(airflowAddOn(a.airflow));
  if (a.kubeflowPipelines.enabled) addOns.push(kubeflowPipelinesAddOn(a.kubeflowPipelines));
  return addOns;
}
