import { z } from "zod";
import { type ChartPin, describeChartVersions } from "./charts";
import { DEFAULT_HELM_TIMEOUT_SECONDS, HELM_TIMEOUT_RANGE, helmOptionProblems } from "./helm-release";

/** What differs between add-ons' `helm:` blocks: only descriptions and which waits the chart allows. */
export interface HelmConfigOptions {
  /** How the values are checked against the chart, for the reference. @default - nothing said */
  readonly valuesCheck?: string;
  /**
   * Why the release cannot wait for ready pods. `wait` and `atomic` then default to false and `true` is
   * refused with this reason. @default - the release waits
   */
  readonly noWaitReason?: string;
}

/**
 * The `helm:` block of an add-on (`addons.<name>.helm`), the same keys in every add-on: the values merged over
 * the kit's, and the release options of `HelmReleaseOptions`. The rules are `helmOptionProblems`, which
 * `HelmRelease` checks for code users too. Namespace and release name are not here: add-ons derive service
 * addresses, pod selectors and IRSA trust from them, so they are props for code only.
 */
export function helmConfigSchema(chart: ChartPin, options: HelmConfigOptions = {}) {
  const { noWaitReason } = options;
  const { min, max } = HELM_TIMEOUT_RANGE;
  const range = `expected an integer from ${min} to ${max}`;
  return z
    .strictObject({
      values: z
        .record(z.string(), z.unknown())
        .default({})
        .describe(
          `Values merged over the kit's for the ${chart.chart} chart (maps merge by key; lists and scalars replace).${options.valuesCheck ? ` ${options.valuesCheck}` : ""}`,
        ),
      chartVersion: z
        .string()
        .optional()
        .describe(`Chart version instead of the pinned ${chart.version}: ${describeChartVersions(chart)}.`),
      timeoutInSeconds: z
        .int({ error: "expected an integer number of seconds" })
        .min(min, { error: range })
        .max(max, { error: range })
        .optional()
        .describe(`Seconds Helm waits for the release. Default: ${DEFAULT_HELM_TIMEOUT_SECONDS}.`),
      wait: z
        .boolean()
        .optional()
        .describe(
          noWaitReason
            ? `Wait for ready resources: must stay false (${noWaitReason}). Default: false.`
            : "Wait until the release's resources are ready. Default: true.",
        ),
      atomic: z
        .boolean()
        .optional()
        .describe(
          "Roll back a failed install or upgrade (Helm then waits, so it needs wait). Default: the value of wait.",
        ),
    })
    .superRefine((h, ctx) => {
      const refused = (["wait", "atomic"] as const).filter((option) => noWaitReason && h[option]);
      const problems = [
        ...refused.map((option) => ({ option, message: `got true; expected false: ${noWaitReason}` })),
        ...helmOptionProblems(chart, h),
      ];
      // One problem per option: the timeout's range is also in the field's schema (for the reference), and a
      // refused atomic of a release that cannot wait needs only the reason.
      const reported = new Set(ctx.issues.map((i) => i.path?.[0]));
      for (const p of problems) {
        if (reported.has(p.option)) continue;
        reported.add(p.option);
        ctx.addIssue({ code: "custom", path: [p.option], message: p.message, params: { formatted: true } });
      }
    })
    .prefault({})
    .describe(`The Helm release of the ${chart.chart} chart (the same keys in every add-on).`);
}

export type HelmConfig = z.output<ReturnType<typeof helmConfigSchema>>;
