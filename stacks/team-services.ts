import type { PlatformConfig } from "../config/schema";
import type { TeamService } from "../config/teams";
import { MSK_PORTS } from "../constructs/addons/kafka/msk-cluster";
import { KAFKA_NAMESPACE } from "../constructs/addons/kafka/strimzi";
import { brokerPodLabels, TLS_LISTENER_PORT } from "../constructs/addons/kafka/strimzi-resources";
import { MLFLOW_NAMESPACE, MLFLOW_POD_LABELS, MLFLOW_PORT } from "../constructs/addons/mlflow/names";
import { MONITORING_NAMESPACE, MONITORING_POD_LABELS } from "../constructs/addons/monitoring/names";
import {
  ENVOY_GATEWAY_NAMESPACE,
  SERVING_GATEWAY_NAME,
  SERVING_GATEWAY_PORT,
} from "../constructs/addons/serving/names";
import type { PodPeer, TeamServicePeer } from "../constructs/teams/network";

/**
 * Envoy Gateway runs a listener below 1024 on the proxy container at the port plus 10000 (the proxies run
 * unprivileged); NetworkPolicies see the container port.
 */
export const ENVOY_PRIVILEGED_PORT_OFFSET = 10_000;
export const envoyContainerPort = (port: number) =>
  port < 1024 ? port + ENVOY_PRIVILEGED_PORT_OFFSET : port;
/** Labels Envoy Gateway puts on the proxy pods of one Gateway. */
export const envoyProxyPodLabels = (gateway: string, namespace: string) => ({
  "gateway.envoyproxy.io/owning-gateway-name": gateway,
  "gateway.envoyproxy.io/owning-gateway-namespace": namespace,
});

/**
 * Where each platform service a team may use is reached, from the platform configuration (the add-ons' fixed
 * names, ports and labels): what the team namespace's egress and the services' counterpart policies name.
 */
export function teamServicePeers(
  config: PlatformConfig,
  services: readonly TeamService[],
): TeamServicePeer[] {
  return services.map((service): TeamServicePeer => {
    switch (service) {
      case "mlflow":
        return {
          name: "mlflow",
          namespace: MLFLOW_NAMESPACE,
          podLabels: MLFLOW_POD_LABELS,
          ports: [MLFLOW_PORT],
        };
      case "kafka": {
        const kafka = config.addons.kafka;
        if (kafka.mode === "msk") {
          // MSK brokers sit in the private subnets, outside the cluster: IAM over TLS.
          return { name: "kafka", cidr: config.network.vpcCidr, ports: [MSK_PORTS.iamTls] };
        }
        const names = { namespace: KAFKA_NAMESPACE, cluster: kafka.strimzi.clusterName };
        return {
          name: "kafka",
          namespace: KAFKA_NAMESPACE,
          podLabels: brokerPodLabels(names),
          ports: [TLS_LISTENER_PORT],
        };
      }
      default:
        // serving: the KServe engine's Gateway (the config refuses a team on Seldon's engine for now).
        return {
          name: "serving",
          namespace: ENVOY_GATEWAY_NAMESPACE,
          podLabels: envoyProxyPodLabels(SERVING_GATEWAY_NAME, ENVOY_GATEWAY_NAMESPACE),
          ports: [envoyContainerPort(SERVING_GATEWAY_PORT)],
        };
    }
  });
}

/** The platform's Prometheus pods, when the monitoring add-on runs. */
export function platformPrometheus(config: PlatformConfig): PodPeer | undefined {
  if (!config.addons.monitoring.enabled) return undefined;
  return { namespace: MONITORING_NAMESPACE, podLabels: MONITORING_POD_LABELS.prometheus };
}
