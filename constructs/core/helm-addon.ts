import { Release } from "@cdktf/provider-helm/lib/release";
import { stringify } from "yaml";
import type { AddOn, AddOnContext } from "./addon";
import type { ChartPin } from "./charts";
import { deepMerge } from "./merge";
import { PlatformNamespace, type PodSecurityLevel } from "./platform-namespace";

/** Props every Helm-based add-on accepts, on top of its own typed ones. */
export interface HelmAddOnProps {
  /** Namespace to install into (created with PSS labels and a default-deny NetworkPolicy). @default - the add-on's own */
  readonly namespace?: string;
  /** Helm release name. @default - the chart's usual name */
  readonly releaseName?: string;
  /** Chart version override; the tested pin lives in `constructs/core/charts.ts`. @default - the pinned version */
  readonly chartVersion?: string;
  /**
   * Values merged over the kit's typed values (maps by key; lists and scalars replace). Tests check every key
   * against the pinned chart's values.yaml, so a misspelt key fails instead of being ignored.
   * @default {}
   */
  readonly values?: Readonly<Record<string, unknown>>;
  /** Seconds Helm waits for the release to become ready. @default 900 */
  readonly timeoutInSeconds?: number;
}

/** What a Helm add-on hands to add-ons that depend on it. */
export interface HelmAddOnOutputs {
  readonly namespace: PlatformNamespace;
  readonly release: Release;
}

/**
 * Base of every Helm-based add-on: creates the namespace, renders typed values merged with the user's
 * overrides as one YAML document, and installs the pinned chart atomically. Subclasses supply the chart,
 * the values and any AWS or Kubernetes resources around the release.
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
    const release = new Release(context.scope, "Release", {
      provider: context.cluster.helmProvider,
      name: this.helmProps.releaseName ?? this.defaultReleaseName,
      namespace: this.namespaceName,
      repository: this.chart.repository,
      chart: this.chart.chart,
      version: this.helmProps.chartVersion ?? this.chart.version,
      // lineWidth 0: never fold long strings, which would split Terraform references embedded in them.
      values: [stringify(values, { lineWidth: 0, minContentWidth: 0 })],
      createNamespace: false,
      atomic: true,
      cleanupOnFail: true,
      maxHistory: 10,
      timeout: this.helmProps.timeoutInSeconds ?? 900,
      dependsOn: [namespace.resource],
    });
    return this.afterRelease(context, { namespace, release });
  }
}
