import { airflowDefinition } from "./airflow/addon";
import { awsLoadBalancerControllerDefinition } from "./aws-load-balancer-controller/addon";
import { certManagerDefinition } from "./cert-manager/addon";
import { dcgmExporterDefinition } from "./dcgm-exporter";
import { externalDnsDefinition } from "./external-dns/addon";
import { externalSecretsDefinition } from "./external-secrets/addon";
import { gp3StorageClassDefinition } from "./gp3-storage-class";
import { kafkaDefinition } from "./kafka/addon";
import { karpenterDefinition } from "./karpenter/addon";
import { kubeflowPipelinesDefinition } from "./kubeflow-pipelines/addon";
import { loggingDefinition } from "./logging/addon";
import { metricsServerDefinition } from "./metrics-server/addon";
import { mlflowDefinition } from "./mlflow/addon";
import { monitoringDefinition } from "./monitoring/addon";
import { nvidiaDevicePluginDefinition } from "./nvidia-device-plugin";
import { servingDefinition } from "./serving/definition";

/**
 * The add-on registry: one line per add-on. The platform configuration schema takes `addons.<key>` from each
 * entry's section (in this order, which is also the reference's), and the blueprint creates the add-ons the
 * configuration switches on. Add your own without editing the kit: `buildPlatform(app, config, { addOns })`.
 */
export const PLATFORM_ADD_ONS = [
  gp3StorageClassDefinition,
  karpenterDefinition,
  nvidiaDevicePluginDefinition,
  awsLoadBalancerControllerDefinition,
  externalSecretsDefinition,
  kafkaDefinition,
  mlflowDefinition,
  airflowDefinition,
  kubeflowPipelinesDefinition,
  monitoringDefinition,
  dcgmExporterDefinition,
  loggingDefinition,
  metricsServerDefinition,
  externalDnsDefinition,
  certManagerDefinition,
  servingDefinition,
] as const;
