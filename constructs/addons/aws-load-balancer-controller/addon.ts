import type { ITerraformDependable } from "cdktf";
import type { ServiceAccountRole } from "../../cluster/service-account-role";
import type { AddOn, AddOnContext } from "../../core/addon";
import type { AddOnDefinition, AddOnSelection } from "../../core/addon-definition";
import { CHARTS } from "../../core/charts";
import { HelmAddOn, type HelmAddOnOutputs } from "../../core/helm-addon";
import { ALB_INGRESS_CLASS, ingressGroupProblems } from "../../core/ingress";
import { nodePoolProblems } from "../../core/node-placement";
import type { PlatformNamespace } from "../../core/platform-namespace";
import { podMonitor } from "../../core/pod-monitor";
import {
  AWS_LOAD_BALANCER_CONTROLLER_CONFIG,
  type AwsLoadBalancerControllerConfig,
  type AwsLoadBalancerControllerConfigInput,
  parseAwsLoadBalancerControllerConfig,
} from "./config";
import { LOAD_BALANCER_CONTROLLER_IAM_POLICY } from "./iam-policy";
import {
  AWS_LOAD_BALANCER_CONTROLLER_ADDON_ID,
  AWS_LOAD_BALANCER_CONTROLLER_NAMESPACE,
  AWS_LOAD_BALANCER_CONTROLLER_POD_LABELS,
  AWS_LOAD_BALANCER_CONTROLLER_PORTS,
  AWS_LOAD_BALANCER_CONTROLLER_RELEASE,
  AWS_LOAD_BALANCER_CONTROLLER_SERVICE_ACCOUNT,
} from "./names";
import { awsLoadBalancerControllerValues } from "./values";

export * from "./names";

export interface AwsLoadBalancerControllerOutputs extends HelmAddOnOutputs {
  readonly role: ServiceAccountRole;
  /** The IngressClass the add-ons' ingresses name. */
  readonly ingressClass: typeof ALB_INGRESS_CLASS;
}

/**
 * The AWS Load Balancer Controller: turns the add-ons' `ingress` options (IngressClass `alb`) into ALBs with
 * `ip` targets, internal unless an ingress says otherwise. Its IRSA role carries exactly the IAM policy AWS
 * publishes for the pinned release (iam-policy.json).
 */
export class AwsLoadBalancerControllerAddOn extends HelmAddOn<AwsLoadBalancerControllerOutputs> {
  readonly id = AWS_LOAD_BALANCER_CONTROLLER_ADDON_ID;
  protected readonly chart = CHARTS.awsLoadBalancerController;
  protected readonly defaultNamespace = AWS_LOAD_BALANCER_CONTROLLER_NAMESPACE;
  protected readonly defaultReleaseName = AWS_LOAD_BALANCER_CONTROLLER_RELEASE;
  private role?: ServiceAccountRole;

  constructor(readonly config: AwsLoadBalancerControllerConfig) {
    super(config.helm);
  }

  protected override beforeRelease(context: AddOnContext, namespace: PlatformNamespace): void {
    this.role = context.cluster.serviceAccountRole(AWS_LOAD_BALANCER_CONTROLLER_ADDON_ID, {
      namespace: this.namespaceName,
      serviceAccount: AWS_LOAD_BALANCER_CONTROLLER_SERVICE_ACCOUNT,
      mode: "irsa",
      inlinePolicies: { "aws-load-balancer-controller": JSON.stringify(LOAD_BALANCER_CONTROLLER_IAM_POLICY) },
    });
    const pods = AWS_LOAD_BALANCER_CONTROLLER_POD_LABELS;
    const tcp = (port: number) => ({ port: String(port), protocol: "TCP" });
    // The Kubernetes API, STS, and the EC2, ELB, ACM, WAF and Shield APIs: all HTTPS.
    namespace.allowHttpsEgress("Https", pods);
    // The EKS control plane calls the webhooks from its ENIs in the VPC, not from a pod.
    namespace.allowIngress(
      "WebhookFromApiServer",
      {
        from: [{ ipBlock: { cidr: context.platform.vpcCidr } }],
        ports: [tcp(AWS_LOAD_BALANCER_CONTROLLER_PORTS.webhook)],
      },
      pods,
    );
    if (context.has("monitoring")) {
      namespace.allowMetricsScrape(AWS_LOAD_BALANCER_CONTROLLER_PORTS.metrics, pods);
    }
  }

  protected values(context: AddOnContext): Record<string, unknown> {
    return awsLoadBalancerControllerValues({
      config: this.config,
      clusterName: context.cluster.clusterName,
      region: context.platform.region,
      vpcId: context.platform.vpcId,
      roleArn: (this.role as ServiceAccountRole).roleArn,
      tags: context.platform.tags,
    });
  }

  // The controller reconciles Ingresses into ALBs with the role's policy from its first loop on.
  protected override releaseDependsOn(): readonly ITerraformDependable[] {
    return this.role?.grants ?? [];
  }

  protected override afterRelease(
    context: AddOnContext,
    outputs: HelmAddOnOutputs,
  ): AwsLoadBalancerControllerOutputs {
    if (context.has("monitoring")) {
      context.manifest(
        "ControllerPodMonitor",
        podMonitor({
          name: "aws-load-balancer-controller",
          namespace: this.namespaceName,
          selector: AWS_LOAD_BALANCER_CONTROLLER_POD_LABELS,
          portNumber: AWS_LOAD_BALANCER_CONTROLLER_PORTS.metrics,
        }),
      );
    }
    return { ...outputs, role: this.role as ServiceAccountRole, ingressClass: ALB_INGRESS_CLASS };
  }
}

/** The controller add-on (id `aws-load-balancer-controller`); takes `addons.awsLoadBalancerController`. */
export function awsLoadBalancerControllerAddOn(
  config: AwsLoadBalancerControllerConfigInput | AwsLoadBalancerControllerConfig = {},
): AddOn<AwsLoadBalancerControllerOutputs> {
  return new AwsLoadBalancerControllerAddOn(parseAwsLoadBalancerControllerConfig(config));
}

/** The registry entry: `addons.awsLoadBalancerController` switches it on (the standard presets do). */
export const awsLoadBalancerControllerDefinition = {
  id: AWS_LOAD_BALANCER_CONTROLLER_ADDON_ID,
  config: AWS_LOAD_BALANCER_CONTROLLER_CONFIG,
  create: (config: AwsLoadBalancerControllerConfig) => new AwsLoadBalancerControllerAddOn(config),
  // The pods select their pool by label: a pool the platform does not create would leave them Pending. The
  // add-ons' ingresses that share an ALB must agree on it.
  platformProblems: (config: AwsLoadBalancerControllerConfig, platform: AddOnSelection) => [
    ...nodePoolProblems(AWS_LOAD_BALANCER_CONTROLLER_CONFIG.key, config.nodePool, platform),
    ...ingressGroupProblems(platform.addons),
  ],
} satisfies AddOnDefinition<typeof AWS_LOAD_BALANCER_CONTROLLER_CONFIG>;
