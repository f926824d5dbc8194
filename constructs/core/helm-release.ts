import type { HelmProvider } from "@cdktf/provider-helm/lib/provider";
import { Release } from "@cdktf/provider-helm/lib/release";
import { type ITerraformDependable, Token } from "cdktf";
import type { Construct } from "constructs";
import { stringify } from "yaml";
import { type ChartPin, chartVersionProblem } from "./charts";

/** Seconds Helm waits for a release unless told otherwise. */
export const DEFAULT_HELM_TIMEOUT_SECONDS = 900;
/** `timeoutInSeconds` bounds: a release that needs more than an hour is stuck, less than a minute cannot pull images. */
export const HELM_TIMEOUT_RANGE = { min: 60, max: 3600 } as const;

/**
 * The release options every chart takes the same way, whoever installs it: an add-on's `helm:` block in the
 * configuration, an add-on's props in code, or a `HelmRelease` directly.
 */
export interface HelmReleaseOptions {
  /** Chart version instead of the pin, within the pin's `versionPolicy` (`constructs/core/charts.ts`). @default - the pinned version */
  readonly chartVersion?: string;
  /** Wait until the release's resources are ready before Terraform moves on. @default true */
  readonly wait?: boolean;
  /** Roll back a failed install or upgrade. Helm waits whenever it is on, so it needs `wait`. @default - the value of `wait` */
  readonly atomic?: boolean;
  /** Seconds Helm waits for the release (60-3600). @default 900 */
  readonly timeoutInSeconds?: number;
}

/** A problem with one release option, in the user's terms: `got <value>; expected <what>`. */
export interface HelmOptionProblem {
  readonly option: keyof HelmReleaseOptions;
  readonly message: string;
}

/** Every problem with `options` for `chart`: the one place these rules live (config and constructs use it). */
export function helmOptionProblems(chart: ChartPin, options: HelmReleaseOptions): HelmOptionProblem[] {
  const out: HelmOptionProblem[] = [];
  const got = (v: unknown) => `got ${JSON.stringify(v)}`;
  const { chartVersion, timeoutInSeconds: timeout } = options;
  if (chartVersion !== undefined && !Token.isUnresolved(chartVersion)) {
    const expected = chartVersionProblem(chart, chartVersion);
    if (expected) out.push({ option: "chartVersion", message: `${got(chartVersion)}; ${expected}` });
  }
  const { min, max } = HELM_TIMEOUT_RANGE;
  if (
    timeout !== undefined &&
    !Token.isUnresolved(timeout) &&
    (!Number.isInteger(timeout) || timeout < min || timeout > max)
  ) {
    out.push({
      option: "timeoutInSeconds",
      message: `${got(timeout)}; expected an integer from ${min} to ${max}`,
    });
  }
  if (options.atomic === true && options.wait === false) {
    out.push({
      option: "atomic",
      message: "got true with wait false; an atomic release makes Helm wait: set wait true or atomic false",
    });
  }
  return out;
}

export interface HelmReleaseProps extends HelmReleaseOptions {
  readonly provider: HelmProvider;
  /** The chart, from `CHARTS`. */
  readonly chart: ChartPin;
  /** Namespace of the release; it must exist (the release never creates it, so the kit's labels stay). */
  readonly namespace: string;
  readonly releaseName: string;
  /** The complete values, rendered as one YAML document. @default {} */
  readonly values?: Readonly<Record<string, unknown>>;
  /** @default [] */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * A Helm release of a pinned chart: every release option a typed prop, checked here. It is the `helm_release`
 * resource itself (not a wrapper around one), so its construct id and scope give the Terraform address
 * directly. Failed releases are cleaned up and ten revisions kept.
 */
export class HelmRelease extends Release {
  readonly chartPin: ChartPin;

  constructor(scope: Construct, id: string, props: HelmReleaseProps) {
    const problems = helmOptionProblems(props.chart, props);
    if (problems.length > 0) {
      const where = `HelmRelease ${[scope.node.path, id].filter(Boolean).join("/")} (chart ${props.chart.chart})`;
      throw new Error(problems.map((p) => `${where}: Invalid ${p.option}: ${p.message}.`).join("\n"));
    }
    super(scope, id, {
      provider: props.provider,
      name: props.releaseName,
      namespace: props.namespace,
      repository: props.chart.repository,
      chart: props.chart.chart,
      version: props.chartVersion ?? props.chart.version,
      // lineWidth 0: never fold long strings, which would split Terraform references embedded in them.
      values: [stringify(props.values ?? {}, { lineWidth: 0, minContentWidth: 0 })],
      createNamespace: false,
      atomic: props.atomic ?? props.wait ?? true,
      wait: props.wait,
      cleanupOnFail: true,
      maxHistory: 10,
      timeout: props.timeoutInSeconds ?? DEFAULT_HELM_TIMEOUT_SECONDS,
      dependsOn: props.dependsOn,
    });
    this.chartPin = props.chart;
  }
}
