/**
 * The panels the kit's dashboards share, on top of @grafana/grafana-foundation-sdk's builders: every query goes
 * to the `${datasource}` variable (type prometheus), so a dashboard binds to the Prometheus the chart provisions.
 * Only the SDK's subpath modules used here are imported (each pulls its own builders, not the whole SDK).
 */
import {
  BigValueColorMode,
  BigValueGraphMode,
  LegendDisplayMode,
  LegendPlacement,
  ReduceDataOptionsBuilder,
  StackingConfigBuilder,
  StackingMode,
  VizLegendOptionsBuilder,
} from "@grafana/grafana-foundation-sdk/common";
import {
  type DashboardBuilder,
  DatasourceVariableBuilder,
  QueryVariableBuilder,
  ThresholdsConfigBuilder,
  ThresholdsMode,
  VariableRefresh,
  VariableSort,
} from "@grafana/grafana-foundation-sdk/dashboard";
import { DataqueryBuilder } from "@grafana/grafana-foundation-sdk/prometheus";
import { PanelBuilder as StatPanelBuilder } from "@grafana/grafana-foundation-sdk/stat";
import { PanelBuilder as TimeseriesPanelBuilder } from "@grafana/grafana-foundation-sdk/timeseries";

/** The data source variable every panel and query variable uses. */
// biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's variable syntax, substituted by Grafana
export const DATASOURCE = { type: "prometheus", uid: "${datasource}" } as const;
/** Grafana's rate window: at least four scrape intervals, whatever the scrape interval is. */
export const RATE = "$__rate_interval";

/** One query: the PromQL and the legend (`{{label}}` placeholders). */
export type Query = readonly [expr: string, legend?: string];

export interface PanelOptions {
  /** Grafana unit id: percentunit, s, bytes, reqps, short… */
  readonly unit?: string;
  readonly description?: string;
  /** Grid width (of 24) and height. */
  readonly span?: number;
  readonly height?: number;
  readonly min?: number;
  readonly max?: number;
}

const REF_IDS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";

function target(query: Query, index: number): DataqueryBuilder {
  const [expr, legend] = query;
  const t = new DataqueryBuilder()
    .expr(expr)
    .refId(REF_IDS[index] as string)
    .datasource(DATASOURCE);
  return legend === undefined ? t : t.legendFormat(legend);
}

/** Red below `from`, green from it (or the other way round with `higherIsWorse`). */
function thresholds(from: number, higherIsWorse: boolean): ThresholdsConfigBuilder {
  const [low, high] = higherIsWorse ? ["green", "red"] : ["red", "green"];
  return new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps([
    { value: null, color: low },
    { value: from, color: high },
  ]);
}

/** A time series of one or more queries, legend as a table under the graph. */
export function timeseries(title: string, queries: readonly Query[], o: PanelOptions = {}) {
  let p = new TimeseriesPanelBuilder()
    .title(title)
    .datasource(DATASOURCE)
    .span(o.span ?? 12)
    .height(o.height ?? 8)
    .unit(o.unit ?? "short")
    .legend(
      new VizLegendOptionsBuilder()
        .showLegend(true)
        .displayMode(LegendDisplayMode.List)
        .placement(LegendPlacement.Bottom),
    );
  queries.forEach((q, i) => {
    p = p.withTarget(target(q, i));
  });
  if (o.description) p = p.description(o.description);
  if (o.min !== undefined) p = p.min(o.min);
  if (o.max !== undefined) p = p.max(o.max);
  return p;
}

/** A single value (the last one), coloured by `thresholdAt` when given. */
export function stat(
  title: string,
  query: Query,
  o: PanelOptions & { readonly thresholdAt?: number; readonly higherIsWorse?: boolean } = {},
) {
  let p = new StatPanelBuilder()
    .title(title)
    .datasource(DATASOURCE)
    .span(o.span ?? 4)
    .height(o.height ?? 4)
    .unit(o.unit ?? "short")
    .graphMode(BigValueGraphMode.None)
    .colorMode(BigValueColorMode.Background)
    .reduceOptions(new ReduceDataOptionsBuilder().calcs(["lastNotNull"]).values(false))
    .withTarget(target(query, 0));
  if (o.thresholdAt !== undefined) p = p.thresholds(thresholds(o.thresholdAt, o.higherIsWorse ?? false));
  if (o.description) p = p.description(o.description);
  return p;
}

