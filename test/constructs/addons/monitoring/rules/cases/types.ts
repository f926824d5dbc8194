/** Input series in promtool's notation: `series` is a selector, `values` its expanding notation ('0+1x10'). */
export interface Series {
  readonly series: string;
  readonly values: string;
}

export interface AlertCase {
  readonly series: readonly Series[];
  /** When promtool evaluates the alert, e.g. "20m" (series start at 0 with a 1m interval). */
  readonly at: string;
}

/** Labels of the alert that fires, from the expression's result (the rule's own labels are added). */
export interface FiringCase extends AlertCase {
  readonly labels: Readonly<Record<string, string>>;
}

/** Per alert name: one input that makes it fire, one that does not. */
export type RuleCases = Readonly<Record<string, { readonly fires: FiringCase; readonly quiet: AlertCase }>>;

/** `name{k="v",…}` for promtool's series notation. */
export function s(name: string, labels: Record<string, string>, values: string): Series {
  const inner = Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .join(",");
  return { series: `${name}{${inner}}`, values };
}
