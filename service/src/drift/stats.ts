/** PSI, chi-square goodness of fit (as `scipy.stats.chisquare`), binning and multiple-testing corrections. */
import { chi2Sf } from "./special";

/** Proportions below this are raised to it before PSI's log ratio, so empty bins give a finite PSI. */
export const PSI_EPSILON = 1e-4;

/**
 * Bin index of `value` for edges [null, e1, ..., ek, null] (null = -inf/+inf): bins are right-closed,
 * bin i holds edges[i] < v <= edges[i+1] (numpy `searchsorted(interior, v, side="left")`).
 */
export function binIndex(interior: ArrayLike<number>, value: number): number {
  let lo = 0;
  let hi = interior.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((interior[mid] as number) < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Counts of `values` per bin of the interior edges (interior.length + 1 bins). */
export function histogram(interior: ArrayLike<number>, values: ArrayLike<number>): Float64Array {
  const counts = new Float64Array(interior.length + 1);
  for (let i = 0; i < values.length; i++) (counts[binIndex(interior, values[i] as number)] as number) += 1;
  return counts;
}

/**
 * Population stability index Σ (a_i - e_i) · ln(a_i / e_i) between expected proportions `expected` and the
 * proportions of `actualCounts`; both sides are floored at PSI_EPSILON.
 */
export function psi(expected: ArrayLike<number>, actualCounts: ArrayLike<number>): number {
  if (expected.length !== actualCounts.length) {
    throw new RangeError(`psi: ${expected.length} expected proportions but ${actualCounts.length} counts`);
  }
  let total = 0;
  for (let i = 0; i < actualCounts.length; i++) total += actualCounts[i] as number;
  if (!(total > 0)) throw new RangeError("psi: actual counts sum to 0; expected at least one observation");
  let sum = 0;
  for (let i = 0; i < expected.length; i++) {
    const e = Math.max(expected[i] as number, PSI_EPSILON);
    const a = Math.max((actualCounts[i] as number) / total, PSI_EPSILON);
    sum += (a - e) * Math.log(a / e);
  }
  return sum;
}

export interface ChiSquareResult {
  readonly statistic: number;
  readonly pValue: number;
  readonly df: number;
}

/**
 * `scipy.stats.chisquare(observed, expected)` with ddof = 0: Σ (o - e)² / e and the chi-square survival
 * function with k - 1 degrees of freedom. Like SciPy, the totals must agree to a relative 1e-8.
 */
export function chisquare(observed: ArrayLike<number>, expected: ArrayLike<number>): ChiSquareResult {
  const k = observed.length;
  if (k !== expected.length) {
    throw new RangeError(`chisquare: ${k} observed frequencies but ${expected.length} expected`);
  }
  if (k < 2) throw new RangeError(`chisquare: expected at least 2 categories, got ${k}`);
  let so = 0;
  let se = 0;
  for (let i = 0; i < k; i++) {
    so += observed[i] as number;
    se += expected[i] as number;
  }
  if (Math.abs(so - se) > 1e-8 * Math.max(so, se)) {
    throw new RangeError(
      `chisquare: observed sum ${so} and expected sum ${se} differ by more than 1e-8 relative`,
    );
  }
  let stat = 0;
  for (let i = 0; i < k; i++) {
    const e = expected[i] as number;
    const d = (observed[i] as number) - e;
    stat += (d * d) / e;
  }
  return { statistic: stat, pValue: chi2Sf(stat, k - 1), df: k - 1 };
}

export type Correction = "bonferroni" | "fdr_bh";

/** Bonferroni-adjusted p-values: min(1, p · m). */
export function bonferroni(pValues: readonly number[]): number[] {
  const m = pValues.length;
  return pValues.map((p) => Math.min(1, p * m));
}

/**
 * Benjamini–Hochberg adjusted p-values (`scipy.stats.false_discovery_control(ps, method="bh")`):
 * p_(i) · m / i, made monotone from the largest rank down, capped at 1.
 */
export function benjaminiHochberg(pValues: readonly number[]): number[] {
  const m = pValues.length;
  const order = pValues.map((_, i) => i).sort((a, b) => (pValues[a] as number) - (pValues[b] as number));
  const adjusted = new Array<number>(m);
  let running = 1;
  for (let r = m - 1; r >= 0; r--) {
    const idx = order[r] as number;
    running = Math.min(running, ((pValues[idx] as number) * m) / (r + 1));
    adjusted[idx] = running;
  }
  return adjusted;
}

export function adjust(pValues: readonly number[], correction: Correction): number[] {
  return correction === "bonferroni" ? bonferroni(pValues) : benjaminiHochberg(pValues);
}
