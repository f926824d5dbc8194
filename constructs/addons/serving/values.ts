import { nodePoolSelector } from "../../core/node-placement";

/**
 * Helm values of the engines' charts (keys checked against each chart's values.yaml by the schema tests). The
 * controllers run on the platform's system pool; every Service the charts would expose as a public
 * LoadBalancer is ClusterIP: model traffic enters through the serving Gateway (KServe) or Seldon's envoy.
 */

/**
 * kserve-resources: the controller in RawDeployment mode, creating no Ingress/VirtualService of its own. The
 * chart always renders the webhooks' serving Certificate `serving-cert` (Secret `kserve-webhook-server-cert`,
 * which the controller mounts) and the `cert-manager.io/inject-ca-from` annotations on its webhook
 * configurations; `certManager.enabled` adds the self-signed Issuer that Certificate names. So cert-manager must
 * run (the cert-manager add-on, or one installed outside the kit) and the Issuer is always wanted.
 */
export function kserveResourcesValues(options: { readonly controllerPool: string }): Record<string, unknown> {
  return {
    kserve: {
      certManager: { enabled: true },
      controller: {
        deploymentMode: "RawDeployment",
        // Routes are the add-on's HTTPRoutes (weights and mirror); KServe's own Ingress would bypass them.
        gateway: { disableIngressCreation: true, disableIstioVirtualHost: true },
        nodeSelector: nodePoolSelector(options.controllerPool),
        resources: {
          requests: { cpu: "100m", memory: "300Mi" },
          limits: { memory: "300Mi" },
        },
        rbacProxy: { resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "128Mi" } } },
      },
      // Defaults KServe applies to containers it adds (the storage initializer, which the kit's custom
      // predictors do not use: the service fetches its model), and to predictors that set none.
      storage: { resources: { requests: { cpu: "100m", memory: "100Mi" }, limits: { memory: "1Gi" } } },
      inferenceservice: {
        resources: { requests: { cpu: "500m", memory: "1Gi" }, limits: { memory: "2Gi" } },
      },
    },
  };
}

/** Envoy Gateway's controller (its chart has no values.yaml in git: keys from values.tmpl.yaml). */
export function envoyGatewayValues(options: { readonly controllerPool: string }): Record<string, unknown> {
  return {
    deployment: {
      replicas: 2,
      envoyGateway: { resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "1Gi" } } },
      pod: { nodeSelector: nodePoolSelector(options.controllerPool) },
    },
    // The job that makes the controller's webhook and xDS certificates at install.
    certgen: {
      job: { resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "128Mi" } } },
    },
    podDisruptionBudget: { minAvailable: 1 },
  };
}

/** How Seldon's dataflow reaches the platform Kafka (from the Kafka add-on's outputs). */
export interface SeldonKafka {
  readonly bootstrapServers: string;
  readonly securityProtocol: "SSL" | "SASL_SSL";
  readonly saslMechanism?: string;
}

/** seldon-core-v2-setup: the operator, watching the serving namespace, and the platform Kafka for dataflow. */
export function seldonSetupValues(options: {
  readonly controllerPool: string;
  readonly kafka?: SeldonKafka;
}): Record<string, unknown> {
  const kafka = options.kafka;
  return {
    controller: { clusterwide: true },
    // Seldon's pipelines (dataflow engine, model and pipeline gateways) read and write Kafka topics prefixed
    // `seldon`; on the platform Kafka over its TLS listener (client credentials: the serving access add-on).
    ...(kafka
      ? {
          kafka: { bootstrap: kafka.bootstrapServers, topicPrefix: "seldon" },
          security: {
            kafka: {
              protocol: kafka.securityProtocol,
              ...(kafka.saslMechanism ? { sasl: { mechanism: kafka.saslMechanism } } : {}),
            },
          },
        }
      : {}),
    envoy: { service: { type: "ClusterIP" } },
    scheduler: { service: { type: "ClusterIP" } },
  };
}

/** seldon-core-v2-runtime: the SeldonRuntime of the serving namespace; no Kafka, no pipeline components. */
export function seldonRuntimeValues(options: { readonly kafka: boolean }): Record<string, unknown> {
  const off = !options.kafka;
  return {
    scheduler: { serviceType: "ClusterIP" },
    envoy: { serviceType: "ClusterIP", replicas: 2 },
    // Without the platform Kafka, Seldon runs models and experiments only (pipelines need Kafka).
    dataflow: { disable: off },
    modelgateway: { disable: off },
    pipelinegateway: { disable: off },
  };
}
