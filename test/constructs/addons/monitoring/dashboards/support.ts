import {
  buildDashboard,
  dashboardExprs,
  type PanelQuery,
  PLATFORM_DASHBOARDS,
  type PlatformDashboard,
} from "../../../../../constructs/addons/monitoring/dashboards";
import { EXPORTER_METRICS, metricNames } from "../../../../../constructs/addons/monitoring/rules";

/** Every dashboard's PromQL, with the dashboard's uid. */
export function allQueries(
  dashboards: readonly PlatformDashboard[] = PLATFORM_DASHBOARDS,
): (PanelQuery & { readonly uid: string })[] {
  return dashboards.flatMap((d) => dashboardExprs(buildDashboard(d)).map((q) => ({ ...q, uid: d.uid })));
}

/** Per query, the metric names none of its dashboard's exporters expose. */
export function unknownMetricNames(dashboards: readonly PlatformDashboard[]): string[] {
  return dashboards.flatMap((d) => {
    const known = new Set<string>(d.exporters.flatMap((e) => EXPORTER_METRICS[e]));
    return dashboardExprs(buildDashboard(d)).flatMap((q) =>
      metricNames(q.expr)
        .filter((n) => !known.has(n))
        .map((n) => `${d.uid} / ${q.where}: ${n} (exporters: ${d.exporters.join(", ")})`),
    );
  });
}

/**
 * A panel query as plain PromQL: Grafana's variables replaced by values the parser accepts in their places
 * (`$__rate_interval` is a range, the others sit inside label matcher strings).
 */
export function substituteVariables(expr: string): string {
  return expr
    .replaceAll("$__rate_interval", "5m")
    .replace(/\$\{([a-zA-Z_][a-zA-Z0-9_]*)\}|\$([a-zA-Z_][a-zA-Z0-9_]*)/g, "var_$1$2");
}
