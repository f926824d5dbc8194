import { DEFAULT_ALB_SSL_POLICY } from "../../core/ingress";
import { nodePoolSelector } from "../../core/node-placement";
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from "../../core/pod-security";
import type { Tags } from "../../core/tags";
import type { AwsLoadBalancerControllerConfig } from "./config";
import {
  AWS_LOAD_BALANCER_CONTROLLER_POD_LABELS,
  AWS_LOAD_BALANCER_CONTROLLER_PORTS,
  AWS_LOAD_BALANCER_CONTROLLER_SERVICE_ACCOUNT,
} from "./names";

export interface AwsLoadBalancerControllerValuesInput {
  readonly config: AwsLoadBalancerControllerConfig;
  readonly clusterName: string;
  readonly region: string;
  /** Given rather than looked up: the controller would otherwise ask IMDS, which hop limit 1 keeps from pods. */
  readonly vpcId: string;
  readonly roleArn: string;
  /** Tags on every load balancer, target group and security group the controller creates. @default {} */
  readonly tags?: Tags;
}

/**
 * The kit's values for the aws-load-balancer-controller chart (3.5.0). Every key exists in the chart's
 * values.yaml (tests check it against ../shared/schemas).
 */
export function awsLoadBalancerControllerValues(
  input: AwsLoadBalancerControllerValuesInput,
): Record<string, unknown> {
  const { config } = input;
  const r = config.resources;
  return {
    clusterName: input.clusterName,
    region: input.region,
    vpcId: input.vpcId,
    replicaCount: config.replicas,
    serviceAccount: {
      create: true,
      name: AWS_LOAD_BALANCER_CONTROLLER_SERVICE_ACCOUNT,
      annotations: { "eks.amazonaws.com/role-arn": input.roleArn },
    },
    podLabels: AWS_LOAD_BALANCER_CONTROLLER_POD_LABELS,
    podSecurityContext: restrictedPodSecurityContext({ fsGroup: 65534 }),
    securityContext: restrictedContainerSecurityContext(),
    resources: {
      requests: { cpu: r.cpuRequest, memory: r.memoryRequest },
      limits: { memory: r.memoryLimit },
    },
    // The chart renders it only with more than one replica: a drain then keeps one webhook answering.
    podDisruptionBudget: { maxUnavailable: 1 },
    nodeSelector: nodePoolSelector(config.nodePool),
    // A system pool tainted for critical add-ons still takes the controller.
    tolerations: [{ key: "CriticalAddonsOnly", operator: "Exists" }],
    topologySpreadConstraints: [
      {
        maxSkew: 1,
        topologyKey: "topology.kubernetes.io/zone",
        whenUnsatisfiable: "ScheduleAnyway",
        labelSelector: { matchLabels: { ...AWS_LOAD_BALANCER_CONTROLLER_POD_LABELS } },
      },
    ],
    ingressClass: "alb",
    createIngressClassResource: true,
    ingressClassConfig: { default: false },
    // Amazon VPC CNI gives pods VPC addresses: the ALB sends to them, not through NodePorts.
    defaultTargetType: "ip",
    // Also the default of Services of type LoadBalancer the Service webhook hands to the controller.
    defaultLoadBalancerScheme: "internal",
    defaultSSLPolicy: DEFAULT_ALB_SSL_POLICY,
    defaultTags: { ...(input.tags ?? {}) },
    webhookBindPort: AWS_LOAD_BALANCER_CONTROLLER_PORTS.webhook,
    metricsBindAddr: `:${AWS_LOAD_BALANCER_CONTROLLER_PORTS.metrics}`,
    // Reuse the webhook certificate on upgrades instead of a new self-signed CA on every release change.
    keepTLSSecret: true,
    // The Service webhook sees every new Service in the cluster: with "Fail" (the chart's default), no Service
    // could be created while the controller is down, including those of releases installed beside it.
    serviceMutatorWebhookConfig: { failurePolicy: "Ignore" },
    // The kit's PodMonitor instead (the add-on's afterRelease), applied once the monitoring CRDs exist.
    serviceMonitor: { enabled: false },
  };
}