/** A count that should be 0 (offline partitions, crash-looping pods): green at 0, red from 1. */
export function problemCount(title: string, expr: string, o: PanelOptions = {}) {
  return stat(title, [expr], { thresholdAt: 1, higherIsWorse: true, ...o });
}

/** Share of a selector's scrape targets that are up: red below 100 %. "No data" means no target at all. */
export function upStat(title: string, selector: string, o: PanelOptions = {}) {
  return stat(title, [`sum(up{${selector}}) / count(up{${selector}})`], {
    unit: "percentunit",
    thresholdAt: 1,
    description: `Scrape targets up / all targets matching {${selector}}.`,
    ...o,
  });
}

/**
 * Share of a counter's requests whose status label matches 5xx, per `by`; 0 (not "No data") while there are
 * requests but no 5xx series yet.
 */
export function errorRatio(
  title: string,
  counter: string,
  statusLabel: string,
  selector: string,
  by: string | readonly string[],
  o: PanelOptions = {},
) {
  const labels = typeof by === "string" ? [by] : by;
  const sum = (extra: string) =>
    `sum by (${labels.join(", ")}) (rate(${counter}{${[selector, extra].filter(Boolean).join(", ")}}[${RATE}]))`;
  const all = sum("");
  const legend = labels.map((l) => `{{${l}}}`).join(" ");
  return timeseries(title, [[`(${sum(`${statusLabel}=~"5.."`)} or ${all} * 0) / ${all}`, legend]], {
    unit: "percentunit",
    min: 0,
    ...o,
  });
}

/** p50, p90 and p99 of a Prometheus histogram (`<histogram>_bucket`) per `by`. */
export function latencyQuantiles(
  title: string,
  histogram: string,
  selector: string,
  by: readonly string[],
  o: PanelOptions = {},
) {
  const keys = [...by, "le"].join(", ");
  const legend = by.map((l) => `{{${l}}}`).join(" ");
  return timeseries(
    title,
    [0.5, 0.9, 0.99].map(
      (q) =>
        [
          `histogram_quantile(${q}, sum by (${keys}) (rate(${histogram}_bucket{${selector}}[${RATE}])))`,
          `p${q * 100} ${legend}`.trim(),
        ] as const,
    ),
    { unit: "s", ...o },
  );
}

/** A used/capacity ratio (0–1) per series, with a red line from `warnAt`. */
export function saturation(title: string, queries: readonly Query[], warnAt = 0.9, o: PanelOptions = {}) {
  return timeseries(title, queries, { unit: "percentunit", min: 0, max: 1, ...o }).thresholds(
    thresholds(warnAt, true),
  );
}

/** Stacked series (shares of a whole, e.g. rows per model). */
export function stacked(title: string, queries: readonly Query[], o: PanelOptions = {}) {
  return timeseries(title, queries, o).stacking(new StackingConfigBuilder().mode(StackingMode.Normal));
}

/** The `datasource` variable (any Prometheus data source; the provisioned one is the default). */
export function datasourceVariable(): DatasourceVariableBuilder {
  return new DatasourceVariableBuilder("datasource").label("Data source").type("prometheus");
}

/**
 * A variable over the values of `label` in the series `selector` selects (`label_values`); multi-select with
 * "All" as the regex `.*` unless `single`.
 */
export function labelVariable(
  name: string,
  label: string,
  selector: string,
  o: { readonly single?: boolean; readonly title?: string } = {},
): QueryVariableBuilder {
  const v = new QueryVariableBuilder(name)
    .label(o.title ?? name)
    .datasource(DATASOURCE)
    .query(`label_values(${selector}, ${label})`)
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .sort(VariableSort.AlphabeticalAsc);
  return o.single ? v : v.multi(true).includeAll(true).allValue(".*");
}

/** The kit's common dashboard settings: tags, time range, refresh, the datasource variable first. */
export function platformDashboard(builder: DashboardBuilder, tags: readonly string[]): DashboardBuilder {
  return builder
    .tags(["mlops-platform", ...tags])
    .editable()
    .time({ from: "now-6h", to: "now" })
    .refresh("1m")
    .timezone("browser")
    .withVariable(datasourceVariable());
}
