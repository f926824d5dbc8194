/** The PromQL of a built dashboard: every panel target's `expr` and every query variable's selector. */
import type { Dashboard } from "@grafana/grafana-foundation-sdk/dashboard";

export interface PanelQuery {
  /** Where it is: `<panel title> [refId]` or `variable <name>`. */
  readonly where: string;
  readonly expr: string;
  /** The legend (`{{label}}` placeholders name labels the series must carry). */
  readonly legend?: string;
}

interface JsonPanel {
  readonly title?: string;
  readonly targets?: readonly {
    readonly expr?: string;
    readonly refId?: string;
    readonly legendFormat?: string;
  }[];
  readonly panels?: readonly JsonPanel[];
}

/** `label_values(<selector>, <label>)` → the selector, a PromQL expression of its own. */
const LABEL_VALUES = /^\s*label_values\(\s*(.+),\s*[a-zA-Z_][a-zA-Z0-9_]*\s*\)\s*$/s;

export function dashboardExprs(dashboard: Dashboard): PanelQuery[] {
  const out: PanelQuery[] = [];
  const visit = (panels: readonly JsonPanel[]) => {
    for (const p of panels) {
      for (const t of p.targets ?? [])
        if (t.expr !== undefined)
          out.push({ where: `${p.title} [${t.refId}]`, expr: t.expr, legend: t.legendFormat });
      visit(p.panels ?? []);
    }
  };
  visit((dashboard.panels ?? []) as readonly JsonPanel[]);
  for (const v of dashboard.templating?.list ?? []) {
    if (v.type !== "query" || typeof v.query !== "string") continue;
    const m = LABEL_VALUES.exec(v.query);
    out.push({ where: `variable ${v.name}`, expr: m?.[1] ?? v.query });
  }
  return out;
}
