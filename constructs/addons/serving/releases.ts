import type { AddOnContext } from "../../core/addon";
import { CHARTS } from "../../core/charts";
import { HelmRelease, type HelmReleaseProps } from "../../core/helm-release";
import { PlatformNamespace } from "../../core/platform-namespace";
import type { KafkaOutputs } from "../kafka/addon";
import {
  ENVOY_GATEWAY_NAMESPACE,
  INFERENCE_HTTP_PORT,
  KSERVE_NAMESPACE,
  SELDON_NAMESPACE,
  SERVING_NAMESPACE,
} from "./names";
import { seldonKafkaWiring } from "./seldon-kafka";
import { envoyGatewayValues, kserveResourcesValues, seldonRuntimeValues, seldonSetupValues } from "./values";

/**
 * The engines' Helm releases and the namespaces they install into: KServe with Envoy Gateway, or Seldon Core 2
 * (its dataflow on the platform Kafka when there is one). Construct ids are the add-on's, under its scope.
 */

/** One of the engines' releases (a chart of `CHARTS` into a namespace the add-on created). */
function release(context: AddOnContext, id: string, props: Omit<HelmReleaseProps, "provider">): HelmRelease {
  return new HelmRelease(context.scope, id, { provider: context.cluster.helmProvider, ...props });
}

/** KServe's CRDs and controller (RawDeployment), and Envoy Gateway with the Gateway API CRDs. */
export function kserveReleases(context: AddOnContext, controllerPool: string): HelmRelease[] {
  const provider = context.cluster.kubernetesProvider;
  const kserveNs = new PlatformNamespace(context.scope, "KserveNamespace", {
    name: KSERVE_NAMESPACE,
    provider,
  });
  // The controller talks to the API server; the API server calls its admission webhooks (VPC-sourced).
  kserveNs.allowHttpsEgress("ControllerApiServer");
  kserveNs.allowIngress("Webhooks", {
    from: [{ ipBlock: { cidr: context.platform.vpcCidr } }],
    ports: [{ port: "9443", protocol: "TCP" }],
  });
  const crds = release(context, "KserveCrdRelease", {
    chart: CHARTS.kserveCrd,
    namespace: KSERVE_NAMESPACE,
    releaseName: "kserve-crd",
    values: {},
    dependsOn: [kserveNs.resource],
  });
  const kserve = release(context, "KserveRelease", {
    chart: CHARTS.kserveResources,
    namespace: KSERVE_NAMESPACE,
    releaseName: "kserve",
    values: kserveResourcesValues({ controllerPool }),
    dependsOn: [kserveNs.resource, crds],
  });
  const egNs = new PlatformNamespace(context.scope, "EnvoyGatewayNamespace", {
    name: ENVOY_GATEWAY_NAMESPACE,
    provider,
  });
  egNs.allowHttpsEgress("ControllerApiServer");
  // The Envoy proxies take requests from inside the VPC (clients, the ALB) and forward them to the model servers.
  egNs.allowIngress("Clients", { from: [{ ipBlock: { cidr: context.platform.vpcCidr } }] });
  egNs.allowEgress("ModelServers", {
    to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": SERVING_NAMESPACE } } }],
    ports: [{ port: String(INFERENCE_HTTP_PORT), protocol: "TCP" }],
  });
  const envoyGateway = release(context, "EnvoyGatewayRelease", {
    chart: CHARTS.envoyGateway,
    namespace: ENVOY_GATEWAY_NAMESPACE,
    releaseName: "envoy-gateway",
    values: envoyGatewayValues({ controllerPool }),
    dependsOn: [egNs.resource],
  });
  return [crds, kserve, envoyGateway];
}

/** Seldon Core 2: CRDs, the operator (setup), and the runtime of the serving namespace. */
export function seldonReleases(
  context: AddOnContext,
  namespace: PlatformNamespace,
  controllerPool: string,
  reason: string,
  /** Whether the platform Kafka is on (the dataflow's wiring is made only when the add-on runs too). */
  kafkaOn: boolean,
): HelmRelease[] {
  const seldonNs = new PlatformNamespace(context.scope, "SeldonNamespace", {
    name: SELDON_NAMESPACE,
    provider: context.cluster.kubernetesProvider,
    podSecurity: "baseline",
    podSecurityReason: reason,
  });
  seldonNs.allowHttpsEgress("OperatorApiServer");
  // Seldon's dataflow on the platform Kafka (Strimzi; none on MSK IAM, see seldon-kafka.ts).
  const kafka =
    kafkaOn && context.has("kafka")
      ? seldonKafkaWiring(context, context.outputsOf<KafkaOutputs>("kafka"), namespace)
      : undefined;
  const crds = release(context, "SeldonCrdRelease", {
    chart: CHARTS.seldonCoreV2Crds,
    namespace: SELDON_NAMESPACE,
    releaseName: "seldon-core-v2-crds",
    values: {},
    dependsOn: [seldonNs.resource],
  });
  const setup = release(context, "SeldonSetupRelease", {
    chart: CHARTS.seldonCoreV2Setup,
    namespace: SELDON_NAMESPACE,
    releaseName: "seldon-core-v2-setup",
    values: { ...seldonSetupValues({ controllerPool }), ...kafka?.setupValues },
    dependsOn: [seldonNs.resource, crds],
  });
  const runtime = release(context, "SeldonRuntimeRelease", {
    chart: CHARTS.seldonCoreV2Runtime,
    namespace: SERVING_NAMESPACE,
    releaseName: "seldon-core-v2-runtime",
    values: seldonRuntimeValues({ kafka: kafka !== undefined }),
    dependsOn: [namespace.resource, setup],
  });
  return [crds, setup, runtime];
}
