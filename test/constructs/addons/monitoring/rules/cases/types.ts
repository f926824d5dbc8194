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

/** Kubelet's stats of one PVC: available and capacity bytes in promtool notation. */
export function volume(pvc: Record<string, string>, available: string, capacity: string): Series[] {
  return [
    s("kubelet_volume_stats_available_bytes", pvc, available),
    s("kubelet_volume_stats_capacity_bytes", pvc, capacity),
  ];
}

/** A request counter split into error and success series, e.g. 10 errors and 90 successes a minute. */
export function answers(
  name: string,
  labels: Record<string, string>,
  status: readonly [key: string, error: string, ok: string],
  perMinute: readonly [errors: number, ok: number],
): Series[] {
  const [key, error, ok] = status;
  return [
    s(name, { ...labels, [key]: error }, `0+${perMinute[0]}x30`),
    s(name, { ...labels, [key]: ok }, `0+${perMinute[1]}x30`),
  ];
}
