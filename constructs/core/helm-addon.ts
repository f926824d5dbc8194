import type { ITerraformDependable } from "cdktf";
import type { AddOn, AddOnContext } from "./addon";
import type { ChartPin } from "./charts";
import { HelmRelease, type HelmReleaseOptions } from "./helm-release";
import { deepMerge } from "./merge";
import { PlatformNamespace, type PodSecurityLevel } from "./platform-namespace";

/** Props every Helm-based add-on accepts, on top of its own typed ones. */
export interface HelmAddOnProps extends HelmReleaseOptions {
  /** Namespace to install into (created with PSS labels and a default-deny NetworkPolicy). @default - the add-on's own */
  readonly namespace?: string;
  /** Helm release name. @default - the chart's usual name */
  readonly releaseName?: string;
  /**
   * Values merged over the kit's typed values (maps by key; lists and scalars replace). Tests check every key
   * against the pinned chart's values.yaml, so a misspelt key fails instead of being ignored.
   * @default {}
   */
  readonly values?: Readonly<Record<string, unknown>>;
}

/** What a Helm add-on hands to add-ons that depend on it. */
export interface HelmAddOnOutputs {
  readonly namespace: PlatformNamespace;
  readonly release: HelmRelease;
  /** The merged values the release renders (typed values, then the user's), for validation and tests. */
  readonly values: Record<string, unknown>;
}

/**
 * Base of every Helm-based add-on: creates the namespace, renders typed values merged with the user's
 * overrides, and installs the pinned chart as a `HelmRelease` with the add-on's release options. Subclasses
 * supply the chart, the values and any AWS or Kubernetes resources around the release.
 */
export abstract class HelmAddOn<TOutputs extends HelmAddOnOutputs = HelmAddOnOutputs>
  implements AddOn<TOutputs>
{
  abstract readonly id: string;
  readonly dependsOn?: readonly string[];
  /** The chart, from `CHARTS`. */
  protected abstract readonly chart: ChartPin;
  protected abstract readonly defaultNamespace: string;
  protected abstract readonly defaultReleaseName: string;
  /** Construct id of the release; ids are Terraform addresses, so an add-on that had another keeps it. */
  protected readonly releaseId: string = "Release";
  /** Pod Security Standard of the namespace; weaker than restricted needs `podSecurityReason`. */
  protected readonly podSecurity: PodSecurityLevel = "restricted";
  protected readonly podSecurityReason?: string;

  constructor(protected readonly helmProps: HelmAddOnProps = {}) {}

  get namespaceName(): string {
    return this.helmProps.namespace ?? this.defaultNamespace;
  }

  /** The kit's typed values for this chart. */
  protected abstract values(context: AddOnContext, namespace: PlatformNamespace): Record<string, unknown>;

  /** Resources the release needs first (roles, secrets, network policies). */
  protected beforeRelease(_context: AddOnContext, _namespace: PlatformNamespace): void {}

  /**
   * What the release's pods need that its values do not reference: above all the grants of the IAM roles
   * whose ARNs the values name (`IServiceAccountRole.grants`). Called after `beforeRelease`.
   */
  protected releaseDependsOn(_context: AddOnContext): readonly ITerraformDependable[] {
    return [];
  }

  /** Resources that need the release (custom resources of its CRDs), and the outputs. */
  protected afterRelease(_context: AddOnContext, outputs: HelmAddOnOutputs): TOutputs {
    return outputs as TOutputs;
  }

  /** The merged values object (typed values, then user overrides), exposed for validation and tests. */
  renderValues(context: AddOnContext, namespace: PlatformNamespace): Record<string, unknown> {
    return deepMerge(this.values(context, namespace), this.helmProps.values ?? {});
  }

  deploy(context: AddOnContext): TOutputs {
    const namespace = new PlatformNamespace(context.scope, "Namespace", {
      name: this.namespaceName,
      provider: context.cluster.kubernetesProvider,
      podSecurity: this.podSecurity,
      podSecurityReason: this.podSecurityReason,
    });
    this.beforeRelease(context, namespace);
    const values = this.renderValues(context, namespace);
    const p = this.helmProps;
    const release = new HelmRelease(context.scope, this.releaseId, {
      provider: context.cluster.helmProvider,
      chart: this.chart,
      namespace: this.namespaceName,
      releaseName: p.releaseName ?? this.defaultReleaseName,
      chartVersion: p.chartVersion,
      wait: p.wait,
      atomic: p.atomic,
      timeoutInSeconds: p.timeoutInSeconds,
      values,
      dependsOn: [namespace.resource, ...this.releaseDependsOn(context)],
    });
    return this.afterRelease(context, { namespace, release, values });
  }
}
